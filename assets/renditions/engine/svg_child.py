"""Child process that rasterizes sanitized SVG documents, one at a time, under hard limits.

Started by assets.renditions.engine.svg, which imports only its protocol constants:

    python -P assets/renditions/engine/svg_child.py ADDRESS_BYTES

It imports cairosvg once, caps its own address space, then serves documents until its input
ends or a drawing fails. Each request on stdin is REQUEST (CPU seconds, document length, number
of windows), the document, and that many WINDOWs: the part of the document drawn at some size
that is wanted (the whole drawing, or one size's crop of it). Each window is answered on stdout
by ANSWER (status, width, height, payload length) and the payload: the raster as cairo keeps it
(premultiplied BGRA, native byte order, ``width * 4`` bytes a row) with OK, or the reason in
UTF-8 with CANNOT_DRAW or OUT_OF_MEMORY. After any failure it exits, so the parent starts a
fresh process for the next document; going over a document's CPU seconds (all its windows
together) kills it with SIGXCPU.
"""

import math
import re
import resource
import struct
import sys

REQUEST = struct.Struct("<IQI")
# The whole document drawn at (drawing width, drawing height) pixels, then stretched vertically
# by ``stretch``; of that, the window's width x height pixels from (left, top). Floats: a size's
# crop starts between pixels.
WINDOW = struct.Struct("<dddddII")
ANSWER = struct.Struct("<BIIQ")
OK = 0
CANNOT_DRAW = 1
OUT_OF_MEMORY = 3

_SAFE_DATA_URI = re.compile(r"data:image/(png|jpe?g|webp)[;,]", re.IGNORECASE)
_EMPTY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def _fetch(url: str, resource_type: str) -> bytes:
    # Only embedded raster images are read; anything else (http:, file:, other data: types)
    # becomes an empty picture, so rendering can never reach the network or the disk.
    if _SAFE_DATA_URI.match(url):
        from urllib.request import urlopen  # here: the parent imports this module too

        with urlopen(url) as response:  # noqa: S310 - data: URI only, checked above
            return response.read()
    return _EMPTY_SVG


def _read_exactly(stream, count: int) -> bytes | None:
    data = stream.read(count)
    return data if len(data) == count else None


def _arm_cpu_limit(seconds: int) -> None:
    """Let this drawing use ``seconds`` of CPU from now: the kernel sends SIGXCPU after that.

    Only the soft limit moves (a process may raise it up to the hard limit again), so one
    long-lived child still gets a budget per drawing, not one for its whole life.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _answer(out, status: int, width: int, height: int, payload) -> None:
    out.write(ANSWER.pack(status, width, height, len(payload)))
    out.write(payload)
    out.flush()


def _window_surface():
    """cairosvg's PNG surface, drawing only a window of the document at its drawing size."""
    import cairocffi
    from cairosvg.surface import PNGSurface

    class WindowSurface(PNGSurface):
        def __init__(self, tree, window: tuple) -> None:
            drawing_width, drawing_height, *self._placement, width, height = window
            self._window_size = (width, height)
            super().__init__(
                tree, None, 96, output_width=drawing_width, output_height=drawing_height
            )

        def _create_surface(self, width: float, height: float):
            # Only the window's pixels; the surface keeps the whole drawing's size, which
            # masks and transform origins are measured against.
            surface = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, *self._window_size)
            return surface, round(width), round(height)

        def set_context_size(self, *args) -> None:
            # The first call sets up the root's viewport (nested <svg> elements call it
            # again): the window is moved and stretched before it, under everything drawn.
            if self._placement:
                left, top, stretch = self._placement
                self.context.translate(-left, -top)
                self.context.scale(1, stretch)
                self._placement = None
            super().set_context_size(*args)

    return WindowSurface


def _draw(svg: bytes, window: tuple, surface_class):
    from cairosvg.parser import Tree

    # Parsed again for every window: drawing changes the tree (a mask's node becomes a
    # group), so a tree is drawn once.
    tree = Tree(bytestring=svg, unsafe=False, url_fetcher=_fetch)
    # The surface draws as it is made. Its pixels are read as they are, never encoded as PNG
    # (which cost more than the drawing for large rasters, and a decode again in the parent),
    # so it is not finish()ed: that would free them.
    surface = surface_class(tree, window)
    surface.cairo.flush()
    return surface.cairo


def main(argv: list[str]) -> int:
    (address_space,) = (int(arg) for arg in argv)
    # Imported before the limits, so the import spends neither the first drawing's CPU budget
    # nor its address space; this is the start-up a warm child pays once.
    surface_class = _window_surface()

    # Limits are set here, in the child, so a hostile file can only exhaust this process.
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    source, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = _read_exactly(source, REQUEST.size)
        if header is None:
            return 0  # the parent is done with us (or gone)
        cpu_seconds, length, count = REQUEST.unpack(header)
        svg = _read_exactly(source, length)
        windows = _read_exactly(source, WINDOW.size * count)
        if svg is None or windows is None:
            return 0
        _arm_cpu_limit(cpu_seconds)
        for window in WINDOW.iter_unpack(windows):
            status = _answer_window(out, svg, window, surface_class)
            if status != OK:
                return status
        del svg


def _answer_window(out, svg: bytes, window: tuple, surface_class) -> int:
    """Draw one window and answer it: OK, or the failure's status."""
    try:
        image = _draw(svg, window, surface_class)
    except MemoryError:
        _answer(out, OUT_OF_MEMORY, 0, 0, b"")
        return OUT_OF_MEMORY
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        ZeroDivisionError,
        OverflowError,
    ) as exc:
        # cairosvg reads each attribute as it draws: these are values it cannot parse.
        reason = f"a value in it is not valid SVG ({exc})"[:300]
        _answer(out, CANNOT_DRAW, 0, 0, reason.encode())
        return CANNOT_DRAW
    except Exception as exc:  # any other cairosvg failure: its reason goes to the asset page
        reason = f"the drawing library stopped ({type(exc).__name__}: {exc})"[:300]
        _answer(out, CANNOT_DRAW, 0, 0, reason.encode())
        return CANNOT_DRAW
    # get_data() is a view of the surface's memory: the surface is alive until written.
    _answer(out, OK, image.get_width(), image.get_height(), image.get_data())
    return OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
