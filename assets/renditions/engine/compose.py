"""Composition: put one upright, sRGB tile on its preset's canvas."""

from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from assets.renditions.engine.decode import shrink
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

    The margin trimmed is transparent, or else the flat colour of the corners. Found on a copy
    about 512 pixels across, made with reduce() (a box filter, and for premultiplied RGBa far
    cheaper than resize()), then each edge is read again at full size in a strip two of that
    copy's pixels wide: a mark placed to the block would move by up to a block (0.2%) with the
    size it was read at, and so would every size's layout (bench/renditions.py, PSNR).
    ``image`` is in one of the engine's modes (L, RGB, CMYK, RGBA or RGBa).
    """
    factor = max(1, max(image.size) // MARK_READ_SIDE)
    corner = None
    # A transparent margin is found on the alpha alone: a quarter of the bytes to shrink
    # (a 16 MP logo's copy was 4% of its render).
    source = image.getchannel(3) if image.mode in ("RGBA", "RGBa") else None
    small = source.reduce(factor) if source else None
    if small is None or small.getextrema()[0] >= 250:
        # Opaque: the margin is the corner's colour.
        source = image
        small = shrink(image, factor).convert("RGB")
        corner = small.getpixel((0, 0))
    box = _ink(small, corner).getbbox()
    if box is None:
        return (0.0, 0.0, 1.0, 1.0)  # nothing stands out: keep it all
    width, height = image.size
    # The box in full-size pixels, each edge somewhere within a block of where it was found.
    left, top, right, bottom = (v * factor for v in box)
    if factor > 1:
        rows = (max(0, top - factor), min(height, bottom + factor))
        columns = (max(0, left - factor), min(width, right + factor))
        left = _edge(source, corner, (left - factor, rows[0], left + factor, rows[1]), 0, left)
        right = _edge(source, corner, (right - factor, rows[0], right + factor, rows[1]), 2, right)
        top = _edge(source, corner, (columns[0], top - factor, columns[1], top + factor), 1, top)
        bottom = _edge(
            source, corner, (columns[0], bottom - factor, columns[1], bottom + factor), 3, bottom
        )
    return (left / width, top / height, min(right, width) / width, min(bottom, height) / height)


def _ink(image: Image.Image, corner: tuple[int, ...] | None) -> Image.Image:
    """Where ``image`` is not margin: with no ``corner``, ``image`` is an alpha channel and ink
    is what is visible; otherwise ink is what differs from the corner's colour."""
    if corner is None:
        return image.point(lambda value: 255 if value > 24 else 0)
    rgb = image.convert("RGB")
    difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, corner[:3]))
    return difference.convert("L").point(lambda value: 255 if value > 24 else 0)


def _edge(
    image: Image.Image, corner: tuple[int, ...] | None, strip: tuple, side: int, found: int
) -> int:
    """One edge of the mark read at full size inside ``strip`` (``side`` indexes a bbox)."""
    strip = (max(0, strip[0]), max(0, strip[1]), min(image.width, strip[2]),
             min(image.height, strip[3]))  # fmt: skip
    box = _ink(image.crop(strip), corner).getbbox()
    if box is None:
        return found  # the block's ink is too faint pixel by pixel: keep the block's edge
    return strip[side % 2] + box[side]


def line_art_bounds(image: Image.Image) -> tuple[float, float, float, float]:
    """mark_bounds for black-and-white line art (a 1-bit or two-colour logo), read at full size.

    Its lines are often one pixel wide: in mark_bounds' reduced copy such a line averages into
    the margin, and the trim cut it off. ``image`` is L (the margin is the corner's colour) or
    RGBA (the margin is transparent); two values a pixel, so this is one pass, not a copy.
    """
    if image.mode == "RGBA":
        ink = image.getchannel(3)
    else:
        ink = ImageChops.difference(
            image, Image.new(image.mode, image.size, image.getpixel((0, 0)))
        )
    box = ink.getbbox()
    if box is None:
        return (0.0, 0.0, 1.0, 1.0)
    width, height = image.size
    # With as much slack as mark_bounds has: a line on the very edge of the crop would be
    # shrunk together with the margin beyond it (reduce() works in blocks) and fade.
    slack = max(1, max(image.size) // MARK_READ_SIDE)
    return (
        max(0, box[0] - slack) / width,
        max(0, box[1] - slack) / height,
        min(width, box[2] + slack) / width,
        min(height, box[3] + slack) / height,
    )


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
