"""In-memory test images, built with Pillow: no binary fixtures.

Each builder returns a BytesIO positioned at 0, ready for upload or for the engine.
Pictures are smooth gradients with a few flat shapes, so they compress like real photos
and logos instead of like noise.
"""

import io
import struct

from PIL import Image, ImageChops, ImageCms, ImageDraw
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


def camera_picture(width: int, height: int, *, grain: float = 8) -> Image.Image:
    """``picture`` with a camera sensor's grain: it compresses (and so weighs) like a real photo.

    A ``grain`` of 48 or more is a film-grain texture: far heavier than any camera's.
    """
    grain = Image.merge("RGB", [Image.effect_noise((width, height), grain) for _ in range(3)])
    return ImageChops.add(picture(width, height), grain, offset=-128)


def logo(width: int, height: int) -> Image.Image:
    """A transparent RGBA logo: a coloured disc and a bar on a fully transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.1, height * 0.1, width * 0.6, height * 0.9), fill=(0, 90, 200, 255))
    draw.rectangle((width * 0.55, height * 0.4, width * 0.95, height * 0.6), fill=(230, 60, 20))
    return image


def line_art(width: int, height: int, *, line: int = 2) -> Image.Image:
    """A 1-bit logo as scanned line art: the outlines of a disc and a bar, black on white."""
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.05, height * 0.05, width * 0.45, height * 0.95), outline=0, width=line)
    draw.rectangle((width * 0.55, height * 0.3, width * 0.95, height * 0.7), outline=0, width=line)
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


# A TIFF directory entry as written: (tag, field type, count, value bytes in the file's order).
TiffEntry = tuple[int, int, int, bytes]


def tiff_entry(order: str, tag: int, value: object) -> TiffEntry:
    """An entry from a plain value: str is ASCII, bytes UNDEFINED, int SHORT (LONG if large),
    a tuple of ints SHORTs, a tuple of (numerator, denominator) pairs RATIONALs."""
    if isinstance(value, str):
        raw = value.encode() + b"\0"
        return tag, 2, len(raw), raw
    if isinstance(value, bytes):
        return tag, 7, len(value), value
    if isinstance(value, int):
        kind, code = (3, "H") if value < 1 << 16 else (4, "I")
        return tag, kind, 1, struct.pack(order + code, value)
    if value and isinstance(value[0], tuple):
        flat = [number for pair in value for number in pair]
        return tag, 5, len(value), struct.pack(f"{order}{len(flat)}I", *flat)
    return tag, 3, len(value), struct.pack(f"{order}{len(value)}H", *value)


def _tiff_directory(order: str, entries: list[TiffEntry], at: int) -> bytes:
    """A directory at offset ``at``, its values longer than 4 bytes right after it."""
    entries = sorted(entries)
    out, values = struct.pack(order + "H", len(entries)), b""
    values_at = at + 2 + 12 * len(entries) + 4
    for tag, kind, count, raw in entries:
        if len(raw) <= 4:
            field = raw.ljust(4, b"\0")
        else:
            field = struct.pack(order + "I", values_at + len(values))
            values += raw + b"\0" * (len(raw) & 1)
        out += struct.pack(order + "HHI", tag, kind, count) + field
    return out + b"\0\0\0\0" + values


def _tiles(samples: bytes, row: int, height: int, tile: int, pixel: int) -> list[bytes]:
    """Square tiles of ``tile`` pixels, left to right, top to bottom, zero-padded at the edges."""
    rows = [samples[y * row : (y + 1) * row] for y in range(height)]
    width = tile * pixel
    return [
        b"".join(line[x : x + width].ljust(width, b"\0") for line in rows[y : y + tile]).ljust(
            width * tile, b"\0"
        )
        for y in range(0, height, tile)
        for x in range(0, row, width)
    ]


def make_tiff16(
    image: Image.Image,
    *,
    big_endian: bool = False,
    tile: int | None = None,
    tags: dict[int, object] | None = None,
    exif: dict[int, object] | None = None,
    gps: dict[int, object] | None = None,
    unreferenced: bytes = b"",
) -> bytes:
    """An uncompressed 16-bit-per-sample TIFF of an RGB or CMYK image (each 8-bit sample v is
    written as v * 257), as design tools export for print; Pillow itself writes only 8 bits.

    One strip, or square tiles of ``tile`` pixels. ``tags`` go in the image's directory;
    ``exif`` and ``gps`` in an Exif and a GPS directory it points at. ``unreferenced`` is
    written between the metadata and the pixels, where no tag points (as a polyglot hides a
    payload).
    """
    order = ">" if big_endian else "<"
    channels = len(image.getbands())
    samples = struct.pack(f"{order}{channels * image.width * image.height}H", *(
        value * 257 for value in image.tobytes()
    ))  # fmt: skip
    if tile:
        pixel = 2 * channels
        data = _tiles(samples, image.width * pixel, image.height, tile, pixel)
        layout, offsets_tag, lengths_tag = {322: tile, 323: tile}, 324, 325
    else:
        data, layout, offsets_tag, lengths_tag = [samples], {278: image.height}, 273, 279
    plain = {
        256: image.width,
        257: image.height,
        258: (16,) * channels,
        259: 1,  # no compression
        262: 2 if channels == 3 else 5,  # RGB or separated (CMYK)
        277: channels,
        284: 1,
        **layout,
        **(tags or {}),
    }
    subs = {34665: exif, 34853: gps}  # Exif IFD and GPS IFD pointers
    entries = [tiff_entry(order, tag, value) for tag, value in plain.items()]
    lengths = [len(block) for block in data]
    entries.append((lengths_tag, 4, len(data), struct.pack(f"{order}{len(data)}I", *lengths)))

    def image_directory(data_at: int, pointers: dict[int, int]) -> bytes:
        pointer_entries = [
            (tag, 4, 1, struct.pack(order + "I", at)) for tag, at in pointers.items()
        ]
        starts = [data_at + sum(lengths[:index]) for index in range(len(data))]
        where = (offsets_tag, 4, len(data), struct.pack(f"{order}{len(data)}I", *starts))
        return _tiff_directory(order, [*entries, where, *pointer_entries], 8)

    present = {tag: values for tag, values in subs.items() if values}
    pos = 8 + len(image_directory(0, dict.fromkeys(present, 0)))
    pointers, blocks = {}, []
    for tag, values in present.items():
        pointers[tag] = pos
        block = _tiff_directory(order, [tiff_entry(order, t, v) for t, v in values.items()], pos)
        blocks.append(block)
        pos += len(block)
    data_at = pos + len(unreferenced)
    head = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(order + "I", 8)
    return b"".join([head, image_directory(data_at, pointers), *blocks, unreferenced, *data])
