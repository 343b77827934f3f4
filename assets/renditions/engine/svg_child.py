"""Child process that rasterizes one sanitized SVG to PNG under hard resource limits.

Run by assets.renditions.engine.svg, which imports only its exit codes:

    python -P assets/renditions/engine/svg_child.py WIDTH HEIGHT CPU_SECONDS ADDRESS_BYTES \
        < in.svg > out.png

Exit status 0 with PNG bytes on stdout; CANNOT_DRAW with the reason on stderr;
OUT_OF_MEMORY; or killed by SIGXCPU/SIGKILL at the CPU limit.
"""

import re
import resource
import sys

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


def main(argv: list[str]) -> int:
    width, height, cpu_seconds, address_space = (int(arg) for arg in argv)
    # Imported here, not at the top, so the parent can read the exit codes without loading
    # cairo; and before the limits, so the import does not spend the drawing's CPU budget.
    from cairosvg.surface import PNGSurface

    # Limits are set here, in the child, so a hostile file can only exhaust this process.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    svg = sys.stdin.buffer.read()
    try:
        # svg2png() does not pass url_fetcher through; the surface class does.
        png = PNGSurface.convert(
            bytestring=svg,
            output_width=width,
            output_height=height,
            unsafe=False,
            url_fetcher=_fetch,
        )
    except MemoryError:
        return OUT_OF_MEMORY
    except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, OverflowError) as exc:
        # cairosvg reads each attribute as it draws: these are values it cannot parse.
        sys.stderr.write(f"a value in it is not valid SVG ({exc})\n"[:300])
        return CANNOT_DRAW
    except Exception as exc:  # any other cairosvg failure: its reason goes to the asset page
        sys.stderr.write(f"the drawing library stopped ({type(exc).__name__}: {exc})\n"[:300])
        return CANNOT_DRAW
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
