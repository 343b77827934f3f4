"""A TIFF original, rebuilt from what its directory points at (see originals.py for the rule).

A TIFF's metadata sits in the same directory as its pixels' layout, so it cannot be cleaned
segment by segment like the other formats: the pixel tags, the kept metadata and the ICC
profile are copied into a new directory, and the strips or tiles byte for byte.
"""

import struct
from dataclasses import dataclass

from assets.intake.originals import KEPT_EXIF_TAGS, Damaged, Truncated, Unsupported, is_kept

# The tags that say how to read and show the pixels, kept byte for byte. Every other tag
# goes, as other formats' metadata segments do: descriptions, software, dates, make and
# model, the Exif, GPS and interoperability directories (maker notes, body, lens and DNG
# camera serial numbers, owner names with them), XMP (700), IPTC (33723), Photoshop's image
# resources (34377) and layers (37724). The metadata every format keeps (is_kept) and the ICC
# profile (34675) stay as well.
_TIFF_PIXEL_TAGS = frozenset({
    254, 255,  # NewSubfileType, SubfileType
    256, 257, 258, 259,  # ImageWidth, ImageLength, BitsPerSample, Compression
    262, 266,  # PhotometricInterpretation, FillOrder
    273, 277, 278, 279,  # StripOffsets, SamplesPerPixel, RowsPerStrip, StripByteCounts
    280, 281, 282, 283, 284,  # Min/MaxSampleValue, X/YResolution, PlanarConfiguration
    290, 291, 296, 301,  # GrayResponseUnit/Curve, ResolutionUnit, TransferFunction
    317, 318, 319, 320,  # Predictor, WhitePoint, PrimaryChromaticities, ColorMap
    322, 323, 324, 325,  # TileWidth, TileLength, TileOffsets, TileByteCounts
    332, 333, 334, 336,  # InkSet, InkNames, NumberOfInks, DotRange
    338, 339, 340, 341,  # ExtraSamples (alpha), SampleFormat, S Min/MaxSampleValue
    342, 347,  # TransferRange, JPEGTables
    529, 530, 531, 532,  # YCbCrCoefficients, YCbCrSubSampling, YCbCrPositioning, RefBlackWhite
    34675,  # InterColorProfile: the ICC profile
})  # fmt: skip
# Where the pixel data lies: each offsets tag and the tag holding its blocks' lengths.
_TIFF_BLOCKS = {273: 279, 324: 325}
_TIFF_COMPRESSION, _TIFF_OLD_JPEG = 259, 6
# Bytes per value of each field type, and the struct code of the integer types.
_TIFF_TYPE_SIZES = {
    1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
    16: 8, 17: 8, 18: 8,
}  # fmt: skip
_TIFF_UNSIGNED = {1: "B", 3: "H", 4: "I", 13: "I", 16: "Q", 18: "Q"}
_ASCII = 2
OLD_JPEG_TIFF = (
    "This TIFF uses the old-style JPEG compression that today's apps no longer write. "
    "Save it again as TIFF with LZW or ZIP compression, or as PNG, and upload that"
)


@dataclass(frozen=True)
class _TiffFormat:
    """Classic TIFF or BigTIFF (64-bit offsets), in either byte order."""

    order: str  # "<" for II (Intel), ">" for MM (Motorola)
    big: bool

    @property
    def word(self) -> str:  # offsets, counts, and the value field's size
        return "Q" if self.big else "I"

    @property
    def header_size(self) -> int:
        return 16 if self.big else 8

    @property
    def field_size(self) -> int:  # a value this long or shorter is inside its entry
        return 8 if self.big else 4

    @property
    def count_size(self) -> int:  # the number of entries before a directory
        return 8 if self.big else 2

    @property
    def entry_size(self) -> int:
        return 20 if self.big else 12

    def unpack(self, code: str, data: bytes, at: int) -> tuple:
        return struct.unpack_from(self.order + code, data, at)

    def pack(self, code: str, *values: int) -> bytes:
        return struct.pack(self.order + code, *values)


@dataclass(frozen=True)
class _TiffEntry:
    tag: int
    type: int
    count: int
    value: bytes | memoryview  # count values of the type, in the file's byte order


def _tiff_format(data: bytes) -> tuple[_TiffFormat, int]:
    """The file's flavour and the offset of its first directory."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None or len(data) < 8:
        raise Damaged("no TIFF header")
    (version,) = struct.unpack_from(order + "H", data, 2)
    if version == 42:
        tiff = _TiffFormat(order, big=False)
        return tiff, tiff.unpack("I", data, 4)[0]
    if version == 43 and len(data) >= 16:
        tiff = _TiffFormat(order, big=True)
        offset_size, reserved, first = tiff.unpack("HHQ", data, 4)
        if (offset_size, reserved) == (8, 0):
            return tiff, first
    raise Damaged("no TIFF header")


def _tiff_directory(data: bytes, tiff: _TiffFormat, at: int) -> tuple[dict[int, _TiffEntry], int]:
    """The kept entries of the directory at ``at`` (the first of each tag) and the offset of
    the next directory. Every entry, kept or not, must lie inside the file."""
    if at < tiff.header_size:
        raise Damaged("a TIFF directory overlaps its header")
    if at + tiff.count_size > len(data):
        raise Truncated("a TIFF directory lies past the end of the file")
    (count,) = tiff.unpack("Q" if tiff.big else "H", data, at)
    pos = at + tiff.count_size
    if pos + count * tiff.entry_size + tiff.field_size > len(data):
        raise Truncated("the TIFF ends inside a directory")
    entries: dict[int, _TiffEntry] = {}
    view = memoryview(data)  # values are not copied until the file is written
    for _ in range(count):
        tag, kind, number = tiff.unpack("HH" + tiff.word, data, pos)
        field = pos + 4 + tiff.field_size
        pos += tiff.entry_size
        size = _TIFF_TYPE_SIZES.get(kind)
        if size is None:
            if tag in _TIFF_PIXEL_TAGS or tag in KEPT_EXIF_TAGS:
                raise Damaged(f"its tag {tag} has an unknown type")
            continue  # readers skip a type they do not know; so does the cleaner
        length = size * number
        start = field
        if length > tiff.field_size:
            (start,) = tiff.unpack(tiff.word, data, field)
            if start + length > len(data):
                raise Truncated(f"the data of its tag {tag} lies past the end of the file")
        if tag not in entries and (tag in _TIFF_PIXEL_TAGS or tag in KEPT_EXIF_TAGS):
            entries[tag] = _TiffEntry(tag, kind, number, view[start : start + length])
    (following,) = tiff.unpack(tiff.word, data, pos)
    return entries, following


def _tiff_numbers(tiff: _TiffFormat, entry: _TiffEntry) -> tuple[int, ...]:
    code = _TIFF_UNSIGNED.get(entry.type)
    if code is None:
        raise Damaged(f"its tag {entry.tag} is not a list of offsets or lengths")
    return struct.unpack(f"{tiff.order}{entry.count}{code}", entry.value)


def _tiff_metadata_value(tiff: _TiffFormat, entry: _TiffEntry) -> object:
    """A kept-metadata tag's value as EXIF readers see it: text, or a single number."""
    if entry.type == _ASCII:
        return bytes(entry.value).split(b"\0", 1)[0].decode("latin-1")
    if entry.count == 1 and entry.type in _TIFF_UNSIGNED:
        return _tiff_numbers(tiff, entry)[0]
    return None


def clean_tiff(data: bytes) -> bytes:
    """The first image of a TIFF (classic or BigTIFF, either byte order), rebuilt: a header,
    one directory with the pixel tags, the kept metadata and the ICC profile, their values,
    then the strips or tiles, byte for byte. Every offset is written anew; the pixels are
    never decoded. Other directories (more pages; validation refuses those) are checked for
    damage and dropped, like an MPO's extra views.
    """
    tiff, at = _tiff_format(data)
    seen: set[int] = set()
    first: dict[int, _TiffEntry] | None = None
    while at:
        if at in seen:
            raise Damaged("its chain of directories loops")
        seen.add(at)
        entries, at = _tiff_directory(data, tiff, at)
        first = entries if first is None else first
    if first is None:
        raise Damaged("the TIFF has no image directory")
    kept = {
        tag: entry
        for tag, entry in first.items()
        if tag in _TIFF_PIXEL_TAGS or is_kept(tag, _tiff_metadata_value(tiff, entry))
    }
    compression = kept.get(_TIFF_COMPRESSION)
    if compression is not None and _tiff_numbers(tiff, compression) == (_TIFF_OLD_JPEG,):
        raise Unsupported(OLD_JPEG_TIFF)  # its tables sit behind offsets of their own

    # The pixel data: every (offset, length) of the strips or tiles, each copied once.
    blocks: dict[int, list[tuple[int, int]]] = {}
    for offsets_tag, lengths_tag in _TIFF_BLOCKS.items():
        if offsets_tag not in kept:
            continue
        if lengths_tag not in kept:
            raise Damaged("its image data has no lengths")
        offsets = _tiff_numbers(tiff, kept[offsets_tag])
        lengths = _tiff_numbers(tiff, kept[lengths_tag])
        if len(offsets) != len(lengths):
            raise Damaged("its image data has not as many offsets as lengths")
        for offset, length in zip(offsets, lengths, strict=True):
            if offset + length > len(data):
                raise Truncated("the TIFF ends before its image data does")
        blocks[offsets_tag] = list(zip(offsets, lengths, strict=True))
    if not blocks:
        raise Damaged("the TIFF has no image data")

    # Where each part goes: the directory after the header, then the values too long for
    # their entries, then the pixel data; each part on a word (even) boundary.
    offsets_type = 16 if tiff.big else 4  # LONG8 or LONG, as wide as the value field
    entries = [
        _TiffEntry(tag, offsets_type, len(blocks[tag]), bytes(tiff.field_size * len(blocks[tag])))
        if tag in blocks
        else entry
        for tag, entry in sorted(kept.items())
    ]
    directory_at = tiff.header_size
    pos = directory_at + tiff.count_size + len(entries) * tiff.entry_size + tiff.field_size
    value_at: dict[int, int] = {}
    for entry in entries:
        if len(entry.value) > tiff.field_size:
            pos += pos & 1
            value_at[entry.tag] = pos
            pos += len(entry.value)
    block_at: dict[tuple[int, int], int] = {}
    for block in sorted({block for spans in blocks.values() for block in spans}):
        pos += pos & 1
        block_at[block] = pos
        pos += block[1]
    if pos > len(data) + len(entries) + len(block_at) + tiff.header_size:
        # Sound files never point two tags at the same bytes; this one would grow.
        raise Damaged("its parts overlap")

    out = bytearray(pos)
    out[:2] = data[:2]
    if tiff.big:
        out[2:16] = tiff.pack("HHHQ", 43, 8, 0, directory_at)
    else:
        out[2:8] = tiff.pack("HI", 42, directory_at)
    cursor = directory_at
    out[cursor : cursor + tiff.count_size] = tiff.pack("Q" if tiff.big else "H", len(entries))
    cursor += tiff.count_size
    view = memoryview(data)
    for entry in entries:
        value = entry.value
        if entry.tag in blocks:
            value = tiff.pack(
                f"{entry.count}{tiff.word}", *(block_at[b] for b in blocks[entry.tag])
            )
        if entry.tag in value_at:
            field = tiff.pack(tiff.word, value_at[entry.tag])
            out[value_at[entry.tag] : value_at[entry.tag] + len(value)] = value
        else:
            field = bytes(value).ljust(tiff.field_size, b"\0")
        out[cursor : cursor + tiff.entry_size] = (
            tiff.pack("HH" + tiff.word, entry.tag, entry.type, entry.count) + field
        )
        cursor += tiff.entry_size
    # The next directory's offset stays 0: the stored file has one image.
    for (offset, length), start in block_at.items():
        out[start : start + length] = view[offset : offset + length]
    return bytes(out)
