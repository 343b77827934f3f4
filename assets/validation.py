"""The one check every upload passes, from the form, the import command or the API.

Order matters: the bytes must be an allowed format before anything is decoded,
and the size limits are read from the header before the pixels are.
"""

import hashlib
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError
from PIL.ExifTags import Base as ExifTag

from assets.engine import UnsafeSVG, svg_size
from assets.svg_sanitize import sanitize_svg

ALLOWED_FORMATS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}
FORMAT_NAMES = "JPEG, PNG, WebP or SVG"
ROTATED_ORIENTATIONS = {5, 6, 7, 8}


class ImageRefused(ValueError):
    """An upload the portal will not take; the message says why, for a person."""


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int
    byte_size: int
    sha256: str
    # For SVG: the sanitized document, which is what the library keeps.
    clean_svg: bytes | None = None
    # What the artwork looks like it is ("photo", "logo" or "illustration"): a default only.
    kind_guess: str = "photo"


def inspect_image(filename: str, file: BinaryIO) -> ImageFacts:
    """Check an uploaded image and return what the library stores about it.

    Raises ImageRefused with a reason a marketer can act on.
    """
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    byte_size = _byte_size(file)
    if byte_size == 0:
        raise ImageRefused("the file is empty")

    try:
        # Only the allowed decoders ever see the bytes.
        image = Image.open(file, formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError:
        return _inspect_svg(extension, file, byte_size)
    except Image.DecompressionBombError:
        raise ImageRefused(
            "the image declares far too many pixels (a decompression bomb)"
        ) from None
    except (OSError, ValueError) as error:
        raise ImageRefused(f"the image is truncated or damaged ({error})") from None

    # Cameras store extra views (stereo pairs, depth maps) as an MPO: a JPEG whose
    # first image is the photo, and which Pillow's JPEG decoder opens under that name.
    format = "JPEG" if image.format == "MPO" else image.format
    with image:
        if extension not in ALLOWED_FORMATS[format]:
            raise ImageRefused(
                f"the file is a {format} image but its name ends in “.{extension or '(nothing)'}”"
            )
        _check_byte_size(byte_size)
        width, height = image.size
        if width * height > settings.ASSET_MAX_PIXELS:
            raise ImageRefused(
                f"the image is {width}×{height} pixels ({width * height / 1e6:.0f} MP); "
                f"the limit is {settings.ASSET_MAX_PIXELS / 1e6:.0f} MP"
            )
        # An MPO's other frames are views of the same scene, not an animation.
        if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
            raise ImageRefused("animated images are not supported; upload a still image")
        _decode_fully(image)
        if image.getexif().get(ExifTag.Orientation) in ROTATED_ORIENTATIONS:
            width, height = height, width
        kind_guess = guess_kind(image)

    return ImageFacts(
        format=format,
        width=width,
        height=height,
        byte_size=byte_size,
        sha256=_sha256(file),
        kind_guess=kind_guess,
    )


# A picture whose few commonest colours cover this share is flat artwork, not a photo.
FLAT_SHARE = 0.5
# Wider than this (a banner's shape) and mostly flat colour: an illustration at a lower share.
WIDE_ASPECT = 2.5


def guess_kind(image: Image.Image) -> str:
    """Guess the kind of a decoded raster: real transparency means a logo, large areas of flat
    colour an illustration (wide banners more readily), anything else a photo."""
    small = image.copy()
    small.thumbnail((96, 96))
    if "A" in small.getbands() or "transparency" in small.info:
        alpha = small.convert("RGBA").getchannel("A")
        see_through = sum(alpha.histogram()[:250])
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


def _inspect_svg(extension: str, file: BinaryIO, byte_size: int) -> ImageFacts:
    """SVG is text, not pixels: it is parsed by a hardened XML parser and kept sanitized."""
    _check_byte_size(byte_size)
    file.seek(0)
    try:
        clean = sanitize_svg(file.read())
        width, height = svg_size(clean)
    except UnsafeSVG as error:
        if extension == "svg":
            raise ImageRefused(f"the SVG cannot be read safely ({error})") from None
        raise ImageRefused(f"this is not a {FORMAT_NAMES} image") from None
    finally:
        file.seek(0)
    if extension != "svg":
        raise ImageRefused(
            f"the file is an SVG image but its name ends in “.{extension or '(nothing)'}”"
        )
    return ImageFacts(
        format="SVG",
        width=width,
        height=height,
        byte_size=len(clean),
        sha256=hashlib.sha256(clean).hexdigest(),
        clean_svg=clean,
        kind_guess="logo",
    )


def _check_byte_size(byte_size: int) -> None:
    if byte_size > settings.ASSET_MAX_UPLOAD_BYTES:
        raise ImageRefused(
            f"the file is {filesizeformat(byte_size)}; the limit is "
            f"{filesizeformat(settings.ASSET_MAX_UPLOAD_BYTES)}"
        )


def _byte_size(file: BinaryIO) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _decode_fully(image: Image.Image) -> None:
    """Decode every pixel once so truncated or corrupt files are refused now."""
    if image.format in ("JPEG", "MPO"):
        # Decoding at 1/8 scale still reads every byte of the scan, eight times faster.
        image.draft(image.mode, (image.width // 8, image.height // 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as error:
            raise ImageRefused(f"the image is truncated or damaged ({error})") from None


def _sha256(file: BinaryIO) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
