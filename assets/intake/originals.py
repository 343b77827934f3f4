"""What the library keeps of an uploaded raster file: its image, byte for byte, and no more.

Validation reads the file's structure here without decoding any pixels (the rendition engine
decodes them once, later), and gets back the bytes to store:

- bytes after the image's end (PNG after IEND, JPEG after its last EOI, WebP past its RIFF
  length) are dropped, so a polyglot's payload is never stored or served;
- metadata segments are rewritten, never the pixels: EXIF is replaced by a minimal one
  keeping the orientation, copyright and artist (no GPS, camera serial numbers or maker
  notes), XMP and text blocks are dropped, and ICC profiles stay;
- a TIFF (tiff.py), whose metadata sits in the same directory as its pixels' layout, is rebuilt from
  what its directory points at: the tags that describe the pixels, the same kept metadata
  and ICC profile, and its strips or tiles copied byte for byte. Nothing else it holds (other
  tags' data, bytes no tag points at) is copied, so a payload hidden anywhere in it is gone.
"""

import re
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

# EXIF tags of the first IFD kept in a stored original: how to show it and whose it is.
KEPT_EXIF_TAGS = (0x0112, 0x8298, 0x013B)  # Orientation, Copyright, Artist


class Truncated(ValueError):
    """The file ends before the image does."""


class Damaged(ValueError):
    """The file's structure is broken (a checksum or a length does not add up)."""


class Unsupported(ValueError):
    """A well-formed file stored in a way the library does not keep; the message says, for a
    person, what to do instead."""


@dataclass(frozen=True)
class JpegFacts:
    precision: int  # bits per sample: 8, or 12 for the rare JPEGs browsers cannot show
    end: int  # offset just past the EOI of the first image


def is_kept(tag: int, value: object) -> bool:
    """Whether a stored original of any format keeps this EXIF (or TIFF) tag with this value."""
    if tag == 0x0112:
        return value in range(2, 9)  # missing, upright or nonsense: nothing to keep
    return tag in KEPT_EXIF_TAGS and isinstance(value, str)


def minimal_exif(exif: Image.Exif) -> bytes | None:
    """An APP1/eXIf payload (without the b"Exif\\0\\0" prefix) with only the kept tags."""
    kept = Image.Exif()
    for tag in KEPT_EXIF_TAGS:
        value = exif.get(tag)
        if is_kept(tag, value):
            kept[tag] = value
    if not len(kept):
        return None
    return kept.tobytes()[len(b"Exif\0\0") :]


# ---------------------------------------------------------------------------------------------
# JPEG

# In entropy-coded data a 0xFF is followed by 0x00 (stuffing), RSTn or another 0xFF (fill):
# anything else is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], int, int]:
    """(marker, start, end) of each segment of the first image, its precision and its end."""
    if not data.startswith(b"\xff\xd8"):
        raise Damaged("no JPEG start marker")
    segments, precision, pos = [], 8, 2
    while True:
        pos = data.find(b"\xff", pos)  # libjpeg skips stray bytes before a marker too
        while 0 <= pos < len(data) - 1 and data[pos + 1] == 0xFF:
            pos += 1
        if pos < 0 or pos + 2 > len(data):
            raise Truncated("the JPEG ends before its end marker")
        marker = data[pos + 1]
        if marker == 0xD9:
            return segments, precision, pos + 2
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            raise Truncated("the JPEG ends inside a segment")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise Truncated("the JPEG ends inside a segment")
        segments.append((marker, pos, end))
        if marker in _SOF_MARKERS and length > 2:
            precision = data[pos + 4]
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            found = _NEXT_MARKER.search(data, end)
            if found is None:
                raise Truncated("the JPEG ends in the middle of its image data")
            end = found.start()
        pos = end


def jpeg_facts(data: bytes) -> JpegFacts:
    """Precision and end of a JPEG's first image, from its markers alone (no decoding)."""
    _, precision, end = _jpeg_segments(data)
    return JpegFacts(precision, end)


def _is_kept_jpeg_segment(data: bytes, marker: int, start: int) -> bool:
    if not 0xE0 <= marker <= 0xEF and marker != 0xFE:
        return True  # tables, frame and scan headers: the image itself
    body = data[start + 4 : start + 18]
    return (
        (marker == 0xE0 and body.startswith((b"JFIF\0", b"JFXX\0")))
        or (marker == 0xE2 and body.startswith(b"ICC_PROFILE\0"))
        or marker == 0xEE  # Adobe: says whether 4 channels are CMYK or YCCK
    )


def clean_jpeg(data: bytes, exif: Image.Exif) -> bytes:
    """The first image only, with the kept metadata. An MPO's extra views go too: the
    library shows and renders the first image, and their offsets would no longer hold."""
    segments, _, end = _jpeg_segments(data)
    parts = [b"\xff\xd8"]
    cursor = 2
    for marker, start, stop in segments:
        if cursor < start:
            parts.append(data[cursor:start])  # entropy-coded data before this marker
        if _is_kept_jpeg_segment(data, marker, start):
            parts.append(data[start:stop])
        cursor = stop
    parts.append(data[cursor:end])
    payload = minimal_exif(exif)
    if payload is not None:
        segment = b"Exif\0\0" + payload
        # After SOI, and after JFIF's APP0, which must come first.
        at = 2 if segments and segments[0][0] == 0xE0 else 1
        parts.insert(at, b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment)
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# PNG

# Chunks that describe the pixels; text, XMP, EXIF (rewritten), time and unknown private
# chunks are dropped.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM",
    b"sBIT", b"pHYs", b"bKGD", b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def clean_png(data: bytes) -> tuple[bytes, Image.Exif]:
    """Every chunk up to IEND checked against its CRC; the kept ones, and a minimal eXIf.

    Also returns the file's EXIF, read from its eXIf chunk here because Pillow decodes the
    whole image to look for one.
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Damaged("no PNG signature")
    exif = Image.Exif()
    found = data.find(b"eXIf")
    if found >= 4:
        (length,) = struct.unpack(">I", data[found - 4 : found])
        try:
            exif.load(data[found + 4 : found + 4 + length])
        except (OSError, SyntaxError, ValueError, struct.error):
            exif = Image.Exif()  # unreadable: nothing of it is kept
    original = exif
    parts, pos, pending = [data[:8]], 8, minimal_exif(exif)
    while True:
        if pos + 12 > len(data):
            raise Truncated("the PNG ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise Truncated("the PNG ends inside a chunk")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            raise Damaged(f"the checksum of its {kind.decode(errors='replace')} chunk is wrong")
        if kind == b"IDAT" and pending is not None:
            parts.append(_png_chunk(b"eXIf", pending))  # before the first IDAT, as required
            pending = None
        if kind in _PNG_KEPT:
            parts.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(parts), original


# ---------------------------------------------------------------------------------------------
# WebP


def clean_webp(data: bytes, exif: Image.Exif) -> bytes:
    """The RIFF container to its declared length, without XMP, with a minimal EXIF."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise Damaged("no WebP header")
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size
    if end > len(data):
        raise Truncated("the WebP ends before its declared length")
    chunks, pos = [], 12
    while pos + 8 <= end:
        kind, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        stop = pos + 8 + length + (length & 1)
        if stop > end:
            raise Truncated("the WebP ends inside a chunk")
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos = stop
    payload = minimal_exif(exif)
    chunks = [(kind, body) for kind, body in chunks if kind not in (b"EXIF", b"XMP ")]
    if chunks and chunks[0][0] == b"VP8X":
        flags = chunks[0][1][0] & ~0x0C  # clear the EXIF and XMP flags
        if payload is not None:
            flags |= 0x08
            chunks.append((b"EXIF", payload))
        chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    body = b"".join(
        kind + struct.pack("<I", len(chunk)) + chunk + b"\0" * (len(chunk) & 1)
        for kind, chunk in chunks
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


# ---------------------------------------------------------------------------------------------
# HEIF and AVIF


def clean_heif(data: bytes, exif: Image.Exif) -> bytes:
    """Overwrite the EXIF item of a HEIF or AVIF file with a minimal one of the same length.

    The container points at the item by offset and length, so rewriting it in place, padded
    with zeros, keeps every other offset in the file valid and the pixels untouched.
    """
    extent = _heif_exif_extent(data)
    if extent is None:
        return data
    start, end = extent
    if end - start < 8 or end > len(data):
        raise Damaged("its EXIF item lies outside the file")
    (header_offset,) = struct.unpack(">I", data[start : start + 4])
    tiff = start + 4 + header_offset
    if tiff >= end:
        raise Damaged("its EXIF item is malformed")
    replacement = minimal_exif(exif) or Image.Exif().tobytes()[6:]
    if len(replacement) > end - tiff:
        replacement = Image.Exif().tobytes()[6:]
    return data[:tiff] + replacement.ljust(end - tiff, b"\0") + data[end:]


def _boxes(data: bytes, start: int, end: int):
    """(type, body start, box end) of each ISO base media box between start and end."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = pos + 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end:
            raise Damaged("a box of the HEIF container runs past its end")
        yield kind, body, pos + size
        pos += size


def _uint(data: bytes, pos: int, size: int) -> tuple[int, int]:
    return int.from_bytes(data[pos : pos + size], "big"), pos + size


def _heif_exif_extent(data: bytes) -> tuple[int, int] | None:
    """File offsets of the EXIF item's bytes, from the meta box's iinf and iloc."""
    meta = next((box for box in _boxes(data, 0, len(data)) if box[0] == b"meta"), None)
    if meta is None:
        return None
    children = {kind: (body, end) for kind, body, end in _boxes(data, meta[1] + 4, meta[2])}
    if b"iinf" not in children or b"iloc" not in children:
        return None
    body, end = children[b"iinf"]
    version = data[body]
    pos = body + 4 + (2 if version == 0 else 4)
    exif_ids = set()
    for kind, entry, _ in _boxes(data, pos, end):
        if kind == b"infe" and data[entry] >= 2:
            id_size = 2 if data[entry] == 2 else 4
            item_id, at = _uint(data, entry + 4, id_size)
            if data[at + 2 : at + 6] == b"Exif":
                exif_ids.add(item_id)
    if not exif_ids:
        return None
    if len(exif_ids) > 1:
        raise Damaged("it has more than one EXIF item")
    body, _ = children[b"iloc"]
    version = data[body]
    offset_size, length_size = data[body + 4] >> 4, data[body + 4] & 15
    base_size, index_size = data[body + 5] >> 4, data[body + 5] & 15
    count, pos = _uint(data, body + 6, 2 if version < 2 else 4)
    for _ in range(count):
        item_id, pos = _uint(data, pos, 2 if version < 2 else 4)
        method = 0
        if version in (1, 2):
            method, pos = _uint(data, pos, 2)
            method &= 15
        pos += 2  # data reference index
        base, pos = _uint(data, pos, base_size)
        extents, pos = _uint(data, pos, 2)
        spans = []
        for _ in range(extents):
            if version in (1, 2) and index_size:
                pos += index_size
            offset, pos = _uint(data, pos, offset_size)
            length, pos = _uint(data, pos, length_size)
            spans.append((base + offset, length))
        if item_id in exif_ids:
            if len(spans) != 1 or method not in (0, 1):
                raise Damaged("its EXIF item is stored in a way the library cannot rewrite")
            offset, length = spans[0]
            if method == 1:  # inside the meta box's idat
                if b"idat" not in children:
                    raise Damaged("its EXIF item points into a missing idat box")
                offset += children[b"idat"][0]
            return offset, offset + length
    return None
