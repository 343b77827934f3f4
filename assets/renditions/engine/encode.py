"""Encoding: JPEG or PNG within the preset's byte limit, with no metadata."""

import io

from PIL import Image

from assets.renditions.presets import Preset

# Quality ladder for byte limits: visible artefacts start below the floor, so we fail instead.
JPEG_QUALITIES = (85, 78, 70, 62, 60)

# zlib's run-length strategy: on both photos and flat logos it gave files as small as the
# default strategy in a fifth of the time (optimize=True, i.e. level 9, was slower still).
_Z_RLE = 3


class TooBig(Exception):
    """No allowed encoding fits the preset's byte limit; the message says what was tried."""


def encode(image: Image.Image, preset: Preset, kind: str) -> bytes:
    """Encode within the preset's byte limit, stripping all metadata. Raises TooBig."""
    # A fresh info dict: Pillow's encoders fall back to image.info for comments and ICC data.
    image.info = {}
    limit = _human_bytes(preset.max_bytes)
    if preset.format == "JPEG":
        subsampling = jpeg_subsampling(kind)
        for quality in JPEG_QUALITIES:
            # Baseline, not progressive: as small here and less than half the time.
            data = _save_jpeg(image, quality=quality, subsampling=subsampling)
            if len(data) <= preset.max_bytes:
                return data
        raise TooBig(f"does not fit {limit} even at quality {JPEG_QUALITIES[-1]}")
    data = _save(image, "PNG", compress_level=6, compress_type=_Z_RLE)
    if len(data) <= preset.max_bytes:
        return data
    # 256 colours (alpha kept) is still a faithful logo and usually a fraction of the size.
    # (A photo seldom gets here: it is JPEG wherever the platforms take JPEG, see
    # Preset.photo_format, and a ring of it fits the frame's limit in full colour.)
    paletted = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    data = _save(paletted, "PNG", compress_level=6)  # run-length loses on palette indices
    if len(data) <= preset.max_bytes:
        return data
    raise TooBig(f"does not fit {limit} even with 256 colours")


def jpeg_subsampling(kind: str) -> str:
    """The chroma a JPEG of this kind keeps: full chroma keeps the edges of logos and text
    crisp; photos don't need it."""
    return "4:2:0" if kind == "photo" else "4:4:4"


# The portal shows platform sizes in mocks at most about 400 CSS pixels wide: this covers 2x.
DISPLAY_BOX = (800, 800)

# A platform size gets a small copy for its mock only when it is both heavier than this and
# over 1.5x the display box: otherwise the copy would save the page little (a logo's banner is
# often 30 KB, a 1024 square barely bigger than the copy) and cost a second encode.
DISPLAY_COPY_ABOVE = 100_000


def needs_display_copy(canvas: Image.Image, data: bytes) -> bool:
    return len(data) > DISPLAY_COPY_ABOVE and max(canvas.size) > 1.5 * max(DISPLAY_BOX)


def display_copy(image: Image.Image) -> tuple[bytes, str]:
    """A small copy of a finished canvas for the portal's pages: JPEG, or PNG with alpha."""
    small = (
        image.copy()
        if max(image.size) <= max(DISPLAY_BOX)
        else image.reduce(
            max(1, int(max(image.width / DISPLAY_BOX[0], image.height / DISPLAY_BOX[1])))
        )
    )
    small.thumbnail(DISPLAY_BOX, Image.Resampling.BILINEAR)
    small.info = {}
    if small.mode in ("RGBA", "LA", "P"):
        return _save(small.convert("RGBA"), "PNG", compress_level=6, compress_type=_Z_RLE), "PNG"
    return _save_jpeg(small.convert("RGB"), quality=80), "JPEG"


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _save_jpeg(image: Image.Image, **options: object) -> bytes:
    """JPEG with optimized Huffman tables, or with the standard tables where those cannot be
    written.

    With optimize=True libjpeg writes the whole file in one go at the end, without suspending,
    into one buffer that Pillow sizes at a byte a pixel (Pillow issue #148): fine grain kept
    at full chroma (4:4:4) takes more than that at quality 85, and the save fails with "broken
    data stream" ("Suspension not allowed here"). Standard tables are written as they go, so
    any size fits; such a file is only a few percent larger.
    """
    try:
        return _save(image, "JPEG", optimize=True, **options)
    except OSError:
        # The pixels are in memory already: an encoder error here is that buffer, nothing else.
        return _save(image, "JPEG", **options)


def _human_bytes(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    return f"{count / 1000:g} KB"
