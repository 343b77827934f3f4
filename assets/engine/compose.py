"""Composition: put one upright, sRGB tile on its preset's canvas."""

from functools import cache

from PIL import Image, ImageDraw

from assets.engine.plan import FRAME_RING, Plan, badge_geometry
from assets.presets import Preset


def compose(
    plan: Plan, tile: Image.Image, kind: str, fill: tuple[int, int, int] | None
) -> Image.Image:
    """The finished canvas of ``plan.preset``, ready to encode."""
    preset = plan.preset
    if preset.overlay:
        return _frame(preset, tile, plan, fill)
    if kind == "photo":
        return _flatten(tile, fill) if preset.format == "JPEG" or fill else tile
    return _pad(tile, preset, plan.position, fill)


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
    preset: Preset, tile: Image.Image, plan: Plan, fill: tuple[int, int, int] | None
) -> Image.Image:
    """The avatar frame: a ring (photo texture, or a colour with the artwork in a badge)."""
    ring = _ring_mask(preset.size, FRAME_RING)
    if not plan.badge:
        canvas = tile.convert("RGBA")
        canvas.putalpha(ring)  # the centre and corners become fully transparent
        return canvas
    colour = fill or _dominant_colour(tile)
    canvas = Image.new("RGBA", preset.size, (*colour, 255))
    pill_h, pill_w, pill_centre = badge_geometry(preset)
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
