"""Encoding: JPEG or PNG within the preset's byte limit, with no metadata."""

import io

from PIL import Image

from assets.presets import Preset

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
        # Full chroma keeps the edges of logos and text crisp; photos don't need it.
        subsampling = "4:2:0" if kind == "photo" else "4:4:4"
        for quality in JPEG_QUALITIES:
            data = _save(
                image,
                "JPEG",
                quality=quality,
                # Baseline, not progressive: as small here and less than half the time.
                optimize=True,
                subsampling=subsampling,
            )
            if len(data) <= preset.max_bytes:
                return data
        raise TooBig(f"does not fit {limit} even at quality {JPEG_QUALITIES[-1]}")
    # Camera photos compress about 2:1 losslessly, so an opaque photo whose raw pixels are over
    # twice the limit cannot fit as truecolour: don't spend the time trying. (The avatar frame
    # has alpha and is mostly empty, so it always gets the try.)
    raw_bytes = image.width * image.height * len(image.mode)
    if kind != "photo" or image.mode == "RGBA" or raw_bytes <= 2 * preset.max_bytes:
        data = _save(image, "PNG", compress_level=6, compress_type=_Z_RLE)
        if len(data) <= preset.max_bytes:
            return data
    # 256 colours (alpha kept) is still a faithful logo and usually a fraction of the size.
    paletted = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    if kind == "photo" and image.mode == "RGB":
        # A photo's smooth skies would band in 256 flat colours: dither them (error
        # diffusion keeps every area's average colour, so no steps appear). Only the
        # colours the quantizer used: its palette is padded with black, which error
        # diffusion would otherwise pick now and then as dark specks.
        used = Image.new("P", (1, 1))
        used.putpalette(paletted.getpalette()[: 3 * len(paletted.getcolors(256))])
        dithered = image.quantize(palette=used, dither=Image.Dither.FLOYDSTEINBERG)
        data = _save(dithered, "PNG", compress_level=6)
        if len(data) <= preset.max_bytes:
            return data
    data = _save(paletted, "PNG", compress_level=6)  # run-length loses on palette indices
    if len(data) <= preset.max_bytes:
        return data
    raise TooBig(f"does not fit {limit} even with 256 colours")


# The portal shows platform sizes in mocks at most about 400 CSS pixels wide: this covers 2x.
DISPLAY_BOX = (800, 800)


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
    return _save(small.convert("RGB"), "JPEG", quality=80, optimize=True), "JPEG"


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _human_bytes(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    return f"{count / 1000:g} KB"
