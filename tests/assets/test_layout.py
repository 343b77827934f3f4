"""Layout rules per kind, checked on the pixels the engine makes (no Django needed)."""

import io
import math

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from assets.renditions.engine import RenderedImage, render_presets
from assets.renditions.presets import Preset, get_preset, load_presets, platform_presets
from tests.assets import imagegen

BANNERS = [
    p for p in platform_presets() if not p.shown_as_circle and not p.overlay and p.width > p.height
]
ROUND = [p for p in platform_presets() if p.shown_as_circle and not p.overlay]


def render(source: io.BytesIO, presets: list[Preset], **options) -> list[Image.Image]:
    images = []
    for result in render_presets(source, presets, **options):
        assert isinstance(result, RenderedImage), result
        images.append(Image.open(io.BytesIO(result.data)))
        source.seek(0)
    return images


def flat_band_share(image: Image.Image) -> float:
    """The share of the canvas in rows or columns of one flat colour (a padding band)."""
    rgb = image.convert("RGB")
    width, height = rgb.size

    def flat(box: tuple[int, int, int, int]) -> bool:
        low, high = zip(*rgb.crop(box).getextrema(), strict=True)
        return max(h - lo for lo, h in zip(low, high, strict=True)) <= 6

    rows = sum(flat((0, y, width, y + 1)) for y in range(height))
    columns = sum(flat((x, 0, x + 1, height)) for x in range(width))
    return max(rows / height, columns / width)


def full_bleed_banner() -> io.BytesIO:
    """A 4:1 campaign banner that is artwork edge to edge, like the one in the issue."""
    return imagegen.to_bytes(imagegen.picture(3168, 792), "PNG")


@pytest.mark.parametrize("preset", BANNERS, ids=lambda p: p.slug)
def test_a_full_bleed_illustration_fills_every_banner_and_background(preset):
    (image,) = render(full_bleed_banner(), [preset], kind="illustration")
    assert flat_band_share(image) < 0.05


@pytest.mark.parametrize("preset", BANNERS, ids=lambda p: p.slug)
def test_a_keep_box_that_no_crop_holds_is_fitted_on_the_artwork_not_on_a_flat_band(preset):
    # The whole banner must be kept: in a 16:9 slot it cannot be cropped, so it is fitted.
    (image,) = render(full_bleed_banner(), [preset], kind="illustration", keep=(0, 0, 1, 1))
    assert flat_band_share(image) < 0.05


def test_a_keep_box_is_entirely_visible_where_the_plain_cover_crop_would_cut_it():
    picture = imagegen.picture(3168, 792)
    ImageDraw.Draw(picture).rectangle((40, 300, 140, 400), fill=(255, 0, 0))  # far left
    source = imagegen.to_bytes(picture, "PNG")
    preset = get_preset("avatar-small")
    (centred,) = render(source, [preset], kind="illustration")
    (kept,) = render(source, [preset], kind="illustration", keep=(0.0, 0.3, 0.06, 0.3))
    assert red_pixels(centred) == 0, "the centred square crop does not reach the left edge"
    assert red_pixels(kept) > 0.01 * preset.width * preset.height


def red_mask(image: Image.Image) -> Image.Image:
    red, green, _ = image.convert("RGB").split()
    return ImageChops.multiply(
        red.point(lambda v: 255 if v > 200 else 0),
        ImageChops.invert(green).point(lambda v: 255 if v > 200 else 0),
    )


def red_pixels(image: Image.Image) -> int:
    return red_mask(image).histogram()[255]


def test_a_4_to_1_artwork_in_a_4_to_1_slot_is_simply_scaled():
    picture = imagegen.picture(3168, 792)
    preset = get_preset("linkedin-banner")
    (image,) = render(imagegen.to_bytes(picture, "PNG"), [preset], kind="illustration")
    expected = picture.resize(preset.size, Image.Resampling.LANCZOS)
    difference = ImageStat.Stat(ImageChops.difference(image.convert("RGB"), expected)).mean
    assert max(difference) < 3


def logo_with_margin(*, transparent: bool) -> io.BytesIO:
    """A square mark drawn in the middle third of a big canvas: a margin to trim."""
    canvas = Image.new("RGBA" if transparent else "RGB", (1500, 1500), (255, 255, 255, 0))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((500, 500, 1000, 1000), fill=(0, 90, 200, 255))
    draw.ellipse((600, 600, 900, 900), fill=(230, 60, 20, 255))
    return imagegen.to_bytes(canvas, "PNG")


def mark_box(image: Image.Image) -> tuple[int, int, int, int]:
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        return image.getchannel("A").getbbox()
    rgb = image.convert("RGB")
    background = Image.new("RGB", rgb.size, rgb.getpixel((0, 0)))
    ink = ImageChops.difference(rgb, background).convert("L").point(lambda v: v > 40 and 255)
    return ink.getbbox()


@pytest.mark.parametrize("transparent", [True, False], ids=["transparent", "flat-white"])
@pytest.mark.parametrize("preset", ROUND, ids=lambda p: p.slug)
def test_a_logo_mark_spans_60_to_85_percent_of_each_round_avatar_inside_the_circle(
    preset, transparent
):
    (image,) = render(logo_with_margin(transparent=transparent), [preset], kind="logo")
    left, top, right, bottom = mark_box(image)
    span = max(right - left, bottom - top) / preset.width
    assert 0.60 <= span <= 0.85
    for x, y in [(left, top), (right, top), (left, bottom), (right, bottom)]:
        assert math.hypot(x - preset.width / 2, y - preset.height / 2) < 0.48 * preset.width


@pytest.mark.parametrize("preset", BANNERS, ids=lambda p: p.slug)
def test_a_logo_sits_inside_each_banners_safe_zone_on_the_brand_colour(preset):
    (image,) = render(
        logo_with_margin(transparent=True), [preset], kind="logo", background="#0a2540"
    )
    assert image.convert("RGB").getpixel((2, 2)) == pytest.approx((10, 37, 64), abs=4)
    left, top, right, bottom = mark_box(image)
    zone = preset.safe_zone
    assert left >= zone.x * preset.width - 2 and right <= (zone.x + zone.w) * preset.width + 2
    assert top >= zone.y * preset.height - 2 and bottom <= (zone.y + zone.h) * preset.height + 2
    # Trimmed, the mark fills the zone's height or width rather than a third of it.
    assert (
        max((right - left) / (zone.w * preset.width), (bottom - top) / (zone.h * preset.height))
        > 0.9
    )


def test_a_crop_override_shows_exactly_the_drawn_box_for_that_size_only():
    picture = imagegen.picture(3000, 2000)
    ImageDraw.Draw(picture).rectangle((0, 0, 900, 300), fill=(255, 0, 0))  # the top-left strip
    source = imagegen.to_bytes(picture, "JPEG", quality=95)
    header, other = get_preset("x-header"), get_preset("facebook-cover")
    crops = {"x-header": (0.0, 0.0, 0.3, 0.1)}  # 900x200 px: the x-header's own 3:1 shape
    drawn, untouched = render(source, [header, other], kind="photo", crops=crops)
    assert red_pixels(drawn) > 0.95 * header.width * header.height
    assert red_pixels(untouched) < 0.2 * other.width * other.height


def test_a_crop_override_of_another_shape_grows_to_the_slot_around_its_centre():
    picture = imagegen.picture(3000, 2000)
    ImageDraw.Draw(picture).rectangle((1400, 900, 1600, 1100), fill=(255, 0, 0))
    source = imagegen.to_bytes(picture, "JPEG", quality=95)
    preset = get_preset("x-header")
    (image,) = render(source, [preset], kind="photo", crops={"x-header": (0.45, 0.45, 0.1, 0.1)})
    left, top, right, bottom = red_mask(image).getbbox()
    # The 300x200 px box becomes 600x200 (3:1) around the same centre: the square is centred.
    assert abs((left + right) / 2 - preset.width / 2) < 10
    assert abs((top + bottom) / 2 - preset.height / 2) < 10


@pytest.mark.parametrize("size", [(3000, 750), (600, 2400), (400, 300)])
def test_a_page_preview_keeps_the_whole_picture_in_its_own_shape(size):
    internal = [p for p in load_presets() if p.fit == "inside"]
    for preset, image in zip(
        internal, render(imagegen.make_png(*size), internal, kind="photo"), strict=True
    ):
        assert image.width <= preset.width and image.height <= preset.height
        assert abs(image.width / image.height - size[0] / size[1]) < 0.02
