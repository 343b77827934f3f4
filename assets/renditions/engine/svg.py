"""SVG in the engine: a hardened parse, the canvas size, and rasterizing in a sandboxed child.

The engine renders what the library stored, which upload validation has already sanitized
(assets/intake/svg_sanitize.py). Here the document is only parsed safely, bounded, and drawn by
cairosvg in ``svg_child`` under hard CPU and memory limits, with a URL fetcher that reads
nothing but embedded raster images.
"""

import math
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from PIL import Image

import assets.renditions.engine.svg_child as svg_child
from assets.renditions.engine.results import UnsafeSVG

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


# Design tools write these DOCTYPEs; the DTD they name is never fetched or read.
SVG_PUBLIC_IDS = {
    "-//W3C//DTD SVG 1.0//EN",
    "-//W3C//DTD SVG 20010904//EN",
    "-//W3C//DTD SVG 1.1//EN",
    "-//W3C//DTD SVG 1.1 Basic//EN",
    "-//W3C//DTD SVG 1.1 Tiny//EN",
}
# Illustrator declares a dozen namespace URIs as entities; a bomb needs far more of everything.
SVG_MAX_ENTITIES = 50
SVG_MAX_ENTITY_LENGTH = 500
SVG_MAX_EXPANSION = 256 * 1024  # characters added by expanding every reference


class _SVGParser(defusedxml.ElementTree.DefusedXMLParser):
    """expat, with a DOCTYPE and small plain-text internal entities allowed, nothing else.

    An entity's value may hold no markup and no references (so nothing nests), and every
    reference is counted before the body is parsed, so the expansion is bounded up front.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self._data = data
        self._entities: dict[str, str] = {}
        self.parser.AttlistDeclHandler = self._attlist_decl
        self.parser.EndDoctypeDeclHandler = self._end_doctype

    def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset) -> None:
        if sysid is not None and pubid not in SVG_PUBLIC_IDS:
            raise UnsafeSVG("its DOCTYPE points at an outside DTD, which is never read")

    def defused_entity_decl(
        self, name, is_parameter_entity, value, base, sysid, pubid, notation_name
    ) -> None:
        if is_parameter_entity:
            raise UnsafeSVG("it declares a parameter entity")
        if value is None:
            raise UnsafeSVG(f"it declares an entity (“{name}”) that refers to an outside file")
        if "<" in value or "&" in value or "%" in value:
            raise UnsafeSVG(f"its entity “{name}” contains markup or other entities")
        if len(value) > SVG_MAX_ENTITY_LENGTH or len(self._entities) >= SVG_MAX_ENTITIES:
            raise UnsafeSVG("it declares more or longer entities than drawing tools write")
        if b"<!ENTITY" not in self._data:
            # References are counted in the raw bytes, which only works for UTF-8 and ASCII.
            raise UnsafeSVG("entities are only read in UTF-8 files; save the SVG as UTF-8")
        self._entities[name] = value

    def defused_unparsed_entity_decl(self, name, base, sysid, pubid, notation_name) -> None:
        raise UnsafeSVG(f"it declares an entity (“{name}”) that refers to an outside file")

    def _attlist_decl(self, *args: object) -> None:
        # Default attributes declared in a DTD would be added to elements silently.
        raise UnsafeSVG("its DOCTYPE declares attributes")

    def _end_doctype(self) -> None:
        added = sum(
            self._data.count(f"&{name};".encode()) * len(value)
            for name, value in self._entities.items()
        )
        if added > SVG_MAX_EXPANSION:
            raise UnsafeSVG("its entities expand to far more text than drawing tools write")


def parse_svg(data: bytes) -> ElementTree.Element:
    """The document's root ``<svg>`` element, parsed by a hardened XML parser.

    A DOCTYPE and small internal entities (as Illustrator writes them) are read; raises
    UnsafeSVG for anything else in a DTD, for input that is not well-formed, nests too deeply
    or is not an ``<svg>`` document. The message is plain words for the uploader.
    """
    parser = _SVGParser(data)
    try:
        parser.feed(data)
        root = parser.close()
    except UnsafeSVG:
        raise
    except ElementTree.ParseError as exc:
        raise UnsafeSVG(f"it is not well-formed XML ({exc})") from exc
    except (DefusedXmlException, ValueError) as exc:
        raise UnsafeSVG("it refers to something outside the file") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSVG("it is not an SVG document (the outermost element is not <svg>)")
    _check_depth(root)
    return root


def _check_depth(root: ElementTree.Element) -> None:
    # Iterative on purpose: this is what stands between a deep document and a RecursionError.
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > SVG_MAX_DEPTH:
            raise UnsafeSVG(f"its elements are nested more than {SVG_MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in element)


def svg_size(data: bytes) -> tuple[int, int]:
    """Pixel width and height of an SVG (at 96 dpi), from width/height or else the viewBox."""
    width, height = svg_float_size(parse_svg(data))
    return max(1, round(width)), max(1, round(height))


def svg_float_size(root: ElementTree.Element) -> tuple[float, float]:
    view_box = _view_box(root.get("viewBox", ""))
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
        raise UnsafeSVG("it has neither a width and height nor a viewBox")
    return width, height


def _view_box(value: str) -> list[float]:
    parts = [part for part in re.split(r"[\s,]+", value.strip()) if part]
    if not parts:
        return []
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(map(math.isfinite, numbers)):
        raise UnsafeSVG(f"its viewBox (“{value[:40]}”) is not four numbers")
    return numbers


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


class RasterizeFailed(Exception):
    """The child could not draw the SVG; the message says why, for the asset page."""


# A warm child draws at most this many documents, then a fresh process takes over, so nothing
# a drawing leaves behind in it (heap fragments, cairo's and fontconfig's caches) lasts long.
SVG_CHILD_DRAWINGS = 50

# Cairo keeps ARGB32 pixels as native-endian 32-bit words: B, G, R, A bytes on the
# little-endian machines we run on, premultiplied, which is Pillow's RGBa.
_CAIRO_RAWMODE = "BGRa" if sys.byteorder == "little" else "aRGB"


@dataclass(frozen=True)
class Window:
    """What the child draws of a document: the whole of it drawn ``drawing`` pixels large
    (floats), stretched vertically by ``stretch``, and of that the ``size`` pixels from
    ``origin`` (a size's crop starts between pixels)."""

    drawing: tuple[float, float]
    origin: tuple[float, float]
    size: tuple[int, int]
    stretch: float = 1.0


def rasterize_svg(
    root: ElementTree.Element, size: tuple[int, int], time_limit: float
) -> Image.Image:
    """The whole drawing at ``size`` as premultiplied RGBa; see rasterize_windows."""
    whole = Window((float(size[0]), float(size[1])), (0.0, 0.0), size)
    (image,) = rasterize_windows(root, [whole], time_limit)
    return image


def rasterize_windows(
    root: ElementTree.Element, windows: Sequence[Window], time_limit: float
) -> Iterator[Image.Image]:
    """Each window of the drawing as premultiplied RGBa, from this process's warm child, all
    within one ``time_limit``, handed over as each is drawn (so only one is held at a time).
    Raises RasterizeFailed with the reason.

    A child process, not multiprocessing: Celery's prefork children are daemonic and cannot
    start pools, and a separate process is the only way to put hard limits on cairosvg. It is
    started once per worker process (cairosvg's import was most of the cost of a small logo)
    and replaced after SVG_CHILD_DRAWINGS documents or any failure; a document over its time
    is killed with its child, and only that document fails.
    """
    # The parsed tree, serialized again, is what the child draws: one parser decides, and
    # entities are already expanded, so cairosvg's own parser never sees a DTD.
    document = ElementTree.tostring(root, encoding="unicode").encode()
    with _lock:
        # Counted from when this thread has the child, not while it waits for another one.
        # The child's CPU limit is the real bound; this wall clock catches a child that hangs
        # without using CPU, so it is generous for a busy machine.
        deadline = time.monotonic() + 3 * time_limit + 5
        child = _sent_to_child(document, windows, time_limit)
        answered = 0
        try:
            for _window in windows:
                yield child.answer(deadline, time_limit)
                answered += 1
        finally:
            if answered < len(windows):
                # It failed, or the caller stopped early: its other answers are not wanted.
                _discard_child()
        child.drawings += 1
        if child.drawings >= SVG_CHILD_DRAWINGS:
            _discard_child(kill=False)


class _ChildGone(Exception):
    """The child was not there to take the document."""


class _Child:
    """One rasterizer process, and the protocol of svg_child."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.drawings = 0
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                # Run as a script, not with -m: that would import the whole engine package.
                # -P keeps the script's folder off sys.path, so its neighbours shadow nothing.
                "-P",
                svg_child.__file__,
                str(SVG_MEMORY_LIMIT),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self.poll = select.poll()
        self.poll.register(self.process.stdout, select.POLLIN)

    def send(self, document: bytes, windows: Sequence[Window], time_limit: float) -> None:
        request = svg_child.REQUEST.pack(max(1, math.ceil(time_limit)), len(document), len(windows))
        fields = (
            svg_child.WINDOW.pack(*window.drawing, *window.origin, window.stretch, *window.size)
            for window in windows
        )
        try:
            self.process.stdin.write(request + document + b"".join(fields))
        except BrokenPipeError:
            raise _ChildGone from None

    def answer(self, deadline: float, time_limit: float) -> Image.Image:
        """The next window's raster. Raises RasterizeFailed."""
        too_slow = f"too complex: drawing it takes longer than the {time_limit:g} s time limit"
        try:
            header = self._read(svg_child.ANSWER.size, deadline)
            status, width, height, length = svg_child.ANSWER.unpack(header)
            payload = self._read(length, deadline)
        except TimeoutError:
            raise RasterizeFailed(too_slow) from None
        except EOFError:
            code = self.process.wait()
            if code in (-signal.SIGXCPU, -signal.SIGKILL):
                raise RasterizeFailed(too_slow) from None
            if code == svg_child.OUT_OF_MEMORY:
                raise RasterizeFailed(_OUT_OF_MEMORY) from None
            raise RasterizeFailed(
                f"the SVG rasterizer stopped unexpectedly (exit status {code})"
            ) from None
        if status == svg_child.OK:
            return Image.frombytes("RGBa", (width, height), payload, "raw", _CAIRO_RAWMODE)
        if status == svg_child.OUT_OF_MEMORY:
            raise RasterizeFailed(_OUT_OF_MEMORY)
        reason = payload.decode(errors="replace").strip() or "no reason was given"
        raise RasterizeFailed(
            f"the SVG could not be drawn: {reason}. Open it in the design tool, export it "
            "as SVG again and upload that"
        )

    def _read(self, count: int, deadline: float) -> bytearray:
        """Exactly ``count`` bytes of the answer. Raises TimeoutError after ``deadline``,
        EOFError if the child is gone."""
        buffer = bytearray(count)
        view = memoryview(buffer)
        got = 0
        while got < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.poll.poll(math.ceil(remaining * 1000)):
                raise TimeoutError
            read = self.process.stdout.readinto(view[got:])
            if not read:
                raise EOFError
            got += read
        return buffer

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        self.process.stdin.close()  # a child at rest exits when its input ends
        self.process.stdout.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_OUT_OF_MEMORY = (
    f"too complex: drawing it needs more than the {SVG_MEMORY_LIMIT // 2**20} MB memory limit"
)
_lock = threading.Lock()  # one drawing at a time per process (eager mode serves threads)
_child: _Child | None = None


def _warm_child() -> _Child:
    global _child
    if _child is not None and _child.owner != os.getpid():
        # Inherited through a fork: that child belongs to the parent process, leave it be.
        _child = None
    if _child is None:
        _child = _Child()
    return _child


def _discard_child(*, kill: bool = True) -> None:
    """Stop this process's child (killed unless it is at rest); the next drawing starts one."""
    global _child
    if _child is not None:
        _child.stop(kill=kill)
        _child = None


def _sent_to_child(document: bytes, windows: Sequence[Window], time_limit: float) -> _Child:
    for _attempt in range(2):
        child = _warm_child()
        try:
            child.send(document, windows, time_limit)
        except _ChildGone:
            _discard_child()  # died while idle (e.g. the OOM killer): once more, afresh
            continue
        return child
    raise RasterizeFailed("the SVG rasterizer could not be started")
