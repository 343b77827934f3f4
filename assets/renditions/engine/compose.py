"""Composition: put one upright, sRGB tile on its preset's canvas."""

from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from assets.renditions.engine.plan import FRAME_RING, Plan, badge_geometry
from assets.renditions.presets import Preset


def compose(
    plan: Plan, tile: Image.Image, kind: str, fill: tuple[int, int, int] | None
) -> Image.Image:
    """The finished canvas of ``plan.preset``, ready to encode."""
    preset = plan.preset
    if preset.overlay and plan.canvas is None:
        return _frame(preset, tile, plan, fill)
    if fill is None and preset.shown_as_circle and tile.mode == "RGBA":
        # A transparent profile photo takes the page's colour, and platforms have dark modes
        # too: a navy mark would vanish there. So it lies on a ground, the brand's or one it
        # stands out on.
        fill = ground_for(tile)
    if kind == "photo" or plan.canvas is not None:
        return _flatten(tile, fill) if preset.format == "JPEG" or fill else tile
    if plan.backdrop:
        return _on_backdrop(tile, preset, plan.position, fill)
    return _pad(tile, preset, plan.position, fill)


# mark_bounds reads a copy about this many pixels across.
MARK_READ_SIDE = 512


def mark_bounds(image: Image.Image) -> tuple[float, float, float, float]:
    """Where a logo's visible mark is, as fractions (left, top, right, bottom) of ``image``.

    The margin trimmed is transparent, or else the flat colour of the corners. Read from a
    copy about 512 pixels across, made with reduce() (a box filter, and for premultiplied RGBa
    far cheaper than resize()): a few pixels of slack at full size do not change the layout.
    ``image`` is in one of the engine's modes (L, RGB, CMYK, RGBA or RGBa).
    """
    small = image.reduce(max(1, max(image.size) // MARK_READ_SIDE))
    small = small.convert("RGBA") if small.mode != "RGBA" else small
    alpha = small.getchannel("A")
    if alpha.getextrema()[0] < 250:
        ink = alpha.point(lambda value: 255 if value > 24 else 0)
    else:
        rgb = small.convert("RGB")
        corner = rgb.getpixel((0, 0))
        difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, corner))
        ink = difference.convert("L").point(lambda value: 255 if value > 24 else 0)
    box = ink.getbbox()
    if box is None:
        return (0.0, 0.0, 1.0, 1.0)  # nothing stands out: keep it all
    width, height = small.size
    return (box[0] / width, box[1] / height, box[2] / width, box[3] / height)


def _on_backdrop(
    tile: Image.Image,
    preset: Preset,
    position: tuple[int, int],
    fill: tuple[int, int, int] | None,
) -> Image.Image:
    """The fitted artwork over a blurred, slot-filling copy of itself: no flat bands."""
    flat = _flatten(tile, fill)
    aspect = preset.width / preset.height
    width, height = flat.size
    if width / height > aspect:
        inner = height * aspect
        box = ((width - inner) / 2, 0.0, (width + inner) / 2, float(height))
    else:
        inner = width / aspect
        box = (0.0, (height - inner) / 2, float(width), (height + inner) / 2)
    # Tiny, blurred, then stretched back: cheap, and it carries the artwork's colours.
    small_size = (max(4, preset.width // 32), max(4, preset.height // 32))
    small = flat.resize(small_size, Image.Resampling.BOX, box=box)
    backdrop = small.filter(ImageFilter.GaussianBlur(1.5)).resize(
        preset.size, Image.Resampling.BICUBIC
    )
    backdrop.paste(flat, position)
    return backdrop


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
        # Only the ring's own pixels are copied: the photo left under the clear centre and
        # corners would be invisible, yet be stored and more than double the file.
        canvas = Image.new("RGBA", preset.size, (0, 0, 0, 0))
        canvas.paste(tile, (0, 0), _ring_cover(preset.size, FRAME_RING))
        canvas.putalpha(ring)
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


@cache
def _ring_cover(size: tuple[int, int], ring: float) -> Image.Image:
    """Every pixel the ring touches at all, fully on: what a frame copies from the photo."""
    return _ring_mask(size, ring).point(lambda value: 255 if value else 0)


# The ground for a mark with no brand background: white, unless the mark does not stand out on
# white (under WCAG's 3:1 for graphics, a yellow or white logo), then the portal's dark ink.
LIGHT_GROUND = (255, 255, 255)
DARK_GROUND = (29, 35, 48)
GRAPHICS_CONTRAST = 3.0


def ground_for(tile: Image.Image) -> tuple[int, int, int]:
    """The colour a transparent mark is flattened on when marketing set no background."""
    mark = _dominant_colour(tile, keep_white=True)
    return LIGHT_GROUND if contrast(mark, LIGHT_GROUND) >= GRAPHICS_CONTRAST else DARK_GROUND


def contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: tuple[int, int, int]) -> float:
    def linear(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _dominant_colour(tile: Image.Image, *, keep_white: bool = False) -> tuple[int, int, int]:
    """The most common clearly visible colour of the artwork, not white unless ``keep_white``
    (dark grey if none)."""
    small = tile.convert("RGBA")
    small.thumbnail((64, 64))
    paletted = small.quantize(8, method=Image.Quantize.FASTOCTREE)
    palette = paletted.getpalette("RGBA") or []
    counts = sorted(paletted.getcolors() or [], reverse=True)
    for _, index in counts:
        r, g, b, a = palette[index * 4 : index * 4 + 4]
        if a >= 128 and (keep_white or (r + g + b) < 3 * 230):
            return (r, g, b)
    return (68, 68, 68)
