import base64
import dataclasses
import io
import math
import os
import subprocess
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageOps, ImageStat, JpegImagePlugin

from assets.intake.svg_sanitize import sanitize_svg
from assets.renditions.engine import (
    RenderedImage,
    RenderError,
    RenderFailure,
    UnsafeSVG,
    render_presets,
    render_svg_presets,
    svg_size,
)
from assets.renditions.engine.svg import RasterizeFailed, parse_svg, rasterize_svg
from assets.renditions.presets import get_preset, load_presets, parse_presets, presets_for
from tests.assets import imagegen

PRESETS = load_presets()


def open_output(result: RenderedImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.data))
    image.load()
    return image


def render_one(source: io.BytesIO, slug: str, **options) -> RenderedImage:
    (result,) = render_presets(source, [get_preset(slug)], **options)
    assert isinstance(result, RenderedImage), result
    return result


def close(colour, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected[:3], strict=True))


def red_mask(image: Image.Image) -> Image.Image:
    red, green, blue = image.convert("RGB").split()
    return ImageChops.multiply(
        ImageChops.multiply(
            red.point(lambda v: 255 * (v > 200)), green.point(lambda v: 255 * (v < 70))
        ),
        blue.point(lambda v: 255 * (v < 70)),
    )


SOURCES = {  # name: (kind, source)
    "landscape photo": ("photo", lambda: imagegen.make_jpeg(3000, 2000, orientation=1)),
    "portrait photo": ("photo", lambda: imagegen.make_jpeg(2000, 3000)),
    "tiny photo": ("photo", lambda: imagegen.make_jpeg(300, 200)),
    "RGBA logo": ("logo", lambda: imagegen.make_png(2000, 1000)),
    "SVG logo": ("logo", lambda: io.BytesIO(imagegen.make_svg())),
}


@cache
def rendered(name: str) -> list:
    kind, source = SOURCES[name]
    return render_presets(source(), PRESETS, kind=kind)


# --- every preset from every kind of source ----------------------------------------------


@pytest.mark.parametrize("name", SOURCES)
def test_every_preset_comes_out_at_its_exact_size_and_format_within_its_byte_limit(name):
    results = rendered(name)
    assert [r.slug for r in results] == [p.slug for p in PRESETS]
    for preset, result in zip(PRESETS, results, strict=True):
        assert isinstance(result, RenderedImage), result
        preset = preset.made_for(SOURCES[name][0])  # a photo may be JPEG where a logo is PNG
        image = open_output(result)
        assert image.size == (result.width, result.height)
        if preset.fit == "cover":
            assert image.size == preset.size
        else:  # a page preview keeps the source's shape inside its box
            assert image.width <= preset.width and image.height <= preset.height
        assert image.format == preset.format == result.format
        assert len(result.data) <= preset.max_bytes


@pytest.mark.parametrize("name", SOURCES)
def test_no_metadata_from_the_upload_survives_in_any_output(name):
    for result in rendered(name):
        image = open_output(result)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment", "photoshop"} & set(image.info)
        assert not getattr(image, "text", {})
        assert b"imagegen" not in result.data
        assert b"Exif" not in result.data


def test_a_tiny_photo_is_still_rendered_but_flagged_low_resolution():
    # Page previews never enlarge, so they are never low resolution.
    made = zip(PRESETS, rendered("tiny photo"), strict=True)
    assert all(result.low_resolution for preset, result in made if preset.fit == "cover")


def test_a_big_photo_is_not_flagged_low_resolution():
    assert not any(result.low_resolution for result in rendered("landscape photo"))


def test_an_svg_is_never_flagged_low_resolution():
    assert not any(result.low_resolution for result in rendered("SVG logo"))


# --- orientation and colour ----------------------------------------------------------------


def upright_test_card() -> Image.Image:
    """Portrait: red across the top, blue bottom-left, green bottom-right."""
    card = Image.new("RGB", (1200, 1800), (0, 0, 255))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 1199, 599), fill=(255, 0, 0))
    draw.rectangle((600, 600, 1199, 1799), fill=(0, 255, 0))
    return card


@pytest.mark.parametrize(
    ("orientation", "to_stored"),
    [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270)],
)
def test_a_rotated_camera_photo_comes_out_upright(orientation, to_stored):
    stored = upright_test_card().transpose(to_stored)
    source = imagegen.make_jpeg(0, 0, orientation=orientation, image=stored)

    # A square crop from the top of the upright frame: red top, blue left, green right.
    image = open_output(render_one(source, "avatar-small", kind="photo", focal_y=0.0))

    assert close(image.getpixel((200, 40)), (255, 0, 0))
    assert close(image.getpixel((60, 360)), (0, 0, 255))
    assert close(image.getpixel((340, 360)), (0, 255, 0))


def test_every_size_of_a_rotated_photo_shows_its_own_crop_upright():
    # Most sizes are shrunk from a larger size's tile, not from the photo: each must still show
    # its crop of the upright frame, here the bottom (blue on the left, green on the right).
    stored = upright_test_card().transpose(Image.Transpose.ROTATE_90)
    source = imagegen.make_jpeg(0, 0, orientation=6, image=stored)
    presets = presets_for("photo")

    results = render_presets(source, presets, kind="photo", focal_y=1.0)

    for preset, result in zip(presets, results, strict=True):
        image = open_output(result).convert("RGB")
        width, height = image.size
        x, rows = width // 8, (height // 8, height // 2)
        if preset.fit == "inside":  # the whole card
            assert close(image.getpixel((width // 2, height // 8)), (255, 0, 0)), preset.slug
            rows = (height * 3 // 4,)
        elif preset.overlay:  # the frame shows only its ring
            x, rows = width // 32, (height // 2,)
        for y in rows:
            assert close(image.getpixel((x, y)), (0, 0, 255)), preset.slug
            assert close(image.getpixel((width - 1 - x, y)), (0, 255, 0)), preset.slug


def fine_lines(size: tuple[int, int], every: int) -> Image.Image:
    """Thin dark lines ``every`` pixels apart on an orange photo: detail that a soft filter blurs
    into grey and a shrink from too few pixels aliases into another pattern."""
    card = Image.new("RGB", size, (230, 120, 40))
    draw = ImageDraw.Draw(card)
    for x in range(0, size[0], every):
        draw.line((x, 0, x, size[1] - 1), fill=(20, 20, 20))
    return card


def rotated_fine_lines(size: tuple[int, int], every: int) -> io.BytesIO:
    """``fine_lines`` upright, as a phone stores it: on its side, with EXIF orientation 6."""
    stored = fine_lines(size, every).transpose(Image.Transpose.ROTATE_90)
    return imagegen.make_jpeg(0, 0, orientation=6, image=stored)


def brightness_error(result: RenderedImage, source: io.BytesIO, box: tuple[float, ...]) -> float:
    """How far the output's brightness is, on average, from ``box`` of the upright photo
    shrunk to the output's size with LANCZOS."""
    output = open_output(result).convert("L")
    source.seek(0)
    upright = ImageOps.exif_transpose(Image.open(source)).convert("L")
    expected = upright.resize(output.size, Image.Resampling.LANCZOS, box=box)
    return ImageStat.Stat(ImageChops.difference(output, expected)).mean[0]


def test_a_size_needing_most_of_a_photos_pixels_keeps_its_finest_detail():
    # Lines three pixels apart: at half resolution they blur and alias into a different
    # pattern, so the size matches the photo only if made from it all.
    source = imagegen.make_jpeg(0, 0, image=fine_lines((1600, 1200), 3))
    banner = dataclasses.replace(get_preset("x-header"), width=1200, height=400)

    (result,) = render_presets(source, [banner], kind="photo")

    decoded = Image.open(source).convert("RGB")
    expected = decoded.resize(banner.size, Image.Resampling.LANCZOS, box=(0, 400, 1600, 933.33))
    difference = ImageChops.difference(open_output(result).convert("RGB"), expected)
    assert max(ImageStat.Stat(difference).mean) < 20


def test_a_rotated_photos_widest_banner_keeps_its_finest_detail():
    # The same lines on a photo stored on its side: a banner wider than half the upright photo
    # takes its detail from the full-size brightness. Shrunk with a softer filter than the
    # size's own, the lines blur into grey (a mean error of 10 against 3 from the photo).
    source = rotated_fine_lines((1200, 1800), 3)
    banner = dataclasses.replace(get_preset("youtube-banner"), width=900, height=506)

    (result,) = render_presets(source, [banner], kind="photo")

    height = 1200 * 506 / 900
    box = (0, (1800 - height) / 2, 1200, (1800 + height) / 2)
    assert brightness_error(result, source, box) < 6


def test_a_rotated_photos_x_header_keeps_the_detail_of_its_mastodon_header():
    # Lines five pixels apart: the Mastodon header takes them from the full-size brightness,
    # and the X header, the same crop at half its size, is that header halved. Shrunk from the
    # half-size decode instead, they alias (a mean error of 12 against 5).
    source = rotated_fine_lines((3200, 2400), 5)
    presets = [get_preset("mastodon-bluesky-header"), get_preset("x-header")]

    _, x_header = render_presets(source, presets, kind="photo")

    assert brightness_error(x_header, source, (0, 666.67, 3200, 1733.33)) < 8


def test_a_cmyk_jpeg_keeps_its_colours():
    cmyk_red = Image.new("CMYK", (800, 600), (0, 255, 255, 0))
    source = imagegen.make_jpeg(0, 0, image=cmyk_red)
    assert b"Adobe" in source.getvalue()  # Adobe's inverted CMYK, as Photoshop writes it

    image = open_output(render_one(source, "avatar-small", kind="photo"))

    assert image.mode == "RGB"
    assert close(image.getpixel((200, 200)), (255, 0, 0))


def _p3_calling_itself_srgb() -> bytes:
    # An extended-gamut profile whose description still says "sRGB", as some exports write.
    profile = imagegen.display_p3_profile().replace(
        "DP3x".encode("utf-16-be"), "sRGB".encode("utf-16-be")
    )
    assert "sRGB" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    return profile


@pytest.mark.parametrize(
    ("make_profile", "colour"),
    [
        pytest.param(imagegen.display_p3_profile, (200, 100, 50), id="display-p3"),
        pytest.param(_p3_calling_itself_srgb, (40, 200, 60), id="wide-gamut-named-srgb"),
    ],
)
def test_a_wide_gamut_photo_is_converted_to_srgb_whatever_its_profile_is_called(
    make_profile, colour
):
    profile = make_profile()
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), colour),
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        ImageCms.createProfile("sRGB"),
    ).getpixel((0, 0))
    assert not close(expected, colour, tolerance=8)  # the conversion is visible
    source = imagegen.make_jpeg(0, 0, icc=profile, image=Image.new("RGB", (900, 600), colour))

    image = open_output(render_one(source, "avatar-small", kind="photo"))

    assert close(image.getpixel((200, 200)), expected, tolerance=4)


def test_a_16_bit_greyscale_image_keeps_its_mid_grey():
    grey16 = Image.new("I;16", (600, 600), 32768)
    source = imagegen.make_png(0, 0, image=grey16)

    image = open_output(render_one(source, "avatar-small", kind="photo"))

    assert close(image.getpixel((200, 200)), (128, 128, 128), tolerance=3)


def _largest_step(image: Image.Image) -> int:
    """The biggest jump between neighbouring 16 px bands of a top-to-bottom gradient, in any
    channel: what an eye sees as banding (dithering's pixel noise averages out in a band)."""
    bands = image.convert("RGB").resize((1, image.height // 16), Image.Resampling.BOX)
    rows = [bands.getpixel((0, y)) for y in range(bands.height)]
    pairs = zip(rows, rows[1:], strict=False)
    return max(abs(a - b) for upper, lower in pairs for a, b in zip(upper, lower, strict=True))


def test_a_smooth_sky_in_the_large_avatar_is_a_jpeg_that_shows_no_steps():
    # Thousands of colours, none repeated across a row band: a sky at dusk.
    height = 2000
    ramp = Image.linear_gradient("L").resize((height, height))
    sky = Image.merge(
        "RGB",
        [
            ramp.point(lambda v: 40 + v * 120 // 255),
            ramp.point(lambda v: 70 + v * 90 // 255),
            ramp.rotate(90).point(lambda v: 150 + v * 80 // 255),
        ],
    )
    source = imagegen.make_jpeg(0, 0, image=sky)
    expected = _largest_step(sky.resize((1024, 1024), Image.Resampling.LANCZOS))

    result = render_one(source, "avatar-large", kind="photo")

    # The slot is PNG for logos; every platform it serves takes JPEG, which suits a photo.
    assert get_preset("avatar-large").format == "PNG"
    assert result.format == "JPEG"
    assert _largest_step(open_output(result)) <= expected + 2


# --- transparency and logos ----------------------------------------------------------------

LOGO_SOURCES = {
    "RGBA": lambda: imagegen.make_png(1600, 800),
    "palette with transparency": lambda: imagegen.make_png(
        0, 0, image=imagegen.logo(1600, 800).quantize(64)
    ),
    "greyscale with alpha": lambda: imagegen.make_png(
        0, 0, image=imagegen.logo(1600, 800).convert("LA")
    ),
}

# White is the PNG's transparent colour (tRNS), in 1-bit black and white and in a two-colour
# palette.
CLEAR_LINE_ART = {
    "1-bit": lambda: imagegen.to_bytes(imagegen.line_art(1600, 800), "PNG", transparency=1),
    "2-colour palette": lambda: imagegen.to_bytes(
        imagegen.line_art(1600, 800).convert("P"), "PNG", transparency=1, bits=1
    ),
}


@pytest.mark.parametrize("source", LOGO_SOURCES)
def test_a_transparent_logos_profile_photo_and_banner_lie_on_white_never_black(source):
    png, jpeg = render_presets(
        LOGO_SOURCES[source](),
        [get_preset("avatar-large"), get_preset("x-header")],
        kind="logo",
    )

    # Platforms show profile photos in dark mode too: a transparent one would lose its mark.
    assert open_output(png).convert("RGBA").getpixel((3, 3)) == (255, 255, 255, 255)
    assert close(open_output(jpeg).getpixel((3, 3)), (255, 255, 255), tolerance=3)


def test_the_colour_hidden_under_a_logos_transparent_pixels_never_shows():
    # Design tools write anything under fully transparent pixels; averaged in, it would rim
    # the mark with it. Magenta there must give exactly what black there gives.
    logo = imagegen.logo(3000, 1500)
    hidden = Image.new("RGBA", logo.size, (255, 0, 255, 0))
    hidden.alpha_composite(logo)
    presets = [get_preset(slug) for slug in ("avatar-small", "x-header", "thumbnail")]

    plain = render_presets(imagegen.to_bytes(logo, "PNG"), presets, kind="logo")
    magenta = render_presets(imagegen.to_bytes(hidden, "PNG"), presets, kind="logo")

    for one, other in zip(plain, magenta, strict=True):
        difference = ImageChops.difference(open_output(one), open_output(other))
        assert difference.getbbox() is None, one.slug


@pytest.mark.parametrize("source", CLEAR_LINE_ART)
def test_a_line_art_logo_with_a_clear_background_stays_clear_inside_its_outline(source):
    # The profile photo is flattened on its ground: "clear" is the ground showing through.
    image = open_output(render_one(CLEAR_LINE_ART[source](), "avatar-large", kind="logo"))

    image = image.convert("RGB")
    ground = image.getpixel((3, 3))
    ink = ImageChops.difference(image, Image.new("RGB", image.size, ground)).convert("L")
    ink = ink.point(lambda v: 255 * (v > 20))
    left, top, right, bottom = ink.getbbox()
    # The disc's centre, a quarter across the artwork (its outline spans 5% to 45%).
    centre = (round(left + (right - left) * 0.2 / 0.9), (top + bottom) // 2)
    assert ink.getpixel(centre) == 0


HAIRLINE_ART = {
    "1-bit": lambda: imagegen.to_bytes(imagegen.line_art(6000, 3000, line=1), "PNG"),
    "1-bit with a clear background": lambda: imagegen.to_bytes(
        imagegen.line_art(6000, 3000, line=1), "PNG", transparency=1
    ),
    "2-colour palette": lambda: imagegen.to_bytes(
        imagegen.line_art(6000, 3000, line=1).convert("P"), "PNG", transparency=1, bits=1
    ),
}


@pytest.mark.parametrize("name", HAIRLINE_ART)
def test_a_hairline_outline_of_a_1_bit_logo_is_not_trimmed_off_in_the_large_avatar(name):
    # A 6000 px scan whose lines are 1 px wide: the bar's right side is the mark's right edge.
    source = HAIRLINE_ART[name]()

    image = open_output(render_one(source, "avatar-large", kind="logo")).convert("RGBA")

    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    ink = Image.alpha_composite(white, image).convert("L").point(lambda v: 255 * (v < 235))
    left, top, right, bottom = ink.getbbox()
    edge = max(ink.crop((x, top, x + 1, bottom)).histogram()[255] for x in range(right - 3, right))
    # The bar is 40% of the artwork's height: its right side, not a cut through the artwork.
    assert 0.35 < edge / (bottom - top) < 0.55


def test_a_white_logos_profile_photo_lies_on_a_dark_ground_it_stands_out_on():
    white_mark = Image.new("RGBA", (1600, 800), (0, 0, 0, 0))
    ImageDraw.Draw(white_mark).ellipse((200, 100, 1400, 700), fill=(255, 255, 255, 255))
    (png,) = render_presets(
        imagegen.make_png(0, 0, image=white_mark), [get_preset("avatar-large")], kind="logo"
    )

    image = open_output(png).convert("RGBA")
    assert image.getpixel((3, 3)) == (29, 35, 48, 255)
    assert image.getpixel((512, 512)) == (255, 255, 255, 255)


def test_a_chosen_background_colour_fills_both_png_and_jpeg():
    png, jpeg = render_presets(
        imagegen.make_png(1600, 800),
        [get_preset("avatar-large"), get_preset("x-header")],
        kind="logo",
        background="#123456",
    )

    assert open_output(png).convert("RGBA").getpixel((3, 3)) == (0x12, 0x34, 0x56, 255)
    assert close(open_output(jpeg).getpixel((3, 3)), (0x12, 0x34, 0x56), tolerance=4)


def test_a_logo_on_a_round_avatar_stays_inside_the_circle():
    preset = get_preset("avatar-large")
    image = open_output(render_one(imagegen.make_png(1600, 800), preset.slug, kind="logo"))

    ground = Image.new("RGB", image.size, image.convert("RGB").getpixel((0, 0)))
    ink = ImageChops.difference(image.convert("RGB"), ground).convert("L")
    left, top, right, bottom = ink.point(lambda value: value > 40 and 255).getbbox()
    radius = 0.48 * preset.width  # the visible circle, with air
    for x, y in [(left, top), (right, top), (left, bottom), (right, bottom)]:
        assert math.hypot(x - preset.width / 2, y - preset.height / 2) <= radius


@pytest.mark.parametrize("kind", ["logo", "photo"])
def test_the_avatar_frame_has_a_clear_centre_and_a_visible_ring(kind):
    source = imagegen.make_png(1600, 800) if kind == "logo" else imagegen.make_jpeg(1500, 1000)
    image = open_output(render_one(source, "avatar-frame", kind=kind)).convert("RGBA")
    alpha = image.getchannel("A")

    centre = Image.new("L", image.size, 0)
    ImageDraw.Draw(centre).ellipse((512 - 420, 512 - 420, 512 + 420, 512 + 420), fill=255)
    assert ImageChops.multiply(alpha, centre).getbbox() is None
    # Opaque ring (a 256-colour fallback may store 254).
    assert alpha.getpixel((512, 20)) >= 250  # top of the ring
    assert alpha.getpixel((512, 1000)) >= 250  # bottom of the ring


def test_a_grainy_photo_ring_keeps_its_full_colour_within_the_frames_limit():
    source = imagegen.make_jpeg(0, 0, image=imagegen.camera_picture(2000, 2000))

    result = render_one(source, "avatar-frame", kind="photo")

    # Not squeezed into 256 colours (which bands a photo): the clear parts hold no pixels.
    assert open_output(result).mode == "RGBA"
    assert len(result.data) <= get_preset("avatar-frame").max_bytes


def test_a_film_grain_illustration_renders_its_full_colour_jpeg_sizes():
    # Kept at full chroma (4:4:4), such grain takes more than a byte a pixel at quality 85,
    # more than the buffer Pillow gives an optimized JPEG.
    source = imagegen.make_png(0, 0, image=imagegen.camera_picture(700, 700, grain=64))

    result = render_one(source, "m365-photo", kind="illustration")

    image = open_output(result)
    assert image.size == (648, 648)
    assert JpegImagePlugin.get_sampling(image) == 0  # 4:4:4
    assert len(result.data) > 648 * 648  # the grain is really there


# --- focal point --------------------------------------------------------------------------


def test_a_red_dot_at_the_focal_point_is_inside_every_cover_crop():
    wide = imagegen.picture(3000, 1000).convert("L").convert("RGB")  # grey: no red anywhere
    ImageDraw.Draw(wide).ellipse((2400 - 40, 300 - 40, 2400 + 40, 300 + 40), fill=(255, 0, 0))
    presets = [p for p in PRESETS if not p.overlay]  # the frame's centre is clear by design

    results = render_presets(
        imagegen.make_jpeg(0, 0, image=wide), presets, kind="photo", focal_x=0.8, focal_y=0.3
    )

    for result in results:
        assert red_mask(open_output(result)).getbbox() is not None, result.slug


# --- byte limits --------------------------------------------------------------------------


def test_an_impossible_jpeg_byte_limit_fails_naming_the_limit():
    preset = dataclasses.replace(get_preset("email-signature"), max_bytes=500)

    (result,) = render_presets(imagegen.make_jpeg(1200, 800), [preset], kind="photo")

    assert result == RenderFailure("email-signature", "does not fit 0.5 KB even at quality 60")


def test_an_impossible_png_byte_limit_fails_naming_the_limit():
    preset = dataclasses.replace(get_preset("avatar-large"), max_bytes=2000)

    (result,) = render_presets(
        imagegen.make_png(1200, 800, mode="RGB"), [preset], kind="illustration"
    )

    assert result == RenderFailure("avatar-large", "does not fit 2 KB even with 256 colours")


def test_something_that_is_not_an_image_is_refused():
    with pytest.raises(RenderError):
        render_presets(io.BytesIO(b"not an image at all"), PRESETS, kind="photo")


# --- SVG ----------------------------------------------------------------------------------

TINY_PNG = (
    "data:image/png;base64,"
    + base64.b64encode(imagegen.to_bytes(Image.new("RGB", (1, 1)), "PNG").getvalue()).decode()
)


def test_sanitizing_an_svg_removes_scripts_handlers_and_outside_references():
    body = (
        '<script>alert(1)</script><g onload="alert(2)"><rect width="5" height="5"/></g>'
        '<image href="http://evil.example/x.png" width="5" height="5"/>'
        '<image xlink:href="file:///etc/passwd" width="5" height="5"/>'
        '<image href="data:image/svg+xml;base64,PHN2Zz4=" width="5" height="5"/>'
        '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'
        "<style>@import url(http://evil.example/a.css);</style>"
        '<rect fill="url(http://evil.example/#p)" width="5" height="5"/>'
        '<a href="javascript:alert(3)"><rect width="5" height="5"/></a>'
        '<set attributeName="href" to="javascript:alert(4)"/>'
        f'<defs><rect id="a" width="5" height="5"/></defs><use href="#a"/>'
        f'<image href="{TINY_PNG}" width="5" height="5"/>'
    )

    clean = sanitize_svg(imagegen.make_svg(body=body)).decode()

    for unsafe in (
        "script",
        "alert",
        "onload",
        "evil.example",
        "/etc/passwd",
        "svg+xml",
        "foreignObject",
        "@import",
    ):
        assert unsafe not in clean
    assert 'href="#a"' in clean
    assert TINY_PNG in clean


def test_an_svg_with_an_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>'
    )

    with pytest.raises(UnsafeSVG):
        sanitize_svg(xxe)
    with pytest.raises(UnsafeSVG):
        render_svg_presets(xxe, PRESETS, kind="logo")


def test_an_svg_pointing_at_an_outside_image_still_renders_without_it():
    svg = imagegen.make_svg(body='<image href="http://127.0.0.1:9/x.png" width="50" height="50"/>')

    results = render_svg_presets(svg, [get_preset("avatar-small")], kind="logo")

    assert isinstance(results[0], RenderedImage)


def test_an_svg_keeps_its_embedded_png_picture():
    red = base64.b64encode(imagegen.to_bytes(Image.new("RGB", (10, 10), (255, 0, 0)), "PNG").read())
    svg = imagegen.make_svg(
        body=f'<image href="data:image/png;base64,{red.decode()}" width="400" height="200"/>'
    )

    (result,) = render_svg_presets(svg, [get_preset("avatar-small")], kind="logo")

    assert close(open_output(result).getpixel((200, 200)), (255, 0, 0))


def rasterizer_pids() -> set[int]:
    """This process's SVG rasterizer children, from /proc."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"svg_child.py" in command:
            pids.add(int(stat.parent.name))
    return pids


def use_bomb() -> bytes:
    levels = ['<rect id="l0" width="1" height="1"/>']
    for level in range(1, 12):
        uses = "".join(f'<use href="#l{level - 1}" x="{i}"/>' for i in range(10))
        levels.append(f'<g id="l{level}">{uses}</g>')
    return imagegen.make_svg(body="<defs>" + "".join(levels) + '</defs><use href="#l11"/>')


def test_a_use_element_bomb_fails_quickly_as_too_complex():
    # Bounded by the child's CPU limit (1.5 s, rounded up to 2): no wall clock needed here.
    results = render_svg_presets(use_bomb(), PRESETS, kind="logo", time_limit=1.5)

    assert {result.reason for result in results} == {
        "too complex: drawing it takes longer than the 1.5 s time limit"
    }


def stripes_svg() -> bytes:
    """1024 x 512 units of black stripes one unit wide, one unit apart, on white."""
    stripes = "".join(f"M{x} 0h1v512h-1z" for x in range(0, 1024, 2))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="512"'
        ' viewBox="0 0 1024 512">'
        f'<rect width="1024" height="512" fill="#fff"/><path d="{stripes}" fill="#000"/></svg>'
    ).encode()


def grey_share(image: Image.Image) -> float:
    """The share of pixels that are neither near black nor near white."""
    histogram = image.convert("L").histogram()
    return sum(histogram[16:240]) / (image.width * image.height)


def test_a_simple_svg_is_drawn_at_each_size_so_fine_lines_stay_crisp():
    # The 3000 px wide header needs the drawing at 2.93 px a unit; the large avatar takes its
    # middle at exactly 2. Drawn at its own size, each stripe is two whole pixels; resized
    # from the larger drawing, every stripe's edges would be grey.
    presets = [get_preset("avatar-large"), get_preset("mastodon-bluesky-header")]

    avatar, header = render_svg_presets(stripes_svg(), presets, kind="illustration")

    assert (avatar.width, avatar.height, header.width) == (1024, 1024, 3000)
    assert grey_share(open_output(avatar)) < 0.01


# Drawings whose parts are placed against the viewport: each size drawn by itself moves and
# stretches the whole document under them, and they must land where the one drawing has them.
DRAWINGS = {
    "shapes": '<path d="M40 180 L120 20 L200 180 Z" fill="#fac800"/>',
    "a nested viewport": '<svg x="250" y="20" width="120" height="90" viewBox="0 0 10 8">'
    '<circle cx="5" cy="4" r="3" fill="#fac800"/></svg>',
    "a mask and a clip": '<defs><mask id="m"><rect width="400" height="200" fill="#fff"/>'
    '<circle cx="200" cy="100" r="40" fill="#000"/></mask><clipPath id="c">'
    '<circle cx="330" cy="60" r="50"/></clipPath></defs>'
    '<rect x="150" y="20" width="200" height="160" fill="#222" mask="url(#m)"/>'
    '<rect width="400" height="200" fill="#fac800" clip-path="url(#c)"/>',
    "gradients and a turn": '<defs><linearGradient id="g" gradientUnits="userSpaceOnUse" x1="0"'
    ' x2="400"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#0af"/>'
    '</linearGradient></defs><g transform="rotate(20 200 100)"><rect x="120" y="70"'
    ' width="160" height="60" fill="url(#g)"/></g>',
}


@pytest.mark.parametrize("body", DRAWINGS.values(), ids=DRAWINGS.keys())
def test_a_detailed_svg_comes_out_as_the_same_simple_picture_does(body):
    # Past a few elements the drawing is made once and resized (each drawing walks the whole
    # document): the same picture with 200 empty groups, as design tools export, takes that
    # way, and every size must still show the same artwork at the same place.
    simple = imagegen.make_svg(body=body)
    detailed = simple.removesuffix(b"</svg>") + b"<g/>" * 200 + b"</svg>"

    for kind in ("logo", "illustration"):
        drawn = render_svg_presets(simple, PRESETS, kind=kind)
        resized = render_svg_presets(detailed, PRESETS, kind=kind)

        for one, other in zip(drawn, resized, strict=True):
            first, second = open_output(one), open_output(other)
            assert first.size == second.size, one.slug
            difference = ImageStat.Stat(
                ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
            )
            # Under a level on average: the two differ only in how edges are smoothed.
            assert sum(difference.mean) / 3 < 0.75, (kind, one.slug, difference.mean)


def test_the_sizes_drawn_one_by_one_share_the_documents_time_limit():
    # One small shape, but of 40,000 segments: cairosvg reads them in Python for every drawing,
    # so any one size takes about half a second (the largest too) and all 15 about 7 s, over
    # the 2 s (3 s at most, rounded up) allowed for the document, even on a machine twice as
    # fast; a limit per size would let every one of them through.
    segments = "".join(f" L{190 + i % 20} {90 + i * 7 % 20}" for i in range(40_000))
    svg = imagegen.make_svg(body=f'<path d="M190 90{segments}Z" fill="#000"/>')

    (largest,) = render_svg_presets(
        svg, [get_preset("youtube-banner")], kind="illustration", time_limit=2
    )
    every_size = render_svg_presets(svg, PRESETS, kind="illustration", time_limit=2)

    assert isinstance(largest, RenderedImage)
    assert {result.reason for result in every_size} == {
        "too complex: drawing it takes longer than the 2 s time limit"
    }


def test_svg_drawings_in_a_row_share_one_warm_rasterizer():
    render_svg_presets(imagegen.make_svg(), [get_preset("avatar-small")], kind="logo")
    first = rasterizer_pids()

    render_svg_presets(imagegen.make_svg(300, 300), [get_preset("avatar-small")], kind="logo")

    assert len(first) == 1
    assert rasterizer_pids() == first


def test_a_drawing_over_its_time_ends_only_its_own_rasterizer_and_the_next_one_is_drawn():
    render_svg_presets(imagegen.make_svg(), [get_preset("avatar-small")], kind="logo")
    (overrun,) = rasterizer_pids()
    with subprocess.Popen(["sleep", "30"]) as bystander:
        (failed,) = render_svg_presets(
            use_bomb(), [get_preset("avatar-small")], kind="logo", time_limit=1
        )

        assert failed.reason.startswith("too complex")
        assert overrun not in rasterizer_pids()
        assert bystander.poll() is None  # nothing but the drawing's own process was ended
        bystander.kill()
    (drawn,) = render_svg_presets(imagegen.make_svg(), [get_preset("avatar-small")], kind="logo")
    assert isinstance(drawn, RenderedImage)
    assert len(rasterizer_pids() - {overrun}) == 1


def test_a_drawing_cannot_use_a_picture_defined_by_the_drawing_before_it():
    green = Image.new("RGB", (10, 10), (0, 255, 0))
    picture = base64.b64encode(imagegen.to_bytes(green, "PNG").read()).decode()
    earlier = imagegen.make_svg(
        body=f'<defs><image id="pic" href="data:image/png;base64,{picture}" width="400"'
        ' height="200"/></defs><use href="#pic"/>'
    )
    later = imagegen.make_svg(
        body='<use href="#pic"/><image href="#pic" width="400" height="200"/>'
    )
    preset = get_preset("avatar-small")

    (shown,) = render_svg_presets(earlier, [preset], kind="illustration")
    pids = rasterizer_pids()
    (result,) = render_svg_presets(later, [preset], kind="illustration")

    assert close(open_output(shown).getpixel((200, 200)), (0, 255, 0))  # the picture was drawn
    assert rasterizer_pids() == pids  # and the next drawing was made by the same process
    red, green, _ = open_output(result).split()
    pure_green = ImageChops.multiply(
        red.point(lambda v: 255 * (v < 70)), green.point(lambda v: 255 * (v > 200))
    )
    assert pure_green.getbbox() is None  # without it


def test_a_value_the_rasterizer_cannot_parse_is_stored_as_that_in_plain_words():
    svg = imagegen.make_svg(body='<rect width="10" height="10" fill="rgb(1,2)"/>')

    (result,) = render_svg_presets(sanitize_svg(svg), [get_preset("avatar-small")], kind="logo")

    assert isinstance(result, RenderFailure)
    assert result.reason.startswith("the SVG could not be drawn: a value in it is not valid SVG")
    assert "export it as SVG again" in result.reason
    assert "Error" not in result.reason and "too complex" not in result.reason


def test_a_drawing_too_big_for_the_memory_limit_says_so_not_that_it_is_slow():
    # A 30000 px square canvas needs 3.6 GB, over the child's 1 GB address-space limit.
    with pytest.raises(RasterizeFailed, match="needs more than the 1024 MB memory limit"):
        rasterize_svg(parse_svg(imagegen.make_svg()), (30000, 30000), time_limit=1.5)


def test_svg_size_reads_units_and_falls_back_to_the_view_box():
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="1in" height="48pt"/>') == (
        96,
        64,
    )
    assert svg_size(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 300 150"/>'
    ) == (300, 150)
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="200" viewBox="0 0 4 1"/>') == (
        200,
        50,
    )


# --- preset data --------------------------------------------------------------------------


def test_the_built_in_presets_have_unique_slugs_and_sources():
    assert len({preset.slug for preset in PRESETS}) == len(PRESETS)
    assert all(preset.source and preset.advice and preset.version >= 1 for preset in PRESETS)
    assert [preset.slug for preset in PRESETS if preset.overlay] == ["avatar-frame"]


def test_a_duplicate_slug_is_refused_by_name():
    entry = dataclasses.asdict(get_preset("x-header")) | {"checked": "2026-11-25"}

    with pytest.raises(ValueError, match="x-header"):
        parse_presets([entry, entry])


@pytest.mark.parametrize("change", [{"width": 0}, {"format": "GIF"}, {"max_bytes": -1}])
def test_a_malformed_preset_is_refused_by_name(change):
    entry = dataclasses.asdict(get_preset("x-header")) | {"checked": "2026-11-25"} | change

    with pytest.raises(ValueError, match="x-header"):
        parse_presets([entry])


def test_an_unknown_preset_slug_is_a_key_error():
    with pytest.raises(KeyError):
        get_preset("myspace-banner")
