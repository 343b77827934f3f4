"""Decoding and colour: open the source, read its orientation, bring it to a few modes, sRGB."""

import io
import math
from functools import cache, lru_cache
from typing import BinaryIO

from PIL import ExifTags, Image, ImageCms, JpegImagePlugin

from assets.renditions.engine.results import RenderError

# ISO base media brands of HEIC/HEIF stills and sequences (AVIF is Pillow's own plugin).
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

DECODE_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)

TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def enable_heif(head: bytes) -> None:
    """Register pillow-heif's opener if ``head`` starts a HEIC/HEIF file.

    Only then: loading libheif costs every worker 9 MB of memory. The opener applies the
    file's rotation itself and reports an upright orientation; thumbnails and depth maps are
    never needed.
    """
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        import pillow_heif

        pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def open_image(source: BinaryIO) -> Image.Image:
    enable_heif(source.read(16))
    source.seek(0)
    try:
        return Image.open(source)
    except DECODE_ERRORS as exc:
        raise RenderError(f"cannot read the image: {exc}") from exc


def stores_half_colour(image: Image.Image) -> bool:
    """Whether ``image`` is a JPEG keeping its colour at half size (4:2:0 YCbCr), as cameras
    and phones write them."""
    return (
        image.format in ("JPEG", "MPO")
        and image.mode == "RGB"
        and JpegImagePlugin.get_sampling(image) == 2
        # Adobe's transform 0 means the three channels are R, G and B, not luma and colour.
        and image.info.get("adobe_transform") != 0
    )


def load_luma(source: BinaryIO) -> Image.Image:
    """The full-size luma (brightness) of a colour JPEG, as L: decoding it skips the colour."""
    source.seek(0)
    luma = open_image(source)
    luma.draft("L", None)
    load(luma)
    return luma


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8) still to apply, 1 when missing or nonsense.

    Pillow turns a TIFF upright itself as it loads it, and reports its size upright before:
    turning it again would put it on its side.
    """
    if image.format == "TIFF":
        return 1
    value = image.getexif().get(ExifTags.Base.Orientation, 1)
    return value if value in TRANSPOSE else 1


def load(image: Image.Image) -> None:
    try:
        image.load()
    except DECODE_ERRORS as exc:
        raise RenderError(f"cannot decode the image: {exc}") from exc


def normalise_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB, CMYK, RGBA or premultiplied RGBa (an SVG's drawing).

    RGBA stays as decoded: ``shrink`` premultiplies it (Pillow premultiplies the whole image
    on every RGBA resize call, whatever the box, which dominated the cost of logos).
    """
    mode = image.mode
    if mode in ("1", "L", "RGB") and "transparency" in image.info:
        # A colour key (PNG tRNS, as optipng writes, and 1-bit logos with a clear background):
        # that colour is transparent.
        return image.convert("RGBA")
    if mode in ("L", "RGB", "CMYK", "RGBA", "RGBa"):
        return image
    if mode == "1":
        return image.convert("L")  # black and white: a byte a pixel, not three
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode.startswith("I"):
        low, high = image.getextrema()
        if high > 255:
            # 16-bit samples: scale instead of clipping everything above 255 to white.
            image = image.convert("I").point(lambda v: v * (1 / 257))
        return image.convert("L")
    if mode in ("LA", "PA", "La"):
        return image.convert("RGBA")
    return image.convert("RGB")


# Rows ``shrink`` premultiplies at a time: about this many bytes, which stay in the cache.
_BAND_BYTES = 1 << 20


def shrink(image: Image.Image, factor: int) -> Image.Image:
    """``image`` reduced by ``factor`` (1: as it is), an RGBA one premultiplied (RGBa) as well.

    RGBA is premultiplied a band of rows at a time, each reduced at once: the full-size
    premultiplied copy is never made (64 MB for a 16 MP logo, as long to allocate as to fill,
    and read back from memory to reduce). Each block of ``factor`` rows lies in one band, so
    the result is the same as reducing the whole premultiplied image.
    """
    if image.mode != "RGBA":
        return image.reduce(factor) if factor > 1 else image
    if factor == 1:
        return image.convert("RGBa")
    width, height = image.size
    shrunk = Image.new("RGBa", (math.ceil(width / factor), math.ceil(height / factor)))
    # Transparent pixels premultiply to zeros, as the new image already is: only the box of
    # the visible ones is worked on (a logo's margin), widened to whole blocks.
    left, top, right, bottom = image.getbbox() or (0, 0, 0, 0)
    left, top = left - left % factor, top - top % factor
    right = min(width, math.ceil(right / factor) * factor)
    bottom = min(height, math.ceil(bottom / factor) * factor)
    rows = factor * max(1, _BAND_BYTES // (4 * (right - left) * factor or 1))
    for y in range(top, bottom, rows):
        band = image.crop((left, y, right, min(bottom, y + rows)))
        shrunk.paste(band.convert("RGBa").reduce(factor), (left // factor, y // factor))
    return shrunk


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def srgb_transform(icc: bytes | None, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A transform from the embedded profile to sRGB, or None to use a plain conversion."""
    if not icc:
        return None
    in_mode = "RGBA" if mode == "RGBa" else mode
    out_mode = "RGBA" if in_mode == "RGBA" else "RGB"
    return _transform(icc, in_mode, out_mode)


# A few hundred colours spread over the cube, greys and near-black included.
_PROBE = Image.frombytes(
    "RGB",
    (216, 1),
    bytes(channel for r in range(6) for g in range(6) for b in range(6) for channel in
          (r * 51, g * 51, b * 51)),
)  # fmt: skip


@lru_cache(maxsize=32)
def _transform(icc: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform | None:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        transform = ImageCms.buildTransform(profile, _srgb_profile(), in_mode, out_mode)
        if in_mode in ("RGB", "RGBA") and _is_srgb(profile):
            return None  # converting would change nothing: save the time
        return transform
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or mismatched profile (e.g. RGB profile on a CMYK file): better a plain
        # conversion than no rendition at all.
        return None


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    """Whether the profile *is* sRGB, judged by what it does to colours, not by its name
    (a linear or extended profile can be called "sRGB" too)."""
    probe = ImageCms.applyTransform(
        _PROBE, ImageCms.buildTransform(profile, _srgb_profile(), "RGB", "RGB")
    )
    differences = (abs(a - b) for a, b in zip(probe.tobytes(), _PROBE.tobytes(), strict=True))
    return max(differences) <= 1


def to_srgb(tile: Image.Image, transform: ImageCms.ImageCmsTransform | None) -> Image.Image:
    if tile.mode == "RGBa":
        tile = tile.convert("RGBA")
    if transform is not None:
        tile = ImageCms.applyTransform(tile, transform)
    elif tile.mode not in ("RGB", "RGBA"):
        tile = tile.convert("RGB")
    return tile
