"""SVG in the engine: a hardened parse, the canvas size, and rasterizing in a sandboxed child.

The engine renders what the library stored, which upload validation has already sanitized
(assets/svg_sanitize.py). Here the document is only parsed safely, bounded, and drawn by
cairosvg in ``svg_child`` under hard CPU and memory limits, with a URL fetcher that reads
nothing but embedded raster images.
"""

import math
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from assets.engine.results import UnsafeSVG

# SVG limits. The declared canvas is refused above this before anything is rasterized; the
# child gets hard CPU and address-space limits and the parent a wall-clock timeout.
SVG_MAX_CANVAS_PIXELS = 100_000_000
SVG_TIME_LIMIT = 10.0
SVG_MEMORY_LIMIT = 1024 * 1024 * 1024
# Sanitizing, serializing and cairosvg each recurse once per level of nesting, so a deeper
# document would blow Python's stack; drawing tools nest a few tens of levels at most.
SVG_MAX_DEPTH = 100

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Serialize SVG with the usual prefixes instead of ns0:/ns1:.
ElementTree.register_namespace("", SVG_NS)
ElementTree.register_namespace("xlink", XLINK_NS)

_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
    "em": 16.0,
    "ex": 8.0,
}

# The package root, so the child finds ``assets.engine.svg_child`` wherever it is started.
_PROJECT = Path(__file__).resolve().parent.parent.parent


def parse_svg(data: bytes) -> ElementTree.Element:
    """The document's root ``<svg>`` element, parsed by a hardened XML parser.

    Raises UnsafeSVG for input that is not well-formed, carries a DTD or entities, nests too
    deeply or is not an ``<svg>`` document.
    """
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise UnsafeSVG(f"not a safe SVG document: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSVG("not an SVG document")
    _check_depth(root)
    return root


def _check_depth(root: ElementTree.Element) -> None:
    # Iterative on purpose: this is what stands between a deep document and a RecursionError.
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > SVG_MAX_DEPTH:
            raise UnsafeSVG(f"elements are nested more than {SVG_MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in element)


def svg_size(data: bytes) -> tuple[int, int]:
    """Pixel width and height of an SVG (at 96 dpi), from width/height or else the viewBox."""
    width, height = svg_float_size(parse_svg(data))
    return max(1, round(width)), max(1, round(height))


def svg_float_size(root: ElementTree.Element) -> tuple[float, float]:
    view_box = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if v]
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0:
        aspect = view_box[2] / view_box[3]
        if width is None and height is None:
            width, height = view_box[2], view_box[3]
        elif width is None:
            width = height * aspect
        elif height is None:
            height = width / aspect
    if not width or not height:
        raise UnsafeSVG("the SVG needs a width and height or a viewBox")
    return width, height


def _svg_length(value: str | None) -> float | None:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*", value or "", re.I)
    if not match or match.group(2).lower() not in _UNITS:
        return None  # missing, percentage or unknown unit: fall back to the viewBox
    length = float(match.group(1)) * _UNITS[match.group(2).lower()]
    return length if length > 0 else None


def looks_like_svg(head: bytes) -> bool:
    """Whether the first bytes of a file start an XML or SVG document."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # A DOCTYPE is sniffed too, so that it is refused as an unsafe SVG, not as "not an image".
    return text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype"))


def rasterize_svg(
    root: ElementTree.Element, size: tuple[int, int], time_limit: float
) -> bytes | None:
    """PNG bytes from the child rasterizer, or None if it ran out of time or memory.

    A child process, not multiprocessing: Celery's prefork children are daemonic and cannot
    start pools, and a separate process is the only way to put hard limits on cairosvg.
    """
    # The parsed tree, serialized again, is what the child draws: one parser decides.
    document = ElementTree.tostring(root, encoding="unicode").encode()
    cpu_seconds = max(1, math.ceil(time_limit))
    command = [
        sys.executable,
        "-m",
        "assets.engine.svg_child",
        str(size[0]),
        str(size[1]),
        str(cpu_seconds),
        str(SVG_MEMORY_LIMIT),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
            command,
            input=document,
            capture_output=True,
            timeout=time_limit + 1,
            cwd=_PROJECT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if completed.returncode != 0 or not completed.stdout:
        return None
    return completed.stdout
