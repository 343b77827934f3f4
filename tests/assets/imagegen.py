"""In-memory test images, built with Pillow: no binary fixtures.

Each builder returns a BytesIO positioned at 0, ready for upload or for the engine.
Pictures are smooth gradients with a few flat shapes, so they compress like real photos
and logos instead of like noise.
"""

import io

from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

ORIENTATION = 0x0112


def picture(width: int, height: int, *, mode: str = "RGB") -> Image.Image:
    """A photo-like picture: a diagonal colour gradient with a few shapes on it."""
    red = Image.linear_gradient("L").resize((width, height))
    green = red.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y = width * (i + 1) // 8, height * ((i * 3) % 7 + 1) // 9
        r = max(2, min(width, height) // 14)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(40 * i, 255 - 30 * i, 120))
    return image.convert(mode)


def logo(width: int, height: int) -> Image.Image:
    """A transparent RGBA logo: a coloured disc and a bar on a fully transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.1, height * 0.1, width * 0.6, height * 0.9), fill=(0, 90, 200, 255))
    draw.rectangle((width * 0.55, height * 0.4, width * 0.95, height * 0.6), fill=(230, 60, 20))
    return image


def frame_overlay(size: int, *, hole: float = 0.7, colour=(200, 40, 90)) -> Image.Image:
    """A marketer's profile frame: an opaque ring whose centre (``hole`` of the width) and
    corners are fully transparent."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(*colour, 255))
    inset = size * (1 - hole) / 2
    draw.ellipse((inset, inset, size - 1 - inset, size - 1 - inset), fill=(0, 0, 0, 0))
    return image


def to_bytes(image: Image.Image, fmt: str, **options: object) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    buffer.seek(0)
    return buffer


def make_jpeg(
    width: int,
    height: int,
    *,
    orientation: int | None = None,
    mode: str = "RGB",
    icc: bytes | None = None,
    image: Image.Image | None = None,
) -> io.BytesIO:
    """A JPEG of ``image`` (default: ``picture``), optionally with EXIF orientation and ICC."""
    image = image if image is not None else picture(width, height, mode=mode)
    options: dict[str, object] = {"quality": 90, "comment": b"made by imagegen"}
    if orientation is not None:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        options["exif"] = exif.tobytes()
    if icc is not None:
        options["icc_profile"] = icc
    return to_bytes(image, "JPEG", **options)


def make_png(
    width: int,
    height: int,
    *,
    mode: str = "RGBA",
    icc: bytes | None = None,
    image: Image.Image | None = None,
) -> io.BytesIO:
    """A PNG (default: a transparent ``logo``), with a text chunk so stripping can be checked."""
    if image is None:
        image = logo(width, height) if mode == "RGBA" else picture(width, height).convert(mode)
    info = PngInfo()
    info.add_text("Comment", "made by imagegen")
    options: dict[str, object] = {"pnginfo": info}
    if icc is not None:
        options["icc_profile"] = icc
    return to_bytes(image, "PNG", **options)


def make_svg(width: int = 400, height: int = 200, *, body: str = "") -> bytes:
    """A small SVG logo; ``body`` is extra markup inserted inside the root element."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<circle cx="{width * 0.3}" cy="{height / 2}" r="{height * 0.4}" fill="#0050c8"/>'
        f'<rect x="{width * 0.55}" y="{height * 0.4}" width="{width * 0.4}"'
        f' height="{height * 0.2}" fill="#e63c14"/>{body}</svg>'
    ).encode()


def display_p3_profile() -> bytes:
    """A Display P3-like ICC profile: lcms's sRGB profile with P3 primaries (D50-adapted)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    primaries = {
        b"rXYZ": (0.515121, 0.241196, -0.001053),
        b"gXYZ": (0.291977, 0.692245, 0.041885),
        b"bXYZ": (0.157104, 0.066574, 0.784073),
    }
    for index in range(int.from_bytes(data[128:132], "big")):
        entry = data[132 + 12 * index : 144 + 12 * index]
        if bytes(entry[:4]) in primaries:
            offset = int.from_bytes(entry[4:8], "big") + 8  # after the 'XYZ ' type and reserved
            for i, value in enumerate(primaries[bytes(entry[:4])]):
                fixed = round(value * 65536).to_bytes(4, "big", signed=True)
                data[offset + 4 * i : offset + 4 * i + 4] = fixed
    # Rename it, so nothing mistakes it for sRGB by its description.
    return bytes(data).replace("sRGB".encode("utf-16-be"), "DP3x".encode("utf-16-be"))


def linear_srgb_profile() -> bytes:
    """A linear-light profile that still calls itself sRGB (as Krita's sRGB-elle-V2-g10 does):
    lcms's sRGB profile with each tone curve replaced by gamma 1.0."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    for index in range(int.from_bytes(data[128:132], "big")):
        entry = data[132 + 12 * index : 144 + 12 * index]
        if bytes(entry[:4]) in (b"rTRC", b"gTRC", b"bTRC"):
            offset = int.from_bytes(entry[4:8], "big")
            assert data[offset : offset + 4] == b"para"
            data[offset + 8 : offset + 10] = (0).to_bytes(2, "big")  # function type 0: y = x^g
            data[offset + 12 : offset + 16] = (1 << 16).to_bytes(4, "big")  # g = 1.0
    return bytes(data)


def make_tiff16(image: Image.Image) -> bytes:
    """An uncompressed 16-bit-per-sample TIFF of an RGB or CMYK image (each 8-bit sample v is
    written as v * 257), as design tools export for print; Pillow itself writes only 8 bits."""
    channels = len(image.getbands())
    samples = b"".join((value * 257).to_bytes(2, "little") for value in image.tobytes())
    entries = [
        (256, 3, 1, image.width),
        (257, 3, 1, image.height),
        (258, 3, channels, None),  # BitsPerSample: 16 each, stored after the IFD
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 2 if channels == 3 else 5),  # RGB or separated (CMYK)
        (273, 4, 1, None),  # StripOffsets
        (277, 3, 1, channels),
        (278, 3, 1, image.height),
        (279, 4, 1, len(samples)),
        (284, 3, 1, 1),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_at = 8 + ifd_size
    strip_at = bits_at + 2 * channels
    ifd = len(entries).to_bytes(2, "little")
    for tag, kind, count, value in entries:
        if tag == 258:
            value = bits_at
            kind_value = value.to_bytes(4, "little")
        elif tag == 273:
            kind_value = strip_at.to_bytes(4, "little")
        elif kind == 3:
            kind_value = value.to_bytes(2, "little") + b"\0\0"
        else:
            kind_value = value.to_bytes(4, "little")
        ifd += tag.to_bytes(2, "little") + kind.to_bytes(2, "little") + count.to_bytes(4, "little")
        ifd += kind_value
    ifd += b"\0\0\0\0"
    bits = (16).to_bytes(2, "little") * channels
    return b"II*\0" + (8).to_bytes(4, "little") + ifd + bits + samples
