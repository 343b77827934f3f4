"""The rendition engine: one uploaded image in, one file per platform preset out.

Pure Pillow (no Django), so the benchmark and the tests can drive it directly.

Raster path (``render_presets``): the source is decoded once, at the smallest JPEG ``draft``
scale that still covers the most demanding preset, and every preset is derived from that decode:
directly, or from a larger preset's resized tile when that tile covers the same crop (a pyramid:
the 1920x1080 background is shrunk from the 2048x1152 one, not from 24 MP again). Crops and
shrinks happen in the *stored* orientation; only each small result is rotated upright, which
avoids a full-frame ``exif_transpose`` copy. Colour management (ICC, CMYK) also runs on the
small results. Each shrink is Pillow's integer ``reduce()`` followed by one LANCZOS resize from a
float box (``resize(..., reducing_gap=...)`` does exactly that pair). RGBA is premultiplied once
and, when every preset allows it, reduced once before anything else.

SVG path (``render_svg_presets``, or ``render_presets`` with SVG bytes, which it sniffs): the SVG
is sanitized, rasterized once by cairosvg in a resource-limited child process at the size the
largest preset needs, and that raster is then treated like a transparent PNG.
"""

import io
import math
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from PIL import ExifTags, Image, ImageCms, ImageDraw

from assets.presets import Preset

KINDS = ("photo", "logo", "illustration")

# Bump when a change here alters the output files, and put it in content-addressed names (with
# preset.version), so cached renditions made by an older engine are not served as current.
ENGINE_VERSION = 2

# Quality ladder for byte limits: visible artefacts start below the floor, so we fail instead.
JPEG_QUALITIES = (85, 78, 70, 62, 60)

# zlib's run-length strategy: on both photos and flat logos it gave files as small as the
# default strategy in a fifth of the time (optimize=True, i.e. level 9, was slower still).
_Z_RLE = 3

# Final LANCZOS step shrinks by at most this factor after the integer reduce(); 1.0 is fastest
# and, after JPEG encoding, within a fraction of a dB of a full LANCZOS (performance-anchors.md).
REDUCING_GAP = 1.0

# Artwork on a circular avatar must fit inside the circle with a little air around it.
CIRCLE_MARGIN = 0.92

# The avatar frame's ring, as a fraction of the circle's radius.
FRAME_RING = 0.15

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
# Serialize sanitized SVG with the usual prefixes instead of ns0:/ns1:.
ElementTree.register_namespace("", SVG_NS)
ElementTree.register_namespace("xlink", XLINK_NS)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class RenderError(Exception):
    """The source could not be decoded at all (every preset would fail)."""


class UnsafeSVG(RenderError, ValueError):
    """The SVG cannot be parsed safely (malformed, DTD/entities, not an <svg> document).

    Also a RenderError, so a caller rendering a stored file handles it like any undecodable
    source instead of retrying it.
    """


@dataclass(frozen=True)
class RenderedImage:
    slug: str
    data: bytes
    width: int
    height: int
    format: str
    low_resolution: bool


@dataclass(frozen=True)
class RenderFailure:
    slug: str
    reason: str


RenderResult = RenderedImage | RenderFailure


class _TooBig(Exception):
    pass


@dataclass(frozen=True)
class _Plan:
    """What one preset takes from the source and where it goes on the canvas."""

    preset: Preset
    crop: tuple[float, float, float, float]  # upright, full-resolution source pixels
    size: tuple[int, int]  # upright size the crop is scaled to
    position: tuple[int, int]  # top-left corner of that on the canvas
    badge: bool  # avatar frame: the artwork sits in a small badge on a coloured ring


# ---------------------------------------------------------------------------------------------
# Public entry points


def render_presets(
    source: BinaryIO,
    presets: Sequence[Preset],
    *,
    kind: str,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    background: str | None = None,
) -> list[RenderResult]:
    """Render ``source`` (a raster image, or SVG bytes) into every preset, in order.

    ``kind`` is "photo" (cover-crop around the focal point) or "logo"/"illustration" (contain
    and pad). Focal point fractions are in the upright frame. ``background`` is "#rrggbb", or
    None for transparent PNGs and white JPEGs. Raises RenderError if the source cannot be
    decoded and UnsafeSVG if an SVG cannot be parsed safely; per-preset problems (byte limits,
    SVG too complex) come back as RenderFailure items.
    """
    if not presets:
        return []
    head = source.read(256)
    source.seek(0)
    if _looks_like_svg(head):
        return render_svg_presets(
            source.read(),
            presets,
            kind=kind,
            focal_x=focal_x,
            focal_y=focal_y,
            background=background,
        )
    _check_arguments(kind, focal_x, focal_y)
    fill = _parse_colour(background)
    # No local name for the opened image: _render_raster frees the decode early.
    return _render_raster(_open(source), presets, kind, focal_x, focal_y, fill)


_DECODE_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def _open(source: BinaryIO) -> Image.Image:
    try:
        return Image.open(source)
    except _DECODE_ERRORS as exc:
        raise RenderError(f"cannot read the image: {exc}") from exc


def render_svg_presets(
    svg: bytes,
    presets: Sequence[Preset],
    *,
    kind: str,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    background: str | None = None,
    time_limit: float | None = None,
) -> list[RenderResult]:
    """Sanitize and rasterize an SVG once, then render every preset from that raster.

    ``time_limit`` is the rasterizer's CPU and wall-clock budget in seconds (default
    SVG_TIME_LIMIT, read at call time); going over it (or the memory limit) makes every
    preset a RenderFailure("too complex").
    """
    time_limit = SVG_TIME_LIMIT if time_limit is None else time_limit
    _check_arguments(kind, focal_x, focal_y)
    fill = _parse_colour(background)
    if not presets:
        return []
    root = _parse_svg(svg)
    _clean_element(root)
    clean = ElementTree.tostring(root, encoding="unicode").encode()
    width, height = _svg_float_size(root)
    if width * height > SVG_MAX_CANVAS_PIXELS:
        return [RenderFailure(p.slug, "too large a canvas") for p in presets]
    plans = [_plan(p, (width, height), kind, focal_x, focal_y) for p in presets]
    scale = max(_plan_scale(plan) for plan in plans)
    raster_size = (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
    if raster_size[0] * raster_size[1] > SVG_MAX_CANVAS_PIXELS:
        return [RenderFailure(p.slug, "too large a canvas") for p in presets]
    png = _rasterize_svg(clean, raster_size, time_limit)
    if png is None:
        return [RenderFailure(p.slug, "too complex") for p in presets]
    with Image.open(io.BytesIO(png)) as raster:
        raster.load()
        # A vector source is never low resolution: it was drawn at the size the outputs need.
        return _render_raster(raster, presets, kind, focal_x, focal_y, fill, vector=True)


def sanitize_svg(data: bytes) -> bytes:
    """Return the SVG without scripts, event handlers or references to anything outside it.

    Raises UnsafeSVG for input that is not well-formed, carries a DTD or entities, or is not an
    ``<svg>`` document. Kept: local ``#fragment`` references and embedded PNG/JPEG/WebP data.
    """
    root = _parse_svg(data)
    _clean_element(root)
    return ElementTree.tostring(root, encoding="unicode").encode()


def svg_size(data: bytes) -> tuple[int, int]:
    """Pixel width and height of an SVG (at 96 dpi), from width/height or else the viewBox."""
    width, height = _svg_float_size(_parse_svg(data))
    return max(1, round(width)), max(1, round(height))


# ---------------------------------------------------------------------------------------------
# Geometry


def _check_arguments(kind: str, focal_x: float, focal_y: float) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not (0.0 <= focal_x <= 1.0 and 0.0 <= focal_y <= 1.0):
        raise ValueError("focal point must be fractions between 0 and 1")


def _parse_colour(value: str | None) -> tuple[int, int, int] | None:
    if value is None:
        return None
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"background must look like #rrggbb, not {value!r}")
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def _plan(
    preset: Preset, upright: tuple[int, int] | tuple[float, float], kind: str, fx: float, fy: float
) -> _Plan:
    src_w, src_h = upright
    out_w, out_h = preset.size
    if preset.overlay and kind != "photo":
        return _badge_plan(preset, upright)
    if kind == "photo":
        # Cover: the largest box of the output's shape, centred on the focal point, kept inside.
        scale = max(out_w / src_w, out_h / src_h)
        crop_w, crop_h = min(src_w, out_w / scale), min(src_h, out_h / scale)
        left = min(max(fx * src_w - crop_w / 2, 0.0), src_w - crop_w)
        top = min(max(fy * src_h - crop_h / 2, 0.0), src_h - crop_h)
        return _Plan(preset, (left, top, left + crop_w, top + crop_h), preset.size, (0, 0), False)
    zone = preset.safe_zone
    if zone.shape == "circle" or preset.shown_as_circle:
        cx, cy, r = (zone.cx, zone.cy, zone.r) if zone.shape == "circle" else (0.5, 0.5, 0.5)
        # The artwork's bounding box (its diagonal) must fit inside the visible circle.
        diameter = 2 * r * min(out_w, out_h) * CIRCLE_MARGIN
        scale = diameter / math.hypot(src_w, src_h)
        centre = (cx * out_w, cy * out_h)
    else:
        box_w, box_h = zone.w * out_w, zone.h * out_h
        scale = min(box_w / src_w, box_h / src_h)
        centre = ((zone.x + zone.w / 2) * out_w, (zone.y + zone.h / 2) * out_h)
    return _contain_plan(preset, upright, scale, centre, badge=False)


def _badge_plan(preset: Preset, upright: tuple[float, float]) -> _Plan:
    radius = min(preset.size) / 2
    pill_h, pill_w, pill_centre = _badge_geometry(preset)
    # Leave padding inside the pill so the artwork never touches its rounded ends.
    scale = min((pill_w - pill_h * 0.6) / upright[0], pill_h * 0.72 / upright[1])
    centre = (preset.width / 2, preset.height / 2 - radius + pill_centre)
    return _contain_plan(preset, upright, scale, centre, badge=True)


def _badge_geometry(preset: Preset) -> tuple[float, float, float]:
    """Height, width and centre offset (from the top of the circle) of the frame's badge."""
    radius = min(preset.size) / 2
    band = radius * FRAME_RING
    pill_h = band * 0.8
    middle = radius - band / 2  # distance from the centre to the middle of the ring
    # The pill's outer corners must stay inside the circle.
    half_w = math.sqrt(max(radius**2 - (middle + pill_h / 2) ** 2, 1.0))
    return pill_h, 2 * half_w + pill_h * 0.5, radius + middle


def _contain_plan(
    preset: Preset,
    upright: tuple[float, float],
    scale: float,
    centre: tuple[float, float],
    *,
    badge: bool,
) -> _Plan:
    width = max(1, round(upright[0] * scale))
    height = max(1, round(upright[1] * scale))
    position = (round(centre[0] - width / 2), round(centre[1] - height / 2))
    return _Plan(preset, (0.0, 0.0, *upright), (width, height), position, badge)


def _plan_scale(plan: _Plan) -> float:
    left, top, right, bottom = plan.crop
    return max(plan.size[0] / (right - left), plan.size[1] / (bottom - top))


def _to_stored(
    box: tuple[float, float, float, float], orientation: int, stored: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Map an upright box back into the stored (pre-EXIF-rotation) frame."""
    w, h = stored

    def point(u: float, v: float) -> tuple[float, float]:
        return {
            1: (u, v),
            2: (w - u, v),
            3: (w - u, h - v),
            4: (u, h - v),
            5: (v, u),
            6: (v, h - u),
            7: (w - v, h - u),
            8: (w - v, u),
        }[orientation]

    (x0, y0), (x1, y1) = point(box[0], box[1]), point(box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


# ---------------------------------------------------------------------------------------------
# Decoding and colour


def _render_raster(
    image: Image.Image,
    presets: Sequence[Preset],
    kind: str,
    fx: float,
    fy: float,
    fill: tuple[int, int, int] | None,
    *,
    vector: bool = False,
) -> list[RenderResult]:
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation not in _TRANSPOSE:
        orientation = 1
    stored = image.size
    swaps = orientation in (5, 6, 7, 8)
    upright = (stored[1], stored[0]) if swaps else stored
    plans = [_plan(p, upright, kind, fx, fy) for p in presets]
    needed = min(1.0, max(_plan_scale(plan) for plan in plans))

    # draft() picks its scale from the stored size, so ask in the stored orientation.
    factor = 1.0
    if image.format in ("JPEG", "MPO"):  # an MPO is a JPEG with extra views
        target = (max(1, math.ceil(stored[0] * needed)), max(1, math.ceil(stored[1] * needed)))
        drafted = image.draft(image.mode, target)
        if drafted is not None:
            factor = drafted[1][2] / stored[0]
    try:
        image.load()
    except _DECODE_ERRORS as exc:
        raise RenderError(f"cannot decode the image: {exc}") from exc
    icc = image.info.get("icc_profile")
    base = _normalise_mode(image)
    del image  # the caller keeps no reference, so a converted copy can free the decode

    # Every preset shrinks the decoded frame by at least this much: do that part once.
    shared = int(factor / max(_plan_scale(plan) for plan in plans) / REDUCING_GAP)
    if shared >= 2:
        base = base.reduce(shared)
        factor /= shared

    transform = _srgb_transform(icc, base.mode)
    jobs = []
    for index, plan in enumerate(plans):
        box = _to_stored(plan.crop, orientation, stored)
        box = tuple(
            min(max(v * factor, 0.0), limit) for v, limit in zip(box, base.size * 2, strict=True)
        )
        size = (plan.size[1], plan.size[0]) if swaps else plan.size
        jobs.append(_Job(index, plan, box, size))
    # Every resize that reads the decode runs first, so the decode is freed before any of the
    # colour, rotation and encoding work (which all need memory of their own).
    order = _schedule(jobs)
    tiles = {
        job.index: base.resize(
            job.size, Image.Resampling.LANCZOS, box=job.box, reducing_gap=REDUCING_GAP
        )
        for job in order
        if job.parent is None
    }
    base = None
    uses = {job.index: job.children + 1 for job in order}

    results: list[RenderResult | None] = [None] * len(plans)
    for job in order:
        if job.parent is not None:
            parent = jobs[job.parent]
            tiles[job.index] = tiles[parent.index].resize(
                job.size,
                Image.Resampling.LANCZOS,
                box=_box_within(job.box, parent.box, tiles[parent.index].size),
                reducing_gap=REDUCING_GAP,
            )
            _release(tiles, uses, parent.index)
        tile = _to_srgb(tiles[job.index], transform)
        _release(tiles, uses, job.index)
        if orientation != 1:
            tile = tile.transpose(_TRANSPOSE[orientation])
        low = not vector and _plan_scale(job.plan) > 1.0 + 1e-6
        results[job.index] = _finish(job.plan, tile, kind, fill, low)
    return [result for result in results if result is not None]


def _release(tiles: dict[int, Image.Image], uses: dict[int, int], index: int) -> None:
    uses[index] -= 1
    if uses[index] == 0:
        del tiles[index]


@dataclass
class _Job:
    """One preset's resize, in stored orientation and decoded-pixel coordinates."""

    index: int
    plan: _Plan
    box: tuple[float, ...]
    size: tuple[int, int]
    parent: int | None = None  # index of the job whose tile this one shrinks, None = the decode
    children: int = 0

    @property
    def density(self) -> float:
        return max(
            self.size[0] / (self.box[2] - self.box[0]), self.size[1] / (self.box[3] - self.box[1])
        )


def _schedule(jobs: list[_Job]) -> list[_Job]:
    """Order the resizes as a pyramid: a preset shrinks an earlier, larger tile when that tile
    covers its crop at enough resolution and reading it is cheaper than reading the decode.

    Shrinking a 2560-wide tile to 1920 costs a fraction of shrinking the decode again, and
    after JPEG encoding the extra resampling step costs at most 0.4 dB (bench/renditions.py,
    "vs q85"). Requiring a bigger saving before using a tile halved that loss but cost 9 MB of
    peak memory and 5% more time on the 24 MP photo.
    """
    order = sorted(jobs, key=lambda job: job.density, reverse=True)
    for position, job in enumerate(order):
        best = _read_cost(job.box, job.size, 1.0)
        for earlier in order[:position]:
            if not _covers(earlier, job):
                continue
            scale = earlier.size[0] / (earlier.box[2] - earlier.box[0])
            cost = _read_cost(job.box, job.size, scale)
            if cost < best:
                best, job.parent = cost, earlier.index
        if job.parent is not None:
            jobs[job.parent].children += 1
    # By density, so a parent always comes before its children.
    return order


def _read_cost(box: tuple[float, ...], size: tuple[int, int], scale: float) -> float:
    """Rough cost of resizing ``box`` (seen at ``scale``) to ``size``: pixels the filter reads."""
    width, height = (box[2] - box[0]) * scale, (box[3] - box[1]) * scale
    reduce = max(1, int(min(width / size[0], height / size[1]) / REDUCING_GAP))
    # reduce() itself reads every pixel once, but far more cheaply than the LANCZOS passes.
    return width * height / reduce**2 + (width * height / 8 if reduce > 1 else 0.0)


def _covers(tile: _Job, job: _Job) -> bool:
    # A crop that sticks out of the tile by under 1% (e.g. 1640x924 is not quite 16:9) is
    # trimmed to the tile; nobody can see that difference.
    slack_x = 0.01 * (job.box[2] - job.box[0])
    slack_y = 0.01 * (job.box[3] - job.box[1])
    return (
        job.box[0] >= tile.box[0] - slack_x
        and job.box[1] >= tile.box[1] - slack_y
        and job.box[2] <= tile.box[2] + slack_x
        and job.box[3] <= tile.box[3] + slack_y
        and tile.size[0] / (tile.box[2] - tile.box[0]) >= job.size[0] / (job.box[2] - job.box[0])
        and tile.size[1] / (tile.box[3] - tile.box[1]) >= job.size[1] / (job.box[3] - job.box[1])
    )


def _box_within(
    box: tuple[float, ...], outer: tuple[float, ...], size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """``box`` (decode coordinates) in the pixel coordinates of a tile made from ``outer``."""
    scale_x = size[0] / (outer[2] - outer[0])
    scale_y = size[1] / (outer[3] - outer[1])
    return (
        max(0.0, (box[0] - outer[0]) * scale_x),
        max(0.0, (box[1] - outer[1]) * scale_y),
        min(float(size[0]), (box[2] - outer[0]) * scale_x),
        min(float(size[1]), (box[3] - outer[1]) * scale_y),
    )


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB, CMYK or premultiplied RGBa.

    RGBA is premultiplied once here: Pillow premultiplies the whole image on every RGBA resize
    call, whatever the box, which dominated the cost of logos.
    """
    mode = image.mode
    if mode in ("L", "RGB", "CMYK"):
        return image
    if mode == "P":
        mode = "RGBA" if "transparency" in image.info else "RGB"
        return image.convert(mode).convert("RGBa") if mode == "RGBA" else image.convert(mode)
    if mode.startswith("I"):
        low, high = image.getextrema()
        if high > 255:
            # 16-bit samples: scale instead of clipping everything above 255 to white.
            image = image.convert("I").point(lambda v: v * (1 / 257))
        return image.convert("L")
    if mode == "RGBA":
        return image.convert("RGBa")
    if mode in ("LA", "PA", "La"):
        return image.convert("RGBA").convert("RGBa")
    if mode == "RGBa":
        return image
    return image.convert("RGB")


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _srgb_transform(icc: bytes | None, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A transform from the embedded profile to sRGB, or None to use a plain conversion."""
    if not icc:
        return None
    in_mode = "RGBA" if mode == "RGBa" else mode
    out_mode = "RGBA" if in_mode == "RGBA" else "RGB"
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "sRGB" in (ImageCms.getProfileDescription(profile) or ""):
            return None
        return ImageCms.buildTransform(profile, _srgb_profile(), in_mode, out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or mismatched profile (e.g. RGB profile on a CMYK file): better a plain
        # conversion than no rendition at all.
        return None


def _to_srgb(tile: Image.Image, transform: ImageCms.ImageCmsTransform | None) -> Image.Image:
    if tile.mode == "RGBa":
        tile = tile.convert("RGBA")
    if transform is not None:
        tile = ImageCms.applyTransform(tile, transform)
    elif tile.mode not in ("RGB", "RGBA"):
        tile = tile.convert("RGB")
    return tile


# ---------------------------------------------------------------------------------------------
# Composition and encoding


def _finish(
    plan: _Plan,
    tile: Image.Image,
    kind: str,
    fill: tuple[int, int, int] | None,
    low: bool,
) -> RenderResult:
    preset = plan.preset
    if preset.overlay:
        canvas = _frame(preset, tile, plan, fill)
    elif kind == "photo":
        canvas = _flatten(tile, fill) if preset.format == "JPEG" or fill else tile
    else:
        canvas = _pad(tile, preset, plan.position, fill)
    try:
        data = _encode(canvas, preset, kind)
    except _TooBig as exc:
        return RenderFailure(preset.slug, str(exc))
    return RenderedImage(preset.slug, data, preset.width, preset.height, preset.format, low)


def _flatten(tile: Image.Image, fill: tuple[int, int, int] | None) -> Image.Image:
    """Composite over the background (white by default) so transparency never turns black."""
    if tile.mode != "RGBA":
        return tile
    flat = Image.new("RGB", tile.size, fill or (255, 255, 255))
    flat.paste(tile, (0, 0), tile)
    return flat


def _pad(
    tile: Image.Image,
    preset: Preset,
    position: tuple[int, int],
    fill: tuple[int, int, int] | None,
) -> Image.Image:
    """Place contained artwork on the background, or on transparency for a PNG without one."""
    if fill is None and preset.format == "PNG":
        canvas = Image.new("RGBA", preset.size, (0, 0, 0, 0))
        canvas.paste(tile.convert("RGBA"), position)
        return canvas
    canvas = Image.new("RGB", preset.size, fill or (255, 255, 255))
    # Pasting through the alpha as a mask composites only the artwork's own area.
    canvas.paste(tile, position, tile if tile.mode == "RGBA" else None)
    return canvas


def _frame(
    preset: Preset, tile: Image.Image, plan: _Plan, fill: tuple[int, int, int] | None
) -> Image.Image:
    """The avatar frame: a ring (photo texture, or a colour with the artwork in a badge)."""
    ring = _ring_mask(preset.size, FRAME_RING)
    if not plan.badge:
        canvas = tile.convert("RGBA")
        canvas.putalpha(ring)  # the centre and corners become fully transparent
        return canvas
    colour = fill or _dominant_colour(tile)
    canvas = Image.new("RGBA", preset.size, (*colour, 255))
    pill_h, pill_w, pill_centre = _badge_geometry(preset)
    top = preset.height / 2 - min(preset.size) / 2 + pill_centre - pill_h / 2
    left = (preset.width - pill_w) / 2
    ImageDraw.Draw(canvas).rounded_rectangle(
        (left, top, left + pill_w, top + pill_h), radius=pill_h / 2, fill=(255, 255, 255, 255)
    )
    canvas.alpha_composite(tile.convert("RGBA"), plan.position)
    canvas.putalpha(ring)
    return canvas


@cache
def _ring_mask(size: tuple[int, int], ring: float) -> Image.Image:
    # Drawn at 4x and reduced, for smooth edges.
    big = Image.new("L", (size[0] * 4, size[1] * 4), 0)
    draw = ImageDraw.Draw(big)
    radius = min(big.size) / 2
    cx, cy = big.size[0] / 2, big.size[1] / 2
    inner = radius * (1 - ring)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=0)
    return big.reduce(4)


def _dominant_colour(tile: Image.Image) -> tuple[int, int, int]:
    """The most common clearly visible, non-white colour of the artwork (dark grey if none)."""
    small = tile.convert("RGBA")
    small.thumbnail((64, 64))
    paletted = small.quantize(8, method=Image.Quantize.FASTOCTREE)
    palette = paletted.getpalette("RGBA") or []
    counts = sorted(paletted.getcolors() or [], reverse=True)
    for _, index in counts:
        r, g, b, a = palette[index * 4 : index * 4 + 4]
        if a >= 128 and (r + g + b) < 3 * 230:
            return (r, g, b)
    return (68, 68, 68)


def _encode(image: Image.Image, preset: Preset, kind: str) -> bytes:
    """Encode within the preset's byte limit, stripping all metadata."""
    # A fresh info dict: Pillow's encoders fall back to image.info for comments and ICC data.
    image.info = {}
    limit = _human_bytes(preset.max_bytes)
    if preset.format == "JPEG":
        # Full chroma keeps the edges of logos and text crisp; photos don't need it.
        subsampling = "4:2:0" if kind == "photo" else "4:4:4"
        for quality in JPEG_QUALITIES:
            data = _save(
                image,
                "JPEG",
                quality=quality,
                # Baseline, not progressive: as small here and less than half the time.
                optimize=True,
                subsampling=subsampling,
            )
            if len(data) <= preset.max_bytes:
                return data
        raise _TooBig(f"does not fit {limit} even at quality {JPEG_QUALITIES[-1]}")
    # Camera photos compress about 2:1 losslessly, so an opaque photo whose raw pixels are over
    # twice the limit cannot fit as truecolour: don't spend the time trying. (The avatar frame
    # has alpha and is mostly empty, so it always gets the try.)
    raw_bytes = image.width * image.height * len(image.mode)
    if kind != "photo" or image.mode == "RGBA" or raw_bytes <= 2 * preset.max_bytes:
        data = _save(image, "PNG", compress_level=6, compress_type=_Z_RLE)
        if len(data) <= preset.max_bytes:
            return data
    # 256 colours (alpha kept) is still a faithful logo and usually a fraction of the size.
    paletted = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    data = _save(paletted, "PNG", compress_level=6)  # run-length loses on palette indices
    if len(data) <= preset.max_bytes:
        return data
    raise _TooBig(f"does not fit {limit} even with 256 colours")


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _human_bytes(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    return f"{count / 1000:g} KB"


# ---------------------------------------------------------------------------------------------
# SVG

_UNSAFE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpeg|webp)[;,]", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
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


def _parse_svg(data: bytes) -> ElementTree.Element:
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


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or bool(_SAFE_DATA_URI.match(value))


def _safe_css(text: str) -> bool:
    if "@import" in text.lower():
        return False
    return all(target.startswith("#") for target in _CSS_URL.findall(text))


def _clean_element(element: ElementTree.Element) -> None:
    for child in list(element):
        name = _local_name(child.tag) if isinstance(child.tag, str) else ""
        if (
            name in _UNSAFE_ELEMENTS
            or (name == "style" and not _safe_css(child.text or ""))
            or (name in ("set", "animate") and _animates_unsafely(child))
        ):
            element.remove(child)
        else:
            _clean_element(child)
    for attribute, value in list(element.attrib.items()):
        name = _local_name(attribute).lower()
        if (
            name.startswith("on")
            or (name == "href" and not _safe_reference(value))
            or ("url(" in value.lower() and not _safe_css(value))
        ):
            del element.attrib[attribute]


def _animates_unsafely(element: ElementTree.Element) -> bool:
    # <set attributeName="href" to="javascript:..."> would bring back what we removed.
    target = element.get("attributeName", "").lower()
    return target.endswith("href") or target.startswith("on")


def _svg_float_size(root: ElementTree.Element) -> tuple[float, float]:
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


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # A DOCTYPE is sniffed too, so that it is refused as an unsafe SVG, not as "not an image".
    return text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype"))


def _rasterize_svg(clean: bytes, size: tuple[int, int], time_limit: float) -> bytes | None:
    """PNG bytes from the child rasterizer, or None if it ran out of time or memory.

    A child process, not multiprocessing: Celery's prefork children are daemonic and cannot
    start pools, and a separate process is the only way to put hard limits on cairosvg.
    """
    cpu_seconds = max(1, math.ceil(time_limit))
    command = [
        sys.executable,
        "-m",
        "assets.svg_rasterize",
        str(size[0]),
        str(size[1]),
        str(cpu_seconds),
        str(SVG_MEMORY_LIMIT),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
            command,
            input=clean,
            capture_output=True,
            timeout=time_limit + 1,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if completed.returncode != 0 or not completed.stdout:
        return None
    return completed.stdout
