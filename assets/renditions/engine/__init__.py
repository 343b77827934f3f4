"""The rendition engine: one uploaded image in, one file per platform preset out.

Pure Pillow (no Django), so the benchmark and the tests can drive it directly. One module per
concern: ``plan`` (geometry), ``decode`` (decoding and colour), ``compose`` (the canvas),
``encode`` (byte-limited JPEG/PNG), ``svg`` with its sandboxed child ``svg_child``, and
``render``, the pipeline that ties them together.

Raster path (``render_presets``): the source is decoded once, at the smallest JPEG ``draft``
scale that still covers the most demanding preset (a camera JPEG whose largest sizes need more
than half its pixels: its full-size luma plus its colour at half size, as stored, which is half
the memory of a full RGB decode), and every preset is derived from that decode:
directly, or from a larger preset's resized tile when that tile covers the same crop (a pyramid:
the 1920x1080 background is shrunk from the 2048x1152 one, not from 24 MP again). Crops and
shrinks from the decode happen in the *stored* orientation; each tile made from it is turned
upright, which avoids a full-frame ``exif_transpose`` copy, and the sizes shrunk from that tile
are made upright from it. Colour management (ICC, CMYK) also runs on the
small results. Each shrink is Pillow's integer ``reduce()`` followed by one LANCZOS resize from a
float box (``resize(..., reducing_gap=...)`` does exactly that pair; bicubic for the previews and a
photo's large sizes, see ``pyramid.resample_filter``); a size that is a tile exactly reduced by a
whole number (the X header halves the Mastodon header) is ``reduce()`` alone. RGBA is
premultiplied once, a band at a time on the box of its visible pixels, and, when every preset
allows it, reduced once before anything else.

SVG path (``render_svg_presets``, or ``render_presets`` with SVG bytes, which it sniffs): the SVG
is parsed safely and drawn by cairosvg in a resource-limited child process (a logo's mark is
found first on a small drawing). A simple document (a few elements, as most logos are) has each
size drawn by itself, its crop at its size: drawing is cheaper than resizing there, and exact.
Any other is drawn once at the size the largest preset needs, and that raster is then treated
like a transparent PNG. The child stays warm for the next documents of its worker process
(``svg``). Sanitizing an
uploaded SVG is upload validation's job (assets/intake/svg_sanitize.py), not the engine's.
"""

from assets.renditions.engine.compose import MARK_READ_SIDE, ground_for, mark_bounds
from assets.renditions.engine.decode import enable_heif
from assets.renditions.engine.plan import KINDS, Plan, plan_preset
from assets.renditions.engine.render import render_presets, render_svg_presets
from assets.renditions.engine.results import (
    RenderedImage,
    RenderError,
    RenderFailure,
    RenderResult,
    UnsafeSVG,
)
from assets.renditions.engine.svg import parse_svg, svg_size

# Bump when a change here alters the output files, and put it in content-addressed names (with
# preset.version), so cached renditions made by an older engine are not served as current.
ENGINE_VERSION = 13

__all__ = [
    "ENGINE_VERSION",
    "KINDS",
    "MARK_READ_SIDE",
    "Plan",
    "RenderError",
    "RenderFailure",
    "RenderResult",
    "RenderedImage",
    "UnsafeSVG",
    "enable_heif",
    "ground_for",
    "mark_bounds",
    "parse_svg",
    "plan_preset",
    "render_presets",
    "render_svg_presets",
    "svg_size",
]
