"""The one check every upload passes, from the form, the import command or the API.

Order matters: the byte size first (before the file is read into memory), then the real
format against the allow-list and the extension before anything is decoded, then the pixel
count from the header. JPEG and PNG, the formats of big photos, are checked by their
structure alone (markers, chunk checksums): their pixels are decoded once, by the rendition
engine, not twice.
"""

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError
from PIL.ExifTags import Base as ExifTag

from assets.intake import originals, tiff
from assets.intake.svg_sanitize import sanitize_svg
from assets.renditions.engine import UnsafeSVG, enable_heif, svg_size
from assets.renditions.engine.decode import normalise_mode

ALLOWED_FORMATS = {
    "JPEG": ("jpg", "jpeg"),
    "PNG": ("png",),
    "WEBP": ("webp",),
    "HEIF": ("heic", "heif"),
    "AVIF": ("avif",),
    "TIFF": ("tif", "tiff"),
}
SVG_EXTENSIONS = ("svg", "svgz")
FORMAT_NAMES = "JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG"
ROTATED_ORIENTATIONS = {5, 6, 7, 8}
# Lazy: read at import, shown in the language of the request that meets them.
DAMAGED = gettext_lazy(
    "the image is truncated or damaged; export or copy it again and upload the new file"
)
ILLUSTRATOR = gettext_lazy(
    "This is an Adobe Illustrator file (AI). In Illustrator, use File › Export › Export As… "
    "SVG (or PNG) and upload that"
)


class ImageRefused(ValueError):
    """An upload the portal will not take; the message says why, for a person."""


def wrong_extension(format: str, extension: str) -> str:
    extension = extension or _("(nothing)")
    if format == "SVG":
        return _("the file is an SVG image but its name ends in “.%(extension)s”") % {
            "extension": extension
        }
    return _("the file is a %(format)s image but its name ends in “.%(extension)s”") % {
        "format": format,
        "extension": extension,
    }


def not_an_image() -> str:
    return _("this is not a %(formats)s image") % {"formats": FORMAT_NAMES}


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int
    byte_size: int
    sha256: str
    # What the library keeps when it is not the upload byte for byte: the sanitized SVG, or
    # a raster file without trailing bytes and without location or device metadata.
    clean: bytes | None = None
    # What the artwork looks like it is ("photo", "logo" or "illustration"): a default only.
    # An SVG is always a logo; a raster is guessed only when asked (it costs a decode of its
    # own), and is empty otherwise.
    kind_guess: str = ""


def _decoders() -> list[str]:
    """The allowed formats whose decoder is loaded: HEIF's only once a HEIC file is seen, and
    Pillow fails outright (not "unidentified") when asked for one it does not have."""
    Image.init()
    return [format for format in ALLOWED_FORMATS if format in Image.OPEN]


def inspect_image(filename: str, file: BinaryIO, *, with_kind_guess: bool = False) -> ImageFacts:
    """Check an uploaded image and return what the library stores about it, with a guess of
    its kind if asked for one.

    Raises ImageRefused with a reason a marketer can act on.
    """
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    byte_size = _byte_size(file)
    if byte_size == 0:
        raise ImageRefused(_("the file is empty"))
    _check_byte_size(byte_size)
    data = file.read()
    file.seek(0)
    if refusal := _foreign_format(data, extension):
        raise ImageRefused(refusal)
    if data.startswith(b"\x1f\x8b"):
        return _inspect_svgz(extension, data)
    enable_heif(data[:16])

    try:
        with warnings.catch_warnings():
            # Past the bomb warning's pixel count, the pixel limit below refuses it plainly.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the allowed decoders ever see the bytes.
            image = Image.open(io.BytesIO(data), formats=_decoders())
    except UnidentifiedImageError:
        return _inspect_svg(extension, data)
    except Image.DecompressionBombError:
        raise ImageRefused(
            _("the image declares far too many pixels (a decompression bomb)")
        ) from None
    except ValueError as error:
        if "Decompressed data too large" in str(error):
            raise ImageRefused(
                _(
                    "the image carries a text block that unpacks to far too much data "
                    "(a decompression bomb); export it again without metadata"
                )
            ) from None
        raise ImageRefused(DAMAGED) from None
    except OSError:
        raise ImageRefused(DAMAGED) from None

    # Cameras store extra views (stereo pairs, depth maps) as an MPO: a JPEG whose
    # first image is the photo, and which Pillow's JPEG decoder opens under that name.
    format = "JPEG" if image.format == "MPO" else image.format
    with image:
        if extension not in ALLOWED_FORMATS[format]:
            raise ImageRefused(wrong_extension(format, extension))
        width, height = image.size
        if width * height > settings.ASSET_MAX_PIXELS:
            raise ImageRefused(
                _(
                    "the image is %(width)s×%(height)s pixels (%(megapixels).0f MP); "
                    "the limit is %(limit).0f MP"
                )
                % {
                    "width": width,
                    "height": height,
                    "megapixels": width * height / 1e6,
                    "limit": settings.ASSET_MAX_PIXELS / 1e6,
                }
            )
        _check_frames(image, format)
        clean, exif, decoded = _clean_original(image, format, data)
        # Pillow reports a TIFF's size upright already (it turns the pixels as it loads them).
        if format != "TIFF" and exif.get(ExifTag.Orientation) in ROTATED_ORIENTATIONS:
            width, height = height, width
        kind_guess = guess_kind(decoded) if with_kind_guess else ""
        if decoded is not image:
            decoded.close()

    kept = clean if clean is not None else data
    return ImageFacts(
        format=format,
        width=width,
        height=height,
        byte_size=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        clean=clean,
        kind_guess=kind_guess,
    )


# A picture whose few commonest colours cover this share is flat artwork, not a photo.
FLAT_SHARE = 0.5
# Wider than this (a banner's shape) and mostly flat colour: an illustration at a lower share.
WIDE_ASPECT = 2.5


def guess_kind(image: Image.Image) -> str:
    """Guess the kind of a decoded raster: real transparency means a logo, large areas of flat
    colour an illustration (wide banners more readily), anything else a photo."""
    if image.format == "JPEG":
        # A guess needs no full-size pixels: let the JPEG decoder shrink (a no-op once loaded).
        image.draft("RGB", (384, 384))
    # The engine's own mode conversion, so whatever it renders (16-bit grey, palettes, colour
    # keys) is guessed too, rather than failing here on a mode Pillow cannot shrink.
    small = normalise_mode(image)
    small = small.copy() if small is image else small
    small.thumbnail((96, 96))
    if small.mode in ("RGBA", "RGBa"):
        see_through = sum(small.getchannel(3).histogram()[:250])
        if see_through >= 0.01 * small.width * small.height:
            return "logo"
    # Colours rounded to 32 levels a channel, so JPEG noise on a flat fill counts as one colour.
    rgb = small.convert("RGB").point(lambda value: value // 8 * 8)
    counts = sorted((count for count, _ in rgb.getcolors(96 * 96) or []), reverse=True)
    flat = sum(counts[:8]) / (small.width * small.height)
    wide = image.width / image.height >= WIDE_ASPECT
    if flat >= FLAT_SHARE or (wide and flat >= FLAT_SHARE / 2):
        return "illustration"
    return "photo"


def _check_frames(image: Image.Image, format: str) -> None:
    # An MPO's other frames are views of the same scene, and a HEIC's other images are
    # bursts or edits around the primary one: neither is an animation.
    if image.format in ("MPO", "HEIF"):
        return
    try:
        frames = getattr(image, "n_frames", 1)
    except (OSError, ValueError, TypeError, SyntaxError, EOFError, struct.error):
        # Counting reads every page's directory, which may be broken (no size, no data).
        raise ImageRefused(DAMAGED) from None
    if frames > 1 and format == "TIFF":
        raise ImageRefused(
            _(
                "the TIFF holds %(frames)s pages or layers; save the one you want as a "
                "single-page TIFF or as PNG and upload that"
            )
            % {"frames": frames}
        )
    if frames > 1:
        raise ImageRefused(_("animated images are not supported; upload a still image"))


def _clean_original(
    image: Image.Image, format: str, data: bytes
) -> tuple[bytes | None, Image.Exif, Image.Image]:
    """The bytes to store (None: the upload as it is), the EXIF, and the image to guess the
    kind from (the upload, or the rebuilt TIFF). Raises ImageRefused."""
    if format == "PNG":
        try:
            clean, exif = originals.clean_png(data)
        except (originals.Truncated, originals.Damaged):
            raise ImageRefused(DAMAGED) from None
        return (None if clean == data else clean), exif, image
    exif = image.getexif()
    try:
        if format == "JPEG":
            clean = originals.clean_jpeg(data, exif)
        elif format == "WEBP":
            clean = originals.clean_webp(data, exif)
            _decode_fully(image)
        elif format in ("HEIF", "AVIF"):
            clean = originals.clean_heif(data, exif)
            _decode_fully(image)
        else:
            # TIFF: rebuilt from what its directory points at. The rebuilt file is the one
            # decoded, so what is stored is what was checked (a strip shorter than its rows
            # fails here, not in the worker).
            clean = tiff.clean_tiff(data)
            image = _open_decoded(clean)
    except (originals.Truncated, originals.Damaged):
        raise ImageRefused(DAMAGED) from None
    except originals.Unsupported as error:
        raise ImageRefused(str(error)) from None
    return (None if clean == data else clean), exif, image


def _open_decoded(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # sized already
            image = Image.open(io.BytesIO(data), formats=["TIFF"])
    except (OSError, ValueError, SyntaxError):
        raise ImageRefused(DAMAGED) from None
    _decode_fully(image)
    return image


def _foreign_format(data: bytes, extension: str) -> str | None:
    """A plain refusal for a file that is a known format the library does not take."""
    head = data[:16]
    if head.startswith(b"8BPS"):
        return _("This is a Photoshop file (PSD). Export it as PNG or SVG and upload that")
    if head.startswith(b"%PDF"):
        # Illustrator's own .ai files are PDF inside.
        if extension == "ai":
            return ILLUSTRATOR
        return _("This is a PDF document. Export the artwork as SVG or PNG and upload that")
    if head.startswith((b"%!PS", b"\xc5\xd0\xd3\xc6")):
        if extension == "ai":
            return ILLUSTRATOR  # Illustrator 8 and older wrote PostScript
        return _("This is an EPS (PostScript) file. Export it as SVG or PNG and upload that")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("This is a GIF image. Save it as PNG (a still image) and upload that")
    if head.startswith(b"BM") and len(data) > 18 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        return _("This is a BMP image. Save it as PNG and upload that")
    if head.startswith(b"\x00\x00\x01\x00") and head[4:6] != b"\x00\x00":
        return _("This is an icon file (ICO). Upload the artwork as PNG or SVG instead")
    if head.startswith(b"\xff\xd8\xff"):
        try:
            precision = originals.jpeg_facts(data).precision
        except ValueError:
            return None  # Pillow says what is wrong with it
        if precision != 8:
            return _(
                "This is a %(precision)s-bit JPEG, which browsers and most apps cannot show. "
                "Export it as an ordinary 8-bit JPEG or as PNG and upload that"
            ) % {"precision": precision}
    return None


def _inspect_svgz(extension: str, data: bytes) -> ImageFacts:
    """A gzip-compressed SVG: unpacked within the upload limit, then treated as SVG."""
    if extension not in SVG_EXTENSIONS:
        raise ImageRefused(not_an_image())
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        svg = unpacker.decompress(data, settings.ASSET_MAX_UPLOAD_BYTES + 1)
    except zlib.error:
        raise ImageRefused(_("the compressed SVG (.svgz) is damaged; export it again")) from None
    if len(svg) > settings.ASSET_MAX_UPLOAD_BYTES or unpacker.unconsumed_tail:
        raise ImageRefused(
            _("the compressed SVG unpacks to more than %(limit)s")
            % {"limit": filesizeformat(settings.ASSET_MAX_UPLOAD_BYTES)}
        )
    return _inspect_svg("svg", svg)


def _inspect_svg(extension: str, data: bytes) -> ImageFacts:
    """SVG is text, not pixels: it is parsed by a hardened XML parser and kept sanitized."""
    try:
        clean = sanitize_svg(data)
        width, height = svg_size(clean)
    except UnsafeSVG as error:
        if extension in SVG_EXTENSIONS:
            raise ImageRefused(
                _(
                    "the SVG cannot be read safely: %(error)s. Export it again from the drawing "
                    "tool (as plain SVG) and upload that"
                )
                % {"error": error}
            ) from None
        raise ImageRefused(not_an_image()) from None
    if extension not in SVG_EXTENSIONS:
        raise ImageRefused(wrong_extension("SVG", extension))
    return ImageFacts(
        format="SVG",
        width=width,
        height=height,
        byte_size=len(clean),
        sha256=hashlib.sha256(clean).hexdigest(),
        clean=clean,
        kind_guess="logo",
    )


def _check_byte_size(byte_size: int) -> None:
    if byte_size > settings.ASSET_MAX_UPLOAD_BYTES:
        raise ImageRefused(
            _("the file is %(size)s; the limit is %(limit)s")
            % {
                "size": filesizeformat(byte_size),
                "limit": filesizeformat(settings.ASSET_MAX_UPLOAD_BYTES),
            }
        )


def _byte_size(file: BinaryIO) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _decode_fully(image: Image.Image) -> None:
    """Decode every pixel once so truncated or corrupt files are refused now.

    Only for the formats whose structure cannot be checked without decoding.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
            raise ImageRefused(DAMAGED) from None


FRAME_NEEDS_A_HOLE = gettext_lazy(
    "a profile frame needs a see-through middle where the person's photo shows, and this image "
    "is opaque there; upload a PNG (or SVG) with a transparent centre, or choose another kind"
)


def check_frame(file: BinaryIO) -> None:
    """Refuse a raster frame overlay whose middle is not transparent.

    The browser finds the hole from the alpha channel; with none there, the person's photo would
    be hidden. An SVG's hole is only known once it is drawn, so the browser alone checks those.
    """
    file.seek(0)
    try:
        image = Image.open(file, formats=_decoders())
    except UnidentifiedImageError:
        return  # SVG, checked already by the upload validation
    finally:
        file.seek(0)
    with image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            raise ImageRefused(FRAME_NEEDS_A_HOLE)
        image.thumbnail((128, 128))
        alpha = image.convert("RGBA").getchannel("A")
    file.seek(0)
    if alpha.getpixel((alpha.width // 2, alpha.height // 2)) >= 128:
        raise ImageRefused(FRAME_NEEDS_A_HOLE)
