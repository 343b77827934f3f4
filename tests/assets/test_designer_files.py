"""Files marketing teams really have, made at test time, through the upload page and import_assets.

Each is rendered right (upright, its colours where they belong, transparency kept, nothing
clipped) or refused in plain words naming the format and the fix. The stored original of a
photo keeps its pixels, ICC profile and orientation, and loses trailing bytes and location
or device metadata.
"""

import base64
import functools
import gzip
import html
import io
import struct
from dataclasses import dataclass

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from assets.models import Asset, Rendition
from assets.renditions.engine import plan_preset
from assets.renditions.presets import get_preset
from tests.assets.imagegen import linear_srgb_profile, make_tiff16, to_bytes
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

RED, GREEN, BLUE, YELLOW = (220, 30, 30), (30, 160, 60), (30, 60, 200), (240, 200, 40)
KEY = (255, 0, 255)  # the colour a colour-keyed PNG marks transparent
WIDE = "x-header"  # a JPEG size
SQUARE = "avatar-large"  # a PNG profile photo
ORIENTATION, GPS_IFD, EXIF_IFD, MAKER_NOTE, BODY_SERIAL = 0x0112, 0x8825, 0x8769, 0x927C, 0xA431
MAKE, COPYRIGHT, OWNER, LENS_SERIAL, GPS_AREA = 0x010F, 0x8298, 0xA430, 0xA435, 0x001C
XMP, IPTC, PHOTOSHOP, DNG_SERIAL, ICC = 700, 33723, 34377, 50735, 34675
DAMAGED = "the image is truncated or damaged; export or copy it again"
# The stored file's rotation that exif_transpose undoes for each orientation.
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def quadrants(mode: str = "RGB", *, corner: tuple | None = None) -> Image.Image:
    """120x80, upright: red, green / blue, yellow; ``corner`` paints the top-left 8x8."""
    image = Image.new("RGB", (120, 80), YELLOW)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 59, 39), fill=RED)
    draw.rectangle((60, 0, 119, 39), fill=GREEN)
    draw.rectangle((0, 40, 59, 79), fill=BLUE)
    if corner is not None:
        draw.rectangle((0, 0, 7, 7), fill=corner)
    return image.convert(mode)


def stored(image: Image.Image, orientation: int) -> Image.Image:
    turn = STORED_AS[orientation]
    return image if turn is None else image.transpose(turn)


def exif_bytes(orientation: int, *, private: bool = False) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x8298] = "Example Brand"
    if private:
        exif[0x010F], exif[0x0110] = "PhoneMaker", "Phone 15"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.0)})
        exif.get_ifd(EXIF_IFD).update({BODY_SERIAL: "SN-4711", MAKER_NOTE: b"maker secrets"})
    return exif.tobytes()


def illustrator_svg(*, compressed: bool = False) -> bytes:
    """What Illustrator's Save As SVG writes: DOCTYPE, namespace entities, a class style with
    an embedded font, a hidden private-data switch, and an embedded JPEG."""
    jpeg = base64.b64encode(to_bytes(Image.new("RGB", (8, 8), YELLOW), "JPEG").getvalue())
    svg = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 28.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0) -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
  <!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">
  <!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">
  <!ENTITY ns_svg "http://www.w3.org/2000/svg">
  <!ENTITY ns_xlink "http://www.w3.org/1999/xlink">
]>
<svg version="1.1" xmlns:x="&ns_extend;" xmlns:i="&ns_ai;" xmlns="&ns_svg;"
  xmlns:xlink="&ns_xlink;" x="0px" y="0px" width="120px" height="80px" viewBox="0 0 120 80">
<style type="text/css">
  @font-face {{font-family: "Brand"; src: url("data:font/woff2;base64,d09GMgABAAAAAA==");}}
  .st0{{fill:#DC1E1E;}} .st1{{fill:#1EA03C;}} .st2{{fill:#1E3CC8;}}
</style>
<switch>
  <foreignObject requiredExtensions="&ns_ai;" x="0" y="0" width="1" height="1"/>
  <g i:extraneous="self">
    <rect class="st0" width="60" height="40"/><rect class="st1" x="60" width="60" height="40"/>
    <rect class="st2" y="40" width="60" height="40"/>
    <image x="60" y="40" width="60" height="40" preserveAspectRatio="none"
      xlink:href="data:image/jpg;base64,{jpeg.decode()}"/>
  </g>
</switch>
</svg>""".encode()
    return gzip.compress(svg) if compressed else svg


_QUADRANT_RECTS = (
    '<rect width="60" height="40" style="fill:#dc1e1e"/>'
    '<rect x="60" width="60" height="40" style="fill:#1ea03c"/>'
    '<rect y="40" width="60" height="40" style="fill:#1e3cc8"/>'
    '<rect x="60" y="40" width="60" height="40" style="fill:#f0c828"/>'
)


def affinity_svg() -> bytes:
    """What Affinity Designer and Illustrator CS6 write: the SVG 1.1 DOCTYPE (an external DTD
    named, never fetched), xml:space, percentage sizes and the editor's own namespace."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg width="100%" height="100%" viewBox="0 0 120 80" version="1.1"
  xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  xml:space="preserve" xmlns:serif="http://www.serif.com/"
  style="fill-rule:evenodd;clip-rule:evenodd;stroke-linejoin:round;stroke-miterlimit:2;">
  <g id="Artboard1" serif:id="Artboard 1">{_QUADRANT_RECTS}</g>
</svg>""".encode()


def inkscape_svg() -> bytes:
    """What Inkscape writes: millimetre units, its own namespaces and a named view, RDF
    metadata, and a layer with a transform."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="31.75mm" height="21.166667mm" viewBox="0 0 120 80" version="1.1" id="svg5"
  inkscape:version="1.3 (0e150ed6c4, 2023-07-21)" sodipodi:docname="logo.svg"
  xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
  xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
  xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" inkscape:document-units="mm"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""/></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1" transform="translate(0,0)">
    {_QUADRANT_RECTS}
  </g>
</svg>""".encode()


def figma_svg() -> bytes:
    """What Figma's export writes: no XML declaration, fill="none" on the root, a clip path."""
    return f"""<svg width="120" height="80" viewBox="0 0 120 80" fill="none"
  xmlns="http://www.w3.org/2000/svg">
<g clip-path="url(#clip0_12_34)">{_QUADRANT_RECTS}</g>
<defs><clipPath id="clip0_12_34"><rect width="120" height="80" fill="white"/></clipPath></defs>
</svg>""".encode()


def heif_bytes(
    fmt: str, image: Image.Image, orientation: int, *, private: bool = False, **options
) -> bytes:
    if fmt == "HEIF":
        # Pillow writes AVIF itself; HEIC needs pillow-heif's plugin, which the engine
        # loads only when it meets a HEIC file.
        pillow_heif.register_heif_opener()
    exif = exif_bytes(orientation, private=private)
    return to_bytes(stored(image, orientation), fmt, exif=exif, **options).read()


# --- TIFF as designers and cameras write it ---------------------------------------------------

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
# What no stored TIFF may carry: every string planted below, in every kind of block.
SECRETS = (
    b"PhoneMaker", b"DNG-SN-1234", b"xmp-secret", b"iptc-secret", b"ps-secret",
    b"maker secrets", b"SN-4711", b"LENS-0815", b"Jane Owner", b"gps-home",
)  # fmt: skip


def tiff_private(orientation: int, icc: bytes | None) -> tuple[dict, dict, dict]:
    """A camera's or a design tool's TIFF metadata: the image directory's tags, the Exif
    directory's and the GPS directory's."""
    tags = {
        ORIENTATION: orientation,
        COPYRIGHT: "Example Brand",
        MAKE: "PhoneMaker",
        XMP: b'<x:xmpmeta xmlns:x="adobe:ns:meta/">xmp-secret</x:xmpmeta>',
        IPTC: b"\x1c\x02\x05\x00\x0biptc-secret",
        PHOTOSHOP: b"8BIM\x04\x04\x00\x00\x00\x00\x00\x09ps-secret\x00",
        DNG_SERIAL: "DNG-SN-1234",
    }
    if icc is not None:
        tags[ICC] = icc
    exif = {
        MAKER_NOTE: b"maker secrets",
        BODY_SERIAL: "SN-4711",
        LENS_SERIAL: "LENS-0815",
        OWNER: "Jane Owner",
    }
    gps = {
        1: "N",
        2: ((52, 1), (22, 1), (15, 10)),
        3: "E",
        4: ((4, 1), (53, 1), (2, 1)),
        GPS_AREA: b"ASCII\0\0\0gps-home",
    }
    return tags, exif, gps


def pillow_tiff(
    mode: str, *, sub_directories: bool = True, rows_per_strip: int | None = None, **options
) -> bytes:
    """An 8-bit TIFF as Pillow writes it (little-endian), turned (orientation 6), with an ICC
    profile for RGB. libtiff, which writes compressed TIFFs, cannot write Exif or GPS
    directories: ``sub_directories=False`` leaves them out."""
    icc = SRGB if mode == "RGB" else None
    tags, exif_tags, gps = tiff_private(6, icc)
    exif = Image.Exif()
    exif.update({tag: value for tag, value in tags.items() if tag != ICC})
    if rows_per_strip is not None:
        exif[278] = rows_per_strip
    if sub_directories:
        exif.get_ifd(EXIF_IFD).update(exif_tags)
        exif.get_ifd(GPS_IFD).update(
            {
                tag: tuple(IFDRational(*pair) for pair in value) if tag in (2, 4) else value
                for tag, value in gps.items()
            }
        )
    if icc is not None:
        options["icc_profile"] = icc
    return to_bytes(stored(quadrants(mode), 6), "TIFF", exif=exif, **options).read()


def deep_tiff(mode: str, *, big_endian: bool, **options) -> bytes:
    """A 16-bit TIFF as print tools export it, turned (orientation 6), with all the metadata."""
    tags, exif, gps = tiff_private(6, SRGB if mode == "RGB" else None)
    image = stored(quadrants(mode), 6)
    return make_tiff16(image, big_endian=big_endian, tags=tags, exif=exif, gps=gps, **options)


TIFFS = {
    "tiff-8-bit-rgb-strips": lambda: pillow_tiff("RGB", rows_per_strip=16),
    "tiff-8-bit-cmyk": lambda: pillow_tiff("CMYK"),
    "tiff-8-bit-rgb-lzw": lambda: pillow_tiff(
        "RGB", sub_directories=False, compression="tiff_lzw", strip_size=4096
    ),
    "tiff-8-bit-cmyk-deflate": lambda: pillow_tiff(
        "CMYK", sub_directories=False, compression="tiff_adobe_deflate"
    ),
    "tiff-8-bit-rgb-jpeg": lambda: pillow_tiff(
        "RGB", sub_directories=False, compression="jpeg", strip_size=4096
    ),
    "bigtiff-8-bit-rgb-strips": lambda: pillow_tiff("RGB", big_tiff=True, rows_per_strip=32),
    "tiff-16-bit-rgb-little-endian": lambda: deep_tiff("RGB", big_endian=False),
    "tiff-16-bit-rgb-big-endian": lambda: deep_tiff("RGB", big_endian=True),
    "tiff-16-bit-rgb-big-endian-tiles": lambda: deep_tiff("RGB", big_endian=True, tile=32),
    "tiff-16-bit-cmyk-big-endian": lambda: deep_tiff("CMYK", big_endian=True),
}


def tiff_entry_field(data: bytes, tag: int) -> int:
    """Where the value field of ``tag`` lies in a classic TIFF's first directory."""
    order = "<" if data[:2] == b"II" else ">"
    (at,) = struct.unpack_from(order + "I", data, 4)
    (count,) = struct.unpack_from(order + "H", data, at)
    for index in range(count):
        entry = at + 2 + 12 * index
        if struct.unpack_from(order + "H", data, entry)[0] == tag:
            return entry + 8
    raise LookupError(tag)


def damaged_tiff(damage: str) -> bytes:
    data = bytearray(deep_tiff("RGB", big_endian=damage == "profile-past-end"))
    order = "<" if data[:2] == b"II" else ">"
    if damage == "directory-loop":  # the image directory names itself as the next one
        (count,) = struct.unpack_from("<H", data, 8)
        struct.pack_into("<I", data, 8 + 2 + 12 * count, 8)
    elif damage == "profile-past-end":
        struct.pack_into(order + "I", data, tiff_entry_field(data, ICC), len(data) + 4096)
    elif damage == "pixels-past-end":
        struct.pack_into(order + "I", data, tiff_entry_field(data, 279), len(data))
    elif damage == "cut-short":
        del data[len(data) // 2 :]
    return bytes(data)


def old_style_jpeg_tiff() -> bytes:
    """A TIFF that says compression 6, the JPEG-in-TIFF that nothing has written since 1995."""
    data = bytearray(to_bytes(quadrants(), "TIFF").read())
    struct.pack_into("<H", data, tiff_entry_field(data, 259), 6)
    return bytes(data)


@dataclass(frozen=True)
class Designer:
    id: str
    filename: str
    data: bytes
    kind: str = "logo"
    refused: str | None = None
    transparent_corner: bool = False
    colour: tuple | None = None  # a flat source: the colour every size must show
    tolerance: int = 24
    size: tuple[int, int] = (120, 80)


def _flat(colour, **options) -> bytes:
    return to_bytes(Image.new("RGB", (60, 40), colour), "PNG", **options).read()


def _keyed_grey() -> bytes:
    image = Image.new("L", (60, 40), 90)
    image.paste(0, (0, 0, 8, 8))
    return to_bytes(image, "PNG", transparency=0).read()


def _twelve_bit_jpeg() -> bytes:
    data = bytearray(to_bytes(quadrants(), "JPEG").read())
    sof = data.index(b"\xff\xc0")
    data[sof + 4] = 12
    return bytes(data)


def corpus() -> list[Designer]:
    items = [
        Designer(
            f"jpeg-orientation-{o}",
            f"turned-{o}.jpg",
            to_bytes(stored(quadrants(), o), "JPEG", quality=95, exif=exif_bytes(o)).read(),
        )
        for o in range(1, 9)
    ]
    items += [
        Designer("heic-phone-photo", "IMG_0001.HEIC", heif_bytes("HEIF", quadrants(), 6)),
        Designer("avif-export", "export.avif", heif_bytes("AVIF", quadrants(), 6, quality=90)),
        Designer("tiff-8-bit-rgb", "print.tif", to_bytes(quadrants(), "TIFF").read()),
        Designer(
            "tiff-8-bit-cmyk",
            "print-cmyk.tiff",
            to_bytes(quadrants("CMYK"), "TIFF", compression="tiff_lzw").read(),
            tolerance=60,  # naive CMYK, no profile: only the hues are checked
        ),
        Designer("tiff-16-bit-rgb", "deep.tif", make_tiff16(quadrants())),
        Designer("tiff-16-bit-cmyk", "deep-cmyk.tif", make_tiff16(quadrants("CMYK")), tolerance=60),
        # Turned, with an ICC profile (RGB), GPS, serials, maker notes, XMP, IPTC, Photoshop.
        *(
            Designer(f"{name}-turned-with-metadata", "print.tif", build(), tolerance=tolerance)
            for name, build in TIFFS.items()
            for tolerance in [60 if "cmyk" in name else 24]
        ),
        Designer(
            "png-rgb-colour-key",
            "keyed.png",
            to_bytes(quadrants(corner=KEY), "PNG", transparency=KEY).read(),
            transparent_corner=True,
        ),
        Designer(
            "png-grey-colour-key",
            "keyed-grey.png",
            _keyed_grey(),
            transparent_corner=True,
            colour=(90, 90, 90),
            tolerance=4,
            size=(60, 40),
        ),
        Designer(
            "png-linear-profile-named-srgb",
            "linear.png",
            _flat((128, 128, 128), icc_profile=linear_srgb_profile()),
            colour=(188, 188, 188),  # linear 0.5 is sRGB 188
            tolerance=4,
            size=(60, 40),
        ),
        Designer("svg-illustrator", "logo.svg", illustrator_svg()),
        Designer("svgz-illustrator", "logo.svgz", illustrator_svg(compressed=True)),
        Designer("svg-affinity-or-cs6", "logo-affinity.svg", affinity_svg()),
        Designer("svg-inkscape", "logo-inkscape.svg", inkscape_svg()),
        Designer("svg-figma", "logo-figma.svg", figma_svg()),
        # Refused, naming the format and what to do.
        Designer(
            "psd",
            "layers.psd",
            b"8BPS\x00\x01" + bytes(20),
            refused="This is a Photoshop file (PSD). Export it as PNG or SVG and upload that",
        ),
        Designer(
            "pdf",
            "logo.pdf",
            to_bytes(quadrants(), "PDF").read(),
            refused="This is a PDF document. Export the artwork as SVG or PNG",
        ),
        Designer(
            "ai",
            "logo.ai",
            to_bytes(quadrants(), "PDF").read(),
            refused="This is an Adobe Illustrator file (AI).",
        ),
        Designer(
            "eps",
            "logo.eps",
            to_bytes(quadrants(), "EPS").read(),
            refused="This is an EPS (PostScript) file. Export it as SVG or PNG",
        ),
        Designer(
            "gif",
            "logo.gif",
            to_bytes(quadrants(), "GIF").read(),
            refused="This is a GIF image. Save it as PNG",
        ),
        Designer(
            "bmp",
            "logo.bmp",
            to_bytes(quadrants(), "BMP").read(),
            refused="This is a BMP image. Save it as PNG",
        ),
        Designer(
            "ico",
            "favicon.ico",
            to_bytes(quadrants(), "ICO").read(),
            refused="This is an icon file (ICO). Upload the artwork as PNG or SVG",
        ),
        Designer(
            "jpeg-12-bit",
            "scan.jpg",
            _twelve_bit_jpeg(),
            refused="This is a 12-bit JPEG, which browsers and most apps cannot show",
        ),
        *(
            Designer(f"tiff-{damage}", "print.tif", damaged_tiff(damage), refused=DAMAGED)
            for damage in ("directory-loop", "profile-past-end", "pixels-past-end", "cut-short")
        ),
        Designer(
            "tiff-old-style-jpeg",
            "old.tif",
            old_style_jpeg_tiff(),
            refused="This TIFF uses the old-style JPEG compression that today's apps no longer "
            "write. Save it again as TIFF with LZW or ZIP compression, or as PNG",
        ),
        Designer(
            "svg-malformed-viewbox",
            "broken.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 abc 10"/>',
            refused="its viewBox (“0 0 abc 10”) is not four numbers",
        ),
    ]
    return items


CORPUS = corpus()
ACCEPTED = [item for item in CORPUS if item.refused is None]


def close(colour, expected, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected[:3], strict=True))


def _sample(picture: Image.Image, plan, fx: float, fy: float) -> tuple:
    """The rendered pixel at fractions of the artwork's own box on the canvas."""
    (left, top), (width, height) = plan.position, plan.size
    return picture.getpixel((int(left + fx * width), int(top + fy * height)))


def assert_rendered_right(asset: Asset, item: Designer) -> None:
    assert (asset.width, asset.height) == item.size
    for slug in (WIDE, SQUARE):
        rendition = asset.current_renditions().get(preset=slug)
        assert rendition.status == Rendition.Status.READY, rendition.error
        with rendition.file.open("rb") as file, Image.open(file) as image:
            picture = image.convert("RGBA")
        plan = plan_preset(get_preset(slug), (asset.width, asset.height), asset.kind, 0.5, 0.5)
        left, top = plan.position
        at = functools.partial(_sample, picture, plan)
        if item.colour:
            assert close(at(0.5, 0.5), item.colour, item.tolerance), at(0.5, 0.5)
        else:
            # Upright and unclipped: each quadrant's colour near each corner of the artwork.
            for fx, fy, colour in ((0.12, 0.2, RED), (0.88, 0.12, GREEN), (0.12, 0.88, BLUE)):
                assert close(at(fx, fy), colour, item.tolerance), (slug, fx, fy, at(fx, fy))
            assert close(at(0.88, 0.88), YELLOW, item.tolerance), (slug, at(0.88, 0.88))
        if item.transparent_corner:
            corner = picture.getpixel((left + 1, top + 1))
            # A profile photo too: platforms' dark modes would lose a mark on transparency.
            assert close(corner, (255, 255, 255, 255), 8)  # white, never black or magenta


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.id)
def test_the_upload_page_renders_it_right_or_refuses_it_in_plain_words(
    client, marketer, item, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/library/upload/",
            {"files": [SimpleUploadedFile(item.filename, item.data)], "kind": item.kind},
        )
    if item.refused:
        assert response.status_code == 200
        assert item.refused in html.unescape(response.content.decode())
        assert not Asset.objects.exists()
        return
    assert response.status_code == 302, html.unescape(response.content.decode())[-3000:]
    assert_rendered_right(Asset.objects.get(), item)


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.id)
def test_import_assets_adds_it_or_refuses_it_in_plain_words(item, tmp_path, import_assets_run):
    path = tmp_path / item.filename
    path.write_bytes(item.data)
    output, status = import_assets_run(path, f"--kind={item.kind}")
    if item.refused:
        assert (status, item.refused in output) == (1, True), output
        return
    assert (status, output.split()[0]) == (0, "ok"), output
    assert Asset.objects.get().format in {"JPEG", "PNG", "HEIF", "AVIF", "TIFF", "SVG"}


# --- the stored original -----------------------------------------------------------------


def upload_and_read_back(client, marketer, filename: str, data: bytes) -> tuple[Asset, bytes]:
    client.force_login(marketer)
    response = client.post(
        "/library/upload/", {"files": [SimpleUploadedFile(filename, data)], "kind": "photo"}
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]
    asset = Asset.objects.get()
    with asset.original.open("rb") as file:
        return asset, file.read()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def test_a_jpeg_keeps_its_pixels_profile_and_orientation_but_not_its_location_or_serial(
    client, marketer
):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = to_bytes(
        stored(quadrants(), 6),
        "JPEG",
        quality=90,
        exif=exif_bytes(6, private=True),
        icc_profile=icc,
    ).read()

    asset, kept = upload_and_read_back(client, marketer, "IMG_1234.jpg", data)

    with Image.open(io.BytesIO(kept)) as image:
        exif = image.getexif()
        assert image.info["icc_profile"] == icc
    assert exif[ORIENTATION] == 6 and exif[0x8298] == "Example Brand"
    assert exif.get_ifd(GPS_IFD) == {} and 0x010F not in exif
    assert b"SN-4711" not in kept and b"maker secrets" not in kept
    assert pixels(kept) == pixels(data)  # the scan was not re-encoded
    assert (asset.width, asset.height, asset.byte_size) == (120, 80, len(kept))


def test_a_jpeg_polyglot_is_kept_without_what_follows_its_end(client, marketer):
    photo = to_bytes(quadrants(), "JPEG").read()
    payload = b"PK\x03\x04<script>alert(1)</script>"

    _, kept = upload_and_read_back(client, marketer, "poly.jpg", photo + payload)

    assert kept.endswith(b"\xff\xd9") and payload not in kept
    assert pixels(kept) == pixels(photo)


def test_a_png_polyglot_ends_at_iend_and_loses_its_location(client, marketer):
    png = to_bytes(quadrants(), "PNG", exif=exif_bytes(1, private=True)).read()
    payload = b"<html><script>alert(1)</script></html>"

    _, kept = upload_and_read_back(client, marketer, "poly.png", png + payload)

    assert kept.endswith(b"IEND\xaeB`\x82") and payload not in kept
    assert b"SN-4711" not in kept and b"PhoneMaker" not in kept
    assert pixels(kept) == pixels(png)


def test_a_webp_polyglot_ends_at_its_riff_length(client, marketer):
    webp = to_bytes(quadrants(), "WEBP", lossless=True, exif=exif_bytes(1, private=True)).read()

    _, kept = upload_and_read_back(client, marketer, "poly.webp", webp + b"<script>x</script>")

    assert int.from_bytes(kept[4:8], "little") + 8 == len(kept)
    assert b"<script>" not in kept and b"SN-4711" not in kept
    assert pixels(kept) == pixels(webp)


def test_a_heic_photo_loses_its_location_and_keeps_its_pixels(client, marketer):
    data = heif_bytes("HEIF", quadrants(), 1, private=True)

    asset, kept = upload_and_read_back(client, marketer, "IMG_0002.heic", data)

    with Image.open(io.BytesIO(kept)) as image:
        assert image.getexif().get_ifd(GPS_IFD) == {}
    assert b"SN-4711" not in kept and len(kept) == len(data)
    assert pixels(kept) == pixels(data)
    assert asset.original.name.endswith(".heic")


def test_a_heic_original_downloads_as_heic_and_previews_through_a_rendered_size(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/library/upload/",
            {
                "files": [SimpleUploadedFile("IMG_0003.heic", heif_bytes("HEIF", quadrants(), 1))],
                "kind": "photo",
            },
        )
    asset = Asset.objects.get()

    original = client.get(reverse("assets:original", args=[asset.slug]))
    preview = client.get(reverse("assets:preview", args=[asset.slug]))

    assert original["Content-Type"] == "image/heic"
    assert original["Content-Disposition"].startswith("attachment;")
    assert preview["Content-Type"] in {"image/png", "image/jpeg"}  # browsers cannot show HEIC


def decoded(data: bytes) -> tuple:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


def pixel_data(data: bytes) -> list[bytes]:
    """A TIFF's strips or tiles, as they lie in the file: its pixels before any decoding."""
    with Image.open(io.BytesIO(data)) as image:
        tiled = 324 in image.tag_v2
        offsets, lengths = image.tag_v2[324 if tiled else 273], image.tag_v2[325 if tiled else 279]
    return [data[at : at + length] for at, length in zip(offsets, lengths, strict=True)]


def assert_a_clean_tiff(kept: bytes, upload: bytes, *, icc: bytes | None) -> None:
    """Pixels, profile and orientation kept byte for byte; no location, serial or XMP."""
    with Image.open(io.BytesIO(kept)) as image:
        # Read before loading: Pillow turns a TIFF upright as it loads it.
        tags, exif = dict(image.tag_v2), image.getexif()
        assert image.info.get("icc_profile") == icc
    assert tags[ORIENTATION] == 6 and tags[COPYRIGHT] == "Example Brand"
    assert exif.get_ifd(GPS_IFD) == {} and exif.get_ifd(EXIF_IFD) == {}
    assert not {GPS_IFD, EXIF_IFD, XMP, IPTC, PHOTOSHOP, DNG_SERIAL, MAKE} & set(tags)
    assert [secret for secret in SECRETS if secret in kept] == []
    assert pixel_data(kept) == pixel_data(upload)  # the strips or tiles, byte for byte
    assert decoded(kept) == decoded(upload)


@pytest.mark.parametrize("name", TIFFS)
def test_a_tiff_keeps_its_pixels_profile_and_orientation_but_not_its_location_or_serials(
    client, marketer, name
):
    data = TIFFS[name]()
    planted = [secret for secret in SECRETS if secret in data]
    assert len(planted) >= 5, planted  # libtiff writes no Exif or GPS directories

    asset, kept = upload_and_read_back(client, marketer, "print.tif", data)

    assert_a_clean_tiff(kept, data, icc=None if "cmyk" in name else SRGB)
    assert kept[:4] == data[:4]  # the same byte order and flavour (BigTIFF stays BigTIFF)
    assert (asset.width, asset.height, asset.byte_size) == (120, 80, len(kept))


@pytest.mark.parametrize("name", ["tiff-8-bit-cmyk", "tiff-16-bit-rgb-big-endian-tiles"])
def test_import_assets_stores_a_tiff_without_its_location_or_serials(
    name, tmp_path, import_assets_run
):
    data = TIFFS[name]()
    path = tmp_path / "print.tif"
    path.write_bytes(data)

    output, status = import_assets_run(path, "--kind=photo")

    assert (status, output.split()[0]) == (0, "ok"), output
    with Asset.objects.get().original.open("rb") as file:
        assert_a_clean_tiff(file.read(), data, icc=None if "cmyk" in name else SRGB)


def test_a_new_version_stores_a_tiff_without_its_location_or_serials(client, marketer):
    asset = make_asset(title="Print", uploaded_by=marketer)
    data = TIFFS["tiff-16-bit-rgb-little-endian"]()
    client.force_login(marketer)

    response = client.post(
        f"/library/{asset.slug}/new-version/",
        {"file": SimpleUploadedFile("print-v2.tif", data)},
    )

    assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]
    asset.refresh_from_db()
    assert asset.format == "TIFF"
    with asset.original.open("rb") as file:
        assert_a_clean_tiff(file.read(), data, icc=SRGB)


def test_a_tiff_polyglot_keeps_nothing_its_directory_does_not_point_at(client, marketer):
    payload = b"PK\x03\x04<html><script>alert(1)</script></html>"
    tiff = deep_tiff("RGB", big_endian=True, tile=32, unreferenced=payload)

    _, kept = upload_and_read_back(client, marketer, "poly.tif", tiff + payload)

    assert payload in tiff and b"<script>" not in kept and b"PK\x03\x04" not in kept
    assert pixel_data(kept) == pixel_data(tiff)
    assert decoded(kept) == decoded(tiff)
