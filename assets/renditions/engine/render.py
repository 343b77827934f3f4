"""The pipeline: decode once, shrink as a pyramid, then colour, rotate, compose and encode."""

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

from PIL import Image, ImageChops

import assets.renditions.engine.svg as svg
from assets.renditions.engine.compose import (
    MARK_READ_SIDE,
    compose,
    line_art_bounds,
    mark_bounds,
)
from assets.renditions.engine.decode import (
    TRANSPOSE,
    load,
    load_luma,
    normalise_mode,
    open_image,
    orientation,
    shrink,
    srgb_transform,
    stores_half_colour,
    to_srgb,
)
from assets.renditions.engine.encode import TooBig, display_copy, encode, needs_display_copy
from assets.renditions.engine.plan import (
    Fractions,
    Plan,
    check_arguments,
    parse_colour,
    plan_preset,
    plan_scale,
    to_stored,
)
from assets.renditions.engine.pyramid import (
    REDUCING_GAP,
    Job,
    box_within,
    pyramid_order,
    resample_filter,
)
from assets.renditions.engine.results import RenderedImage, RenderFailure, RenderResult
from assets.renditions.presets import Preset

# Pillow allocates an image in blocks of up to 16 MB. Freed, blocks of every size are handed
# out again by glibc's heap and fragment it: over five renders of a 24 MP photo the peak grew
# by 15 MB. Blocks of one size are reused whole, at the same speed.
Image.core.set_block_size(1 << 20)

# An SVG logo with a wide margin is drawn again for its trimmed mark only up to this size.
LOGO_REDRAW_PIXELS = 16_000_000


def render_presets(
    source: BinaryIO,
    presets: Sequence[Preset],
    *,
    kind: str,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    background: str | None = None,
    keep: Fractions | None = None,
    crops: Mapping[str, Fractions] | None = None,
) -> list[RenderResult]:
    """Render ``source`` (a raster image, or SVG bytes) into every preset, in order.

    ``kind`` is "photo", "illustration" or "logo"; each has its layout rule (see
    assets/renditions/engine/plan.py). Focal point fractions are in the upright frame, as are
    ``keep`` (an illustration's keep box) and ``crops`` (per preset slug, a crop override), both
    x, y, w, h fractions. ``background`` is "#rrggbb", or None for transparent PNGs and white
    JPEGs. Raises RenderError if the source cannot be decoded and UnsafeSVG if an SVG cannot
    be parsed safely; per-preset problems (byte limits, SVG too complex) come back as
    RenderFailure items.
    """
    if not presets:
        return []
    head = source.read(256)
    source.seek(0)
    if svg.looks_like_svg(head):
        return render_svg_presets(
            source.read(),
            presets,
            kind=kind,
            focal_x=focal_x,
            focal_y=focal_y,
            background=background,
            keep=keep,
            crops=crops,
        )
    check_arguments(kind, focal_x, focal_y)
    fill = parse_colour(background)
    layout = _Layout(kind, focal_x, focal_y, keep, dict(crops or {}))
    # No local name for the opened image: _render_raster frees the decode early.
    return _render_raster(open_image(source), presets, layout, fill, source=source)


def render_svg_presets(
    data: bytes,
    presets: Sequence[Preset],
    *,
    kind: str,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    background: str | None = None,
    time_limit: float | None = None,
    keep: Fractions | None = None,
    crops: Mapping[str, Fractions] | None = None,
) -> list[RenderResult]:
    """Render an SVG into every preset: a simple document (_draws_quickly) draws each size by
    itself, at that size; any other is drawn once, at the largest size a preset needs, and
    every size is made from that raster.

    ``time_limit`` is the rasterizer's CPU and wall-clock budget in seconds for each request
    (a logo's small drawing to find its mark, then its drawing or all its sizes; default
    svg.SVG_TIME_LIMIT, read at call time); going over it or the memory limit, or a document
    cairosvg cannot draw, makes every preset a RenderFailure saying which.
    """
    time_limit = svg.SVG_TIME_LIMIT if time_limit is None else time_limit
    check_arguments(kind, focal_x, focal_y)
    fill = parse_colour(background)
    if not presets:
        return []
    root = svg.parse_svg(data)
    width, height = svg.svg_float_size(root)
    if width * height > svg.SVG_MAX_CANVAS_PIXELS:
        return [RenderFailure(p.slug, "too large a canvas") for p in presets]
    layout = _Layout(kind, focal_x, focal_y, keep, dict(crops or {}))
    plans = [layout.plan(p, (width, height)) for p in presets]
    scale = max(plan_scale(plan) for plan in plans)
    each_size_drawn = _draws_quickly(root)
    drawing = None  # the whole drawing at ``scale``, once made
    if kind == "logo":
        # A trimmed mark is shown larger than the whole canvas was planned for: find the mark
        # on a small drawing first, so the drawing itself is made once, at the size it needs.
        probe_scale = min(scale, MARK_READ_SIDE / max(width, height))
        try:
            probe = _draw(root, width, height, probe_scale, time_limit)
        except svg.RasterizeFailed as failure:
            return [RenderFailure(p.slug, str(failure)) for p in presets]
        left, top, right, bottom = mark_bounds(probe)
        # At most 4x, and never past the canvas limit: a speck of a mark is drawn soft, not huge.
        needed = min(scale / min(right - left, bottom - top), scale * 4)
        if needed > scale * 1.15 and width * height * needed**2 <= LOGO_REDRAW_PIXELS:
            scale = needed
        elif probe_scale == scale:
            drawing = probe  # a small drawing: the probe is the drawing
    if width * height * scale**2 > svg.SVG_MAX_CANVAS_PIXELS:
        return [RenderFailure(p.slug, "too large a canvas") for p in presets]
    try:
        if each_size_drawn:
            if kind == "logo":
                # Read on the whole drawing at full size, as _render_raster reads it.
                if drawing is None:
                    drawing = _draw(root, width, height, scale, time_limit)
                layout = dataclasses.replace(layout, mark=mark_bounds(drawing))
            frame = (width * scale, height * scale)
            return _render_windows(root, frame, presets, layout, fill, time_limit)
        if drawing is None:
            drawing = _draw(root, width, height, scale, time_limit)
    except svg.RasterizeFailed as failure:
        return [RenderFailure(p.slug, str(failure)) for p in presets]
    # A vector source is never low resolution: it was drawn at the size the outputs need.
    return _render_raster(drawing, presets, layout, fill, vector=True)


def _draw(
    root: ElementTree.Element, width: float, height: float, scale: float, time_limit: float
) -> Image.Image:
    size = (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
    return svg.rasterize_svg(root, size, time_limit)


@dataclass
class _Layout:
    """What the asset says about its layout, beyond the presets: one plan per preset."""

    kind: str
    fx: float
    fy: float
    keep: Fractions | None
    crops: dict[str, Fractions]
    mark: tuple[float, float, float, float] | None = None  # fractions of the upright source

    def plan(self, preset: Preset, upright: tuple[float, float]) -> Plan:
        mark = None
        if self.mark is not None:
            left, top, right, bottom = self.mark
            mark = (left * upright[0], top * upright[1], right * upright[0], bottom * upright[1])
        return plan_preset(
            preset,
            upright,
            self.kind,
            self.fx,
            self.fy,
            keep=self.keep,
            crop=self.crops.get(preset.slug),
            mark=mark,
        )


# An SVG that costs at most this much to draw (elements, and characters of text) draws each
# size on its own. Cairo fills a logo's pixels for about 4 ns each, where resizing a drawing
# costs 20 ns an output pixel, and every size comes out exactly, not resampled. But each
# drawing also walks the whole document in Python, about 80 µs an element: a detailed
# document (Illustrator's 400 paths: 32 ms a drawing) is drawn once and resized.
QUICK_DRAWING_COST = 100


def _draws_quickly(root: ElementTree.Element) -> bool:
    """Whether drawing the document once per size is cheap: few elements and little text,
    and no embedded picture (decoded again by every drawing)."""
    cost = 0
    for element in root.iter():  # parse_svg keeps no comments: every tag is a name
        if element.tag.rpartition("}")[2] == "image":
            return False
        cost += 1 + len((element.text or "").strip())
        if cost > QUICK_DRAWING_COST:
            return False
    return True


def _render_windows(
    root: ElementTree.Element,
    frame: tuple[float, float],
    presets: Sequence[Preset],
    layout: _Layout,
    fill: tuple[int, int, int] | None,
    time_limit: float,
) -> list[RenderResult]:
    """Each size drawn by itself: its crop of the drawing ``frame`` pixels large, at its size.

    Planned in that drawing's exact size (no pixels are rounded, as a raster's are), as
    _render_raster plans on a raster. Raises svg.RasterizeFailed.
    """
    kind = layout.kind
    presets = [preset.made_for(kind) for preset in presets]
    plans = [layout.plan(p, frame) for p in presets]
    windows = []
    for plan in plans:
        left, top, right, bottom = plan.crop
        across, down = plan.size[0] / (right - left), plan.size[1] / (bottom - top)
        drawing = (frame[0] * across, frame[1] * across)
        windows.append(svg.Window(drawing, (left * across, top * down), plan.size, down / across))
    tiles = svg.rasterize_windows(root, windows, time_limit)
    return [
        _finish(plan, to_srgb(tile, None), kind, fill, low=False)
        for plan, tile in zip(plans, tiles, strict=True)
    ]


def _render_raster(
    image: Image.Image,
    presets: Sequence[Preset],
    layout: _Layout,
    fill: tuple[int, int, int] | None,
    *,
    vector: bool = False,
    source: BinaryIO | None = None,
) -> list[RenderResult]:
    """``source`` is where ``image`` was opened from, to decode a JPEG's luma apart."""
    kind = layout.kind
    presets = [preset.made_for(kind) for preset in presets]
    turn = orientation(image)
    stored = image.size
    swaps = turn in (5, 6, 7, 8)
    upright = (stored[1], stored[0]) if swaps else stored
    plans = [layout.plan(p, upright) for p in presets]
    needed = min(1.0, max(plan_scale(plan) for plan in plans))

    # draft() picks its scale from the stored size, so ask in the stored orientation.
    factor = 1.0
    luma = None
    if image.format in ("JPEG", "MPO"):  # an MPO is a JPEG with extra views
        if needed > 0.5 and source is not None and stores_half_colour(image):
            # The luma at full size and the colour at half size (as the file stores it) hold
            # every sample in half the memory of a full-size RGB decode (2 bytes a pixel, not
            # 4), and the two decode faster than that one. Sizes needing more than half the
            # pixels take their detail from the luma; the others come from the colour alone.
            luma = load_luma(source)
            needed = 0.5
        target = (max(1, math.ceil(stored[0] * needed)), max(1, math.ceil(stored[1] * needed)))
        drafted = image.draft(image.mode, target)
        if drafted is not None:
            factor = drafted[1][2] / stored[0]
    load(image)
    icc = image.info.get("icc_profile")
    # Black and white: a 1-bit file, or a palette of two colours (a 1-bit PNG's other form).
    line_art = image.mode == "1" or (image.mode == "P" and len(image.getpalette() or ()) <= 6)
    base = normalise_mode(image)
    del image  # the caller keeps no reference, so a converted copy can free the decode
    if kind == "logo":
        # Trim the margin first: the mark, not the canvas around it, is sized to each slot.
        # (A JPEG logo was drafted for the untrimmed plans: at worst a little soft.)
        # Shrunk before turning it upright: mark_bounds would only shrink it after.
        if line_art:
            upright_base = base if turn == 1 else base.transpose(TRANSPOSE[turn])
            mark = line_art_bounds(upright_base)
            del upright_base
        elif turn == 1:
            mark = mark_bounds(base)
        else:
            # Shrunk before turning it upright (a full-size turn is a copy): read to the block.
            small = shrink(base, max(1, max(base.size) // MARK_READ_SIDE))
            mark = mark_bounds(small.transpose(TRANSPOSE[turn]))
        layout = dataclasses.replace(layout, mark=mark)
        plans = [layout.plan(p, upright) for p in presets]

    # Every preset shrinks the decoded frame by at least this much: do that part once.
    shared = max(1, int(factor / max(plan_scale(plan) for plan in plans) / REDUCING_GAP))
    base = shrink(base, shared)
    factor /= shared

    transform = srgb_transform(icc, base.mode)
    upright_size = (base.height, base.width) if swaps else base.size
    jobs = []
    for index, plan in enumerate(plans):
        box = to_stored(plan.crop, turn, stored)
        box = tuple(
            min(max(v * factor, 0.0), limit) for v, limit in zip(box, base.size * 2, strict=True)
        )
        upright_box = tuple(
            min(max(v * factor, 0.0), limit)
            for v, limit in zip(plan.crop, upright_size * 2, strict=True)
        )
        size = (plan.size[1], plan.size[0]) if swaps else plan.size
        jobs.append(Job(index, plan, box, size, upright_box))
    order = pyramid_order(jobs)
    children: dict[int, list[Job]] = {}
    for job in order:
        if job.parent is not None:
            children.setdefault(job.parent, []).append(job)
    results: list[RenderResult | None] = [None] * len(plans)

    def upright(tile: Image.Image) -> Image.Image:
        return tile if turn == 1 else tile.transpose(TRANSPOSE[turn])

    def finish_tree(job: Job, tile: Image.Image) -> None:
        """The job's result and those of the sizes shrunk from its tile, which is then freed.

        ``tile`` is upright already, and so are the sizes shrunk from it: only the sizes made
        from the decode are turned (each turn is a copy; a rotated 24 MP photo turned all 15 of
        its sizes, 29 ms of its render). A size of the same crop at the same size as the tile (a
        photo's avatar frame and its large avatar) takes the tile itself, not a copy of it.
        """
        for child in children.get(job.index, []):
            box = box_within(child.upright_box, job.upright_box, tile.size)
            if child.reduce_by == 1 and box == (0.0, 0.0, *tile.size):
                shrunk = tile
            elif child.reduce_by is not None:
                shrunk = tile.reduce(child.reduce_by, box=tuple(round(v) for v in box))
            else:
                resample = resample_filter(child, kind)
                shrunk = tile.resize(child.plan.size, resample, box=box, reducing_gap=REDUCING_GAP)
            finish_tree(child, shrunk)
        tile = to_srgb(tile, transform)
        low = not vector and plan_scale(job.plan) > 1.0 + 1e-6
        results[job.index] = _finish(job.plan, tile, kind, fill, low)

    roots = [job for job in order if job.parent is None]
    if luma is not None:
        # The sizes taking the luma's detail are finished (with the sizes shrunk from them)
        # as soon as each is made: holding their tiles until the decode is freed put two of
        # the largest on top of the decode, the peak of a 24 MP photo.
        taking_luma = [job for job in roots if job.density > 1.0]  # more than the colour holds
        if taking_luma:
            luma, origin = _luma_part(luma, taking_luma, factor)
        for job in taking_luma:
            resample = resample_filter(job, kind)
            # Saved as a photo's JPEG: 4:2:0, see encode.
            half_colour = (
                kind == "photo"
                and job.plan.preset.format == "JPEG"
                and _keeps_colour_blocks(job, children.get(job.index, []))
            )
            # No local name for the tile: it is freed once turned upright.
            finish_tree(
                job,
                upright(
                    _with_luma(
                        base,
                        luma,
                        origin,
                        job.size,
                        job.box,
                        factor,
                        resample,
                        half_colour=half_colour,
                    )
                ),
            )
            roots.remove(job)
        luma = None
    # The other resizes that read the decode run next, so it is freed before their colour,
    # rotation and encoding work (which all need memory of their own).
    tiles = [
        base.resize(job.size, resample_filter(job, kind), box=job.box, reducing_gap=REDUCING_GAP)
        for job in roots
    ]
    base = None
    for job in roots:
        finish_tree(job, upright(tiles.pop(0)))
    return [result for result in results if result is not None]


def _keeps_colour_blocks(job: Job, children: Sequence[Job]) -> bool:
    """Whether the sizes shrunk from ``job``'s tile keep its colour if it is made at half size
    and each pixel doubled: a size reduced from an even-sized tile by an even factor (the X
    header is the Mastodon header halved) averages whole 2x2 blocks, so it gets that very
    colour at its own resolution; a resample would read the blocks' edges.
    """
    even = job.size[0] % 2 == 0 and job.size[1] % 2 == 0
    return all(even and child.reduce_by and child.reduce_by % 2 == 0 for child in children)


# The widest filter a resize here uses (LANCZOS) reads this many pixels either side of a
# sample, times the shrink.
_FILTER_SUPPORT = 3


def _luma_part(
    luma: Image.Image, jobs: Sequence[Job], factor: float
) -> tuple[Image.Image, tuple[int, int]]:
    """The part of the full-size ``luma`` that the ``jobs`` read, and where it starts in it.

    Those sizes are the widest banners, which in a portrait photo read a band of it: for the
    rotated 24 MP photo 9 of its luma's 24 MB, held beside the colour while they are made (the
    peak of its render). The margin covers the filter's reach, so each resize reads the very
    pixels it read in the whole luma.
    """
    left, top, right, bottom = math.inf, math.inf, 0.0, 0.0
    for job in jobs:
        box = [v / factor for v in job.box]
        shrink = max(1.0, (box[2] - box[0]) / job.size[0], (box[3] - box[1]) / job.size[1])
        margin = math.ceil(_FILTER_SUPPORT * shrink) + 1
        left, top = min(left, box[0] - margin), min(top, box[1] - margin)
        right, bottom = max(right, box[2] + margin), max(bottom, box[3] + margin)
    part = (
        max(0, math.floor(left)),
        max(0, math.floor(top)),
        min(luma.width, math.ceil(right)),
        min(luma.height, math.ceil(bottom)),
    )
    if (part[2] - part[0]) * (part[3] - part[1]) > 0.75 * luma.width * luma.height:
        return luma, (0, 0)  # nearly all of it: not worth a copy
    return luma.crop(part), (part[0], part[1])


def _with_luma(
    colour: Image.Image,
    luma: Image.Image,
    origin: tuple[int, int],
    size: tuple[int, int],
    box: tuple[float, ...],
    factor: float,
    resample: Image.Resampling,
    *,
    half_colour: bool,
) -> Image.Image:
    """``box`` of the half-size RGB ``colour`` at ``size``, with the detail of the full-size
    luma (``luma`` is its part from ``origin`` on, see _luma_part): the tile's brightness is
    replaced by the luma's, by adding the difference to R, G and B alike (which leaves the
    colour as it was). The luma shrinks with ``resample``, the size's own filter: for a
    photo's large sizes bicubic, 5% fewer instructions for the rotated 24 MP photo than
    LANCZOS and within 0.02 dB (bench/renditions.py). Bilinear, half the cost again, blurred
    thin lines into grey (tests/assets/test_imaging.py).

    ``half_colour``: the tile is saved as a JPEG keeping its colour at half size (4:2:0),
    which stores one colour for each block of 2x2 pixels.
    """
    if half_colour:
        # Then the colour is made at half size and each pixel doubled: 4:2:0 stores those very
        # colours (of an even size), for half the cost of the full-size bilinear resize (which
        # was a tenth of the rotated 24 MP photo's render). Hamming reads as few pixels as
        # bilinear and came out a little sharper than the full-size resize (bench/renditions.py:
        # YouTube 41.87 -> 41.92 dB, Mastodon 41.55 -> 41.65 dB); bicubic would add 0.13 dB
        # more to each for 11 ms.
        half = ((size[0] + 1) // 2, (size[1] + 1) // 2)
        tile = colour.resize(half, Image.Resampling.HAMMING, box=box)
        tile = tile.resize(size, Image.Resampling.NEAREST)
    else:
        # Only the tile's colour is kept, and the file stores colour at half resolution:
        # bilinear costs half of LANCZOS here and keeps these sizes as close to the reference
        # as a full RGB decode did (bench/renditions.py, "vs q85"; LANCZOS would gain 0.2 dB).
        tile = colour.resize(size, Image.Resampling.BILINEAR, box=box)
    luma_box = tuple(v / factor - origin[i % 2] for i, v in enumerate(box))
    sharp = luma.resize(size, resample, box=luma_box, reducing_gap=REDUCING_GAP)
    # The difference is offset by 128 to fit a byte; beyond ±127 (only across the hardest
    # edges) it clips. Merging the luma with the colour's own Cb and Cr instead would go
    # through Pillow's YCbCr conversion, which rounds down: half a level darker on average.
    detail = ImageChops.subtract(sharp, tile.convert("L"), offset=128)
    del sharp
    # Band by band: a three-band copy of the detail and the sum would each cost four bytes a
    # pixel on top of the tile (the largest sizes' tiles are the peak of a 24 MP photo).
    bands = list(tile.split())
    del tile
    for index, band in enumerate(bands):
        bands[index] = ImageChops.add(band, detail, offset=-128)
    return Image.merge("RGB", bands)


def _finish(
    plan: Plan,
    tile: Image.Image,
    kind: str,
    fill: tuple[int, int, int] | None,
    low: bool,
) -> RenderResult:
    preset = plan.preset
    canvas = compose(plan, tile, kind, fill)
    try:
        data = encode(canvas, preset, kind)
    except TooBig as exc:
        return RenderFailure(preset.slug, str(exc))
    # The portal's own previews are shown as they are, and so is a light platform size.
    if preset.internal or not needs_display_copy(canvas, data):
        display, display_format = None, ""
    else:
        display, display_format = display_copy(canvas)
    return RenderedImage(
        preset.slug, data, canvas.width, canvas.height, preset.format, low, display, display_format
    )
