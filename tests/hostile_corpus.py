"""Hostile and broken files, made at test time, each with the outcome the portal must give.

An entry is either refused (``refused`` is a substring of the reason the uploader reads)
or accepted (``size`` is the upright width and height the library must record, and every
rendition must come out, unless ``renditions_fail`` names the reason they fail with).
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image

from tests.assets.imagegen import logo, make_jpeg, make_png, make_svg, picture, to_bytes

NOT_AN_IMAGE = "not a JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG image"
GIF = "This is a GIF image. Save it as PNG"
DAMAGED = "truncated or damaged"
UNSAFE_SVG = "the SVG cannot be read safely"
ORIENTATION, X_RESOLUTION, Y_RESOLUTION = 0x0112, 0x011A, 0x011B
SHORT, LONG, RATIONAL, SRATIONAL = 3, 4, 5, 10
# What a kept SVG must not contain: script, event handlers, HTML, or any reference that
# leaves the document (the corpus points its outside references at 127.0.0.1).
SVG_DANGERS = (
    b"<script",
    b"foreignObject",
    b"iframe",
    b"onload",
    b"onclick",
    b"javascript:",
    b"data:text",
    b"data:image/svg",
    b"127.0.0.1",
    b"file:",
    b"@import",
)


@dataclass(frozen=True)
class Hostile:
    id: str
    filename: str
    data: bytes
    refused: str | None = None
    size: tuple[int, int] | None = None
    kind: str = "photo"
    renditions_fail: str | None = None

    @property
    def on_disk_name(self) -> str:
        """The name for import_assets: a real file system allows no NUL, '/' or 300 bytes."""
        safe = self.filename.replace("\0", "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        return safe[-200:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_declared_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def _png(size=(120, 80), **options) -> bytes:
    return make_png(*size, **options).getvalue()


def _jpeg(size=(120, 80), **options) -> bytes:
    return make_jpeg(*size, **options).getvalue()


def _with_png_chunk(png: bytes, chunk: bytes) -> bytes:
    """Insert a chunk right after IHDR, where Pillow reads it while opening."""
    end_of_ihdr = 8 + 25
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def _jpeg_with_sof_size(width: int, height: int) -> bytes:
    data = bytearray(_jpeg((64, 48)))
    sof = data.index(b"\xff\xc0") if b"\xff\xc0" in data else data.index(b"\xff\xc2")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _ycck_jpeg() -> bytes:
    """A 4-channel JPEG whose Adobe marker says YCCK (transform 2) instead of CMYK."""
    data = bytearray(_jpeg((96, 64), mode="CMYK"))
    adobe = data.index(b"Adobe")
    data[adobe + 11] = 2
    return bytes(data)


def _exif(*entries: tuple[int, int, bytes]) -> bytes:
    """A little-endian TIFF header and one IFD of (tag, type, 8-byte value) entries.

    Written by hand, because Pillow (rightly) refuses to write the values these tests need.
    """
    ifd = struct.pack("<H", len(entries))
    data = b""
    data_offset = 8 + 2 + 12 * len(entries) + 4
    for tag, kind, value in entries:
        if len(value) <= 4:
            ifd += struct.pack("<HHI", tag, kind, 1) + value.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", tag, kind, 1, data_offset + len(data))
            data += value
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\0\0\0\0" + data


def _raw_exif_jpeg(payload: bytes) -> bytes:
    """A JPEG whose APP1 Exif segment holds ``payload`` as it is, however broken."""
    data = _jpeg((120, 80))
    segment = b"Exif\x00\x00" + payload
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + data[2:]


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue", "green")]
    return to_bytes(frames[0], fmt, save_all=True, append_images=frames[1:]).getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(document.domain)</script>")
    return buffer.getvalue()


def _svg(body: str = "", *, head: str = "", root: str = "") -> bytes:
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' width="200" height="100" viewBox="0 0 200 100"{root}>'
        f'<rect width="200" height="100" fill="#0050c8"/>{body}</svg>'
    ).encode()


def _use_bomb(levels: int = 12) -> bytes:
    """Each level draws the one below ten times: 10^12 circles from 120 elements."""
    defs = ['<circle id="l0" cx="1" cy="1" r="1"/>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}" x="{i}"/>' for i in range(10))
        defs.append(f'<g id="l{level}">{uses}</g>')
    return _svg(f'<defs>{"".join(defs)}</defs><use xlink:href="#l{levels}"/>')


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + ']><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&lol9;</text></svg>'
).encode()


def corpus() -> list[Hostile]:
    jpeg, png = _jpeg(), _png()
    html = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
    return [
        # Polyglots: valid images carrying something else after their end marker. They are
        # images, so they are kept, and only ever served as images or attachments.
        Hostile("png-html-polyglot", "poly.png", png + html, size=(120, 80)),
        Hostile("jpeg-zip-polyglot", "poly.jpg", _jpeg((130, 80)) + _zip_bytes(), size=(130, 80)),
        Hostile(
            "gif-js-polyglot",
            "poly.gif",
            b"GIF89a/*\x01\x00\x01\x00*/=alert(1)//;",
            refused=GIF,
        ),
        Hostile(
            "gif-js-polyglot-as-jpg",
            "poly.jpg",
            b"GIF89a/*\x01\x00\x01\x00*/=alert(1)//;",
            refused=GIF,
        ),
        Hostile("html-as-png", "page.png", html, refused=NOT_AN_IMAGE),
        Hostile("html-as-svg", "page.svg", html, refused=UNSAFE_SVG),
        Hostile("zip-as-jpg", "archive.jpg", _zip_bytes(), refused=NOT_AN_IMAGE),
        # Wrong extensions and formats outside the allow-list.
        Hostile(
            "jpeg-named-png",
            "photo.png",
            jpeg,
            refused="is a JPEG image but its name ends in “.png”",
        ),
        Hostile(
            "png-named-jpg", "logo.jpg", png, refused="is a PNG image but its name ends in “.jpg”"
        ),
        Hostile(
            "png-named-svg", "logo.svg", png, refused="is a PNG image but its name ends in “.svg”"
        ),
        Hostile(
            "webp-named-jpeg",
            "photo.jpeg",
            to_bytes(picture(80, 60), "WEBP").getvalue(),
            refused="is a WEBP image",
        ),
        Hostile(
            "svg-named-png",
            "logo.png",
            make_svg(),
            refused="is an SVG image but its name ends in “.png”",
        ),
        Hostile("no-extension", "photo", _jpeg((90, 60)), refused="its name ends in “.(nothing)”"),
        Hostile(
            "gif-named-png",
            "anim.png",
            to_bytes(picture(40, 40), "GIF").getvalue(),
            refused=GIF,
        ),
        Hostile(
            "bmp-named-jpg",
            "old.jpg",
            to_bytes(picture(40, 40), "BMP").getvalue(),
            refused="This is a BMP image. Save it as PNG",
        ),
        Hostile(
            "tiff-named-png",
            "scan.png",
            to_bytes(picture(40, 40), "TIFF").getvalue(),
            refused="is a TIFF image but its name ends in “.png”",
        ),
        Hostile(
            "mpo-camera-jpeg",
            "stereo.jpg",
            to_bytes(
                picture(64, 48), "MPO", save_all=True, append_images=[picture(64, 48)]
            ).getvalue(),
            size=(64, 48),
        ),
        # Truncated and empty.
        Hostile("zero-bytes", "empty.jpg", b"", refused="the file is empty"),
        Hostile("jpeg-cut-mid-scan", "cut.jpg", _jpeg((400, 300))[:-2000], refused=DAMAGED),
        Hostile("jpeg-soi-only", "soi.jpg", b"\xff\xd8\xff", refused=NOT_AN_IMAGE),
        Hostile(
            "png-cut-mid-idat", "cut.png", _png((300, 200), mode="RGB")[:-200], refused=DAMAGED
        ),
        Hostile("png-header-only", "head.png", png[:33], refused=NOT_AN_IMAGE),
        Hostile("png-bad-crc", "crc.png", png[:-20] + bytes(4) + png[-16:], refused=DAMAGED),
        # Sizes that lie, and decompression bombs.
        Hostile(
            "png-declares-10-gigapixels",
            "bomb.png",
            png_with_declared_size(100_000, 100_000),
            refused="decompression bomb",
        ),
        Hostile(
            "png-declares-81-megapixels",
            "huge.png",
            png_with_declared_size(9000, 9000),
            refused="the limit is 60 MP",
        ),
        Hostile(
            "jpeg-declares-4-gigapixels",
            "bomb.jpg",
            _jpeg_with_sof_size(65_000, 65_000),
            refused="decompression bomb",
        ),
        Hostile(
            "png-zero-bomb-64-megapixels",
            "zeros.png",
            to_bytes(Image.new("1", (8000, 8000)), "PNG").getvalue(),
            refused="the limit is 60 MP",
        ),
        Hostile(
            "png-ztxt-bomb",
            "ztxt.png",
            _with_png_chunk(
                png, png_chunk(b"zTXt", b"c\x00\x00" + zlib.compress(b"\x00" * 50_000_000, 9))
            ),
            refused="unpacks to far too much data (a decompression bomb)",
        ),
        Hostile(
            "png-itxt-bomb",
            "itxt.png",
            _with_png_chunk(
                png,
                png_chunk(
                    b"iTXt", b"c\x00\x01\x00en\x00c\x00" + zlib.compress(b"A" * 50_000_000, 9)
                ),
            ),
            refused="unpacks to far too much data (a decompression bomb)",
        ),
        Hostile(
            "png-huge-text-chunk",
            "text.png",
            _with_png_chunk(png, png_chunk(b"tEXt", b"c\x00" + b"A" * 3_000_000)),
            size=(120, 80),
        ),
        # Unusual but real colour: kept and rendered.
        Hostile("cmyk-jpeg", "cmyk.jpg", _jpeg((96, 64), mode="CMYK"), size=(96, 64)),
        Hostile("ycck-jpeg", "ycck.jpg", _ycck_jpeg(), size=(96, 64)),
        Hostile(
            "png-16-bit",
            "deep.png",
            to_bytes(
                Image.linear_gradient("L").convert("I;16").resize((100, 70)), "PNG"
            ).getvalue(),
            size=(100, 70),
        ),
        Hostile(
            "palette-with-transparency",
            "pal.png",
            to_bytes(logo(90, 60).convert("P"), "PNG", transparency=0).getvalue(),
            size=(90, 60),
            kind="logo",
        ),
        Hostile(
            "jpeg-broken-icc",
            "icc.jpg",
            _jpeg((80, 60), icc=b"not an icc profile" * 10),
            size=(80, 60),
        ),
        # EXIF with absurd values: ignored, never trusted.
        Hostile(
            "exif-orientation-65535",
            "turn.jpg",
            _raw_exif_jpeg(_exif((ORIENTATION, SHORT, struct.pack("<H", 65535)))),
            size=(120, 80),
        ),
        Hostile(
            "exif-orientation-as-huge-long",
            "long.jpg",
            _raw_exif_jpeg(_exif((ORIENTATION, LONG, struct.pack("<I", 2**32 - 1)))),
            size=(120, 80),
        ),
        Hostile(
            "exif-orientation-zero",
            "zero.jpg",
            _raw_exif_jpeg(_exif((ORIENTATION, SHORT, b"\0\0"))),
            size=(120, 80),
        ),
        Hostile(
            "exif-rationals-negative-and-zero",
            "res.jpg",
            _raw_exif_jpeg(
                _exif(
                    (X_RESOLUTION, SRATIONAL, struct.pack("<ii", -1, 3)),
                    (Y_RESOLUTION, RATIONAL, struct.pack("<II", 1, 0)),
                )
            ),
            size=(120, 80),
        ),
        Hostile(
            "exif-rational-overflow",
            "over.jpg",
            _raw_exif_jpeg(
                _exif(
                    (X_RESOLUTION, SRATIONAL, struct.pack("<ii", -(2**31), -1)),
                    (Y_RESOLUTION, RATIONAL, struct.pack("<II", 2**32 - 1, 1)),
                )
            ),
            size=(120, 80),
        ),
        Hostile(
            "exif-garbage",
            "junk.jpg",
            _raw_exif_jpeg(b"MM\x00\x2a\xff\xff\xff\xff" + b"\xee" * 64),
            size=(120, 80),
        ),
        Hostile(
            "exif-ifd-points-at-itself",
            "loop.jpg",
            _raw_exif_jpeg(
                b"II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x08\x00\x00\x00"
            ),
            size=(80, 120),
        ),
        # Animation.
        Hostile(
            "animated-webp",
            "moving.webp",
            _animated("WEBP"),
            refused="animated images are not supported",
        ),
        Hostile(
            "animated-png",
            "moving.png",
            _animated("PNG"),
            refused="animated images are not supported",
        ),
        # SVG: a DOCTYPE and small plain internal entities are read (design tools write them);
        # nothing outside the file is ever fetched; what is kept is stripped of anything active.
        Hostile(
            "svg-xxe-file",
            "xxe.svg",
            (
                b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text>'
                b"</svg>"
            ),
            refused=UNSAFE_SVG,
        ),
        Hostile("svg-billion-laughs", "laughs.svg", BILLION_LAUGHS, refused=UNSAFE_SVG),
        Hostile(
            "svg-external-dtd",
            "dtd.svg",
            (
                b'<?xml version="1.0"?>'
                b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://127.0.0.1:9/svg11.dtd">'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
            ),
            size=(10, 10),
            kind="logo",
        ),
        Hostile(
            "svg-unknown-external-dtd",
            "sys.svg",
            (
                b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://127.0.0.1:9/x.dtd">'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
            ),
            refused="points at an outside DTD",
        ),
        Hostile(
            "svg-attribute-defaults",
            "attlist.svg",
            (
                b'<?xml version="1.0"?><!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
            ),
            refused="declares attributes",
        ),
        Hostile(
            "svg-entity-flood",
            "flood.svg",
            (
                b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "' + b"A" * 400 + b'">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>'
                + b"&a;" * 1000
                + b"</text></svg>"
            ),
            refused="expand to far more text",
        ),
        Hostile(
            "svg-parameter-entity",
            "param.svg",
            (
                b'<?xml version="1.0"?>'
                b'<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
            ),
            refused=UNSAFE_SVG,
        ),
        Hostile(
            "svg-not-svg-root",
            "html.svg",
            b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
            refused=UNSAFE_SVG,
        ),
        Hostile(
            "svg-deep-nesting",
            "deep.svg",
            _svg("<g>" * 50_000 + "</g>" * 50_000),
            refused="nested more than 100 levels deep",
        ),
        Hostile(
            "svg-use-bomb",
            "bomb.svg",
            _use_bomb(),
            size=(200, 100),
            kind="logo",
            renditions_fail="too complex: drawing it takes longer than the 1 s time limit",
        ),
        Hostile(
            "svg-script-and-handlers",
            "script.svg",
            _svg(
                (
                    '<script>alert(1)</script><circle r="5" onclick="alert(2)"/>'
                    '<a xlink:href="javascript:alert(3)"><text>x</text></a>'
                ),
                root=' onload="alert(0)"',
            ),
            size=(200, 100),
            kind="logo",
        ),
        Hostile(
            "svg-foreign-object",
            "fo.svg",
            _svg(
                '<foreignObject width="200" height="100">'
                '<iframe xmlns="http://www.w3.org/1999/xhtml" src="http://127.0.0.1:9/"/>'
                "</foreignObject>"
            ),
            size=(200, 100),
            kind="logo",
        ),
        Hostile(
            "svg-data-uri-html",
            "data.svg",
            _svg(
                '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
                '<rect width="9" height="9"/></a>'
                '<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9" height="9"/>'
            ),
            size=(200, 100),
            kind="logo",
        ),
        Hostile(
            "svg-http-and-file-references",
            "refs.svg",
            _svg(
                '<image xlink:href="http://127.0.0.1:9/x.png" width="50" height="50"/>'
                '<image href="file:///etc/passwd" width="5" height="5"/>'
                '<rect fill="url(http://127.0.0.1:9/#p)" width="5" height="5"/><style>'
                "@import url(http://127.0.0.1:9/x.css);</style>"
            ),
            size=(200, 100),
            kind="logo",
        ),
        Hostile(
            "svg-animated-href",
            "set.svg",
            _svg('<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'),
            size=(200, 100),
            kind="logo",
        ),
        Hostile(
            "svg-huge-canvas",
            "wide.svg",
            make_svg(100_000, 100_000),
            size=(100_000, 100_000),
            kind="logo",
            renditions_fail="too large a canvas",
        ),
        Hostile(
            "svg-invalid-utf8",
            "bytes.svg",
            _svg().replace(b"<rect", b"\xff\xfe<rect"),
            refused=UNSAFE_SVG,
        ),
        # A name that tries to escape, hide a NUL and overflow columns.
        Hostile(
            "name-traversal-nul-300",
            "../../../etc/" + "a" * 280 + "\0.png",
            _png((70, 50)),
            size=(70, 50),
        ),
    ]
