"""Rendition benchmark: how fast, how lean and how faithful is the engine against the naive way.

Run from the project root:

    .venv/bin/python bench/renditions.py

It generates its inputs in a temporary directory (a 24 MP JPEG photo stored 6000x4000 landscape
with EXIF orientation 6, the same photo without rotation and again under a grid of thin lines,
a 12 MP HEIC phone photo (4032x3024, rotated like an iPhone's), a 16 MP RGBA PNG logo, an SVG
logo and an Illustrator-style SVG with its DOCTYPE, entities, styles and private data, rendered
as the library stores it, sanitized),
then runs every method in a fresh child process pinned to one core (``taskset -c 0`` when
available), so each peak RSS (``VmHWM``) is that method's own. Each child renders the full
built-in preset set REPEAT (five) times; the table shows the fastest time (on a shared VM other
work only ever adds time: a plain Python loop here varies by up to 1.8x from one second to the
next), the peak RSS, the speed-up over the naive baseline, and the worst PSNR over the presets
against a reference rendered from full resolution with LANCZOS and no encoding (an SVG from one
drawing larger than any size needs; the avatar frame is a composition of its own and is left
out of PSNR). "vs q85" is the most any JPEG preset lost beyond what encoding the reference
itself at quality 85 costs: the part of the error that the pipeline (draft, reduce, the resize
pyramid) adds. Under each input pyvips reads, a line gives the engine's speed against pyvips.
Naive Pillow encodes through the engine's own encoder and pyvips with the same settings
(quality 85, baseline JPEG, optimized tables, the same chroma), so only the pipelines differ.

Methods: ``baseline`` (open + exif_transpose + ImageOps.fit/contain per preset, re-opening the
file for each one; cairosvg per preset for SVG), ``engine``
(assets.renditions.engine.render_presets) and ``pyvips`` (thumbnail per preset, one thread:
VIPS_CONCURRENCY=1; install it with ``.venv/bin/pip install -r bench/requirements.txt``, it is
not part of the runtime). A
``decode`` row times decoding alone, as the engine decodes (the rotated photo: full-size luma
and half-size colour; the flat one: half size): the floor under any method.

For the 24 MP photos, ``import`` is the whole upload end to end (assets.services.asset_create:
validation, hashing, storing the original, and every size rendered in-process, with PostgreSQL
and local media) and ``base-8`` is naive Pillow making only the first 8 presets; the import
row's ratio is against ``base-8`` (the goal: at least 5x). Every ratio is against a baseline
measured in the same run. Taking the fastest run also leaves out what only a process's first
import pays (loading modules, connecting to the database), which a long-running worker pays
once. Takes about ten minutes; name inputs to run only those, e.g.
``bench/renditions.py logo.png photo-rot6.jpg``. ``--sizes`` adds, under each input's rows,
every size's PSNR for each method beside what q85 encoding of the reference scores: the
worst-of columns say how far quality fell, this says which size it was.

The ``bulk`` row (``bench/renditions.py bulk`` alone) imports 200 mixed files (100 12 MP
JPEGs, 60 RGBA PNG logos, 40 SVG logos) with ``manage.py import_assets`` while two Celery
workers (one process each, unpinned) make the sizes from Redis, and prints the files imported
a minute and the time until every size is ready. It needs ``REDIS_URL`` naming a Redis
database it may use (it works on a queue of its own), drops and makes again the PostgreSQL
database ``portal_engine_bulk`` (or ``BENCH_BULK_DATABASE``) and runs once, not five times.
"""

import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pillow_heif
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets.intake.svg_sanitize import sanitize_svg  # noqa: E402
from assets.renditions.engine import (  # noqa: E402 - needs ROOT on sys.path
    MARK_READ_SIDE,
    ground_for,
    mark_bounds,
    plan_preset,
    render_presets,
    svg_size,
)
from assets.renditions.engine.encode import JPEG_QUALITIES, encode, jpeg_subsampling  # noqa: E402
from assets.renditions.presets import presets_for  # noqa: E402  (every artwork kind has the same sizes)

REPEAT = 5
NOISE = 4
KINDS = {
    "photo-rot6.jpg": "photo",
    "photo-flat.jpg": "photo",
    "photo-detail.jpg": "photo",
    "phone.heic": "photo",
    "logo.png": "logo",
    "logo.svg": "logo",
    "illustrator.svg": "logo",
}
IMPORTED = ("photo-rot6.jpg", "photo-flat.jpg")
CORE_SIZES = 8
SVG_DRAWN_SIDE = 6000
IMPORT_DATABASE = "portal_engine_bench"
BULK = "bulk"  # the bulk import row's name on the command line
# Dropped and made again by the bulk row: BENCH_BULK_DATABASE names another one of your own.
BULK_DATABASE = os.environ.get("BENCH_BULK_DATABASE", "portal_engine_bulk")
BULK_FILES = {"photo": 100, "logo": 60, "svg": 40}
BULK_WORKERS = 2
BULK_TIMEOUT = 3600
# A logo's ground for its profile sizes, decided by the parent (see _place); set in the child.
GROUND = (255, 255, 255)


# ---------------------------------------------------------------------------------------------
# Inputs


def make_inputs(folder: Path) -> None:
    # A photo-like picture: smooth light, some hard edges, and sensor-like noise, so it
    # decodes and encodes like a camera file rather than like a flat test card.
    width, height = 6000, 4000
    gradient = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    photo = Image.merge(
        "RGB", (gradient, radial, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    )
    draw = ImageDraw.Draw(photo)
    for i in range(40):
        x, y = (i * 1543) % width, (i * 977) % height
        draw.rectangle((x, y, x + 300 + i * 7, y + 200 + i * 5), fill=(i * 6, 200 - i * 3, 90 + i))
    # Sigma 4 is daylight ISO 100-400 grain; at 12 (high ISO) JPEG q85 itself caps every
    # method, the baseline included, near 35 dB.
    noise = Image.merge("RGB", [Image.effect_noise((width, height), NOISE) for _ in range(3)])
    photo = ImageChops.add(photo, noise, scale=1.0, offset=-128)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo.save(folder / "photo-rot6.jpg", quality=90, exif=exif.tobytes())
    # The same pixels without rotation, to show what draft() saves when it can shrink.
    photo.save(folder / "photo-flat.jpg", quality=90)
    # A phone's 12 MP HEIC, portrait held: stored landscape with the rotation in the file.
    # (Writing HEIC needs pillow-heif's plugin; the engine loads it only to read one.)
    phone = photo.resize((4032, 3024), Image.Resampling.BILINEAR)
    phone.save(folder / "phone.heic", quality=80, exif=exif.tobytes())
    # The flat photo under a grid of thin lines (dark every 5 pixels, light every 7): detail
    # close to what a size can hold, which a box pre-shrink (draft, reduce) aliases into a
    # pattern of its own. The smooth photo cannot show that loss; this one's sizes (--sizes) do.
    draw = ImageDraw.Draw(photo)
    for x in range(0, width, 5):
        draw.line((x, 0, x, height - 1), fill=(20, 20, 20))
    for y in range(0, height, 7):
        draw.line((0, y, width - 1, y), fill=(240, 240, 240))
    photo.save(folder / "photo-detail.jpg", quality=90)

    side = 4000
    logo = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((side * 0.08, side * 0.08, side * 0.62, side * 0.92), fill=(0, 90, 200, 255))
    draw.rectangle((side * 0.5, side * 0.4, side * 0.95, side * 0.6), fill=(230, 60, 20, 255))
    draw.polygon(
        [(side * 0.2, side * 0.7), (side * 0.5, side * 0.2), (side * 0.8, side * 0.7)],
        fill=(250, 200, 0, 200),
    )
    logo.save(folder / "logo.png", compress_level=6)

    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400" viewBox="0 0 800 400">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#0050c8"/>'
        '<stop offset="1" stop-color="#00a0e0"/></linearGradient></defs>'
        '<circle cx="220" cy="200" r="160" fill="url(#g)"/>'
        '<rect x="430" y="160" width="330" height="80" rx="20" fill="#e63c14"/>'
        '<path d="M120 330 L220 60 L320 330 Z" fill="#fac800" fill-opacity="0.8"/></svg>'
    )
    (folder / "illustrator.svg").write_bytes(sanitize_svg(_illustrator_svg()))


def _illustrator_svg() -> bytes:
    """Illustrator's "Save As SVG": DOCTYPE, namespace entities, class styles, a hidden switch
    with its private editing data (a large base64 block), and a few hundred paths."""
    paths = "".join(
        f'<path class="st{i % 3}" d="M{i % 40 * 20} {i // 40 * 40} l18 0 l-9 30 z"/>'
        for i in range(400)
    )
    private = "".join(f"{i:08x}" for i in range(40_000))  # stands in for Illustrator's pgf
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 28.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0) -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
  <!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">
  <!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">
  <!ENTITY ns_pdf "http://ns.adobe.com/pdf/1.3/">
  <!ENTITY ns_svg "http://www.w3.org/2000/svg">
  <!ENTITY ns_xlink "http://www.w3.org/1999/xlink">
]>
<svg version="1.1" xmlns:x="&ns_extend;" xmlns:i="&ns_ai;" xmlns="&ns_svg;"
  xmlns:xlink="&ns_xlink;" x="0px" y="0px" width="800px" height="400px" viewBox="0 0 800 400">
<style type="text/css">.st0{{fill:#0050C8;}} .st1{{fill:#E63C14;}} .st2{{fill:#FAC800;}}</style>
<switch>
  <foreignObject requiredExtensions="&ns_ai;" x="0" y="0" width="1" height="1">
    <i:pgfRef xlink:href="#adobe_illustrator_pgf"/>
  </foreignObject>
  <g i:extraneous="self">{paths}</g>
</switch>
<i:pgf id="adobe_illustrator_pgf">{private}</i:pgf>
</svg>""".encode()


# ---------------------------------------------------------------------------------------------
# Methods (run inside the child process)


def run_engine(path: Path) -> dict[str, bytes]:
    with path.open("rb") as source:
        results = render_presets(source, presets_for("photo"), kind=KINDS[path.name])
    return {r.slug: r.data for r in results if hasattr(r, "data")}


def run_baseline(path: Path, presets=None) -> dict[str, bytes]:
    outputs = {}
    for preset in presets or presets_for("photo"):
        if path.suffix == ".svg":
            image = _svg_artwork(path, preset)
        else:
            with Image.open(path) as opened:
                image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            if preset.fit == "inside":  # the portal's page previews keep the whole picture
                image = ImageOps.contain(image, preset.size, Image.Resampling.LANCZOS)
            elif KINDS[path.name] == "photo":
                image = ImageOps.fit(image, preset.size, Image.Resampling.LANCZOS)
            else:
                plan = _logo_plan(preset, image)
                tile = image.resize(plan.size, Image.Resampling.LANCZOS, box=plan.crop)
                image = _place(preset, tile, plan, GROUND)
        outputs[preset.slug] = _encode(image, preset, KINDS[path.name])
    return outputs


def run_baseline_core(path: Path) -> dict[str, bytes]:
    """Naive Pillow, only the first CORE_SIZES presets: what the import row is held to."""
    return run_baseline(path, presets_for("photo")[:CORE_SIZES])


def forget_imports() -> None:
    """Empty the library before each import (not timed): the same bytes again are refused."""
    import django

    django.setup()
    from assets.models import Asset

    Asset.objects.all().delete()


def run_import(path: Path) -> dict[str, bytes]:
    """One upload end to end: validation, hashing, storing, every size (in-process)."""
    from django.core.files import File

    from assets.models import Rendition
    from assets.services import asset_create

    with path.open("rb") as source:
        asset = asset_create(file=File(source), filename=path.name, uploaded_by=None)
    ready = asset.current_renditions().filter(status=Rendition.Status.READY).count()
    if ready != len(presets_for("photo")):
        raise SystemExit(f"import made {ready} of {len(presets_for('photo'))} sizes")
    return {}


def run_pyvips(path: Path) -> dict[str, bytes]:
    """libvips' own resize (shrink-on-load, then lanczos3), with the engine's geometry: photos
    cropped to fill around the centre, logos trimmed to their mark and placed in each slot."""
    import pyvips

    kind = KINDS[path.name]
    if path.suffix == ".heic":
        # pyvips-binary's libheif has no HEVC decoder (it reads only a HEIC's thumbnail).
        raise SystemExit("not comparable: pyvips-binary cannot decode HEVC")
    if kind == "logo":
        if path.suffix == ".svg":
            # Planned on the drawing the reference is made from, as the baseline plans.
            data = path.read_bytes()
            size = tuple(side * _svg_scale(data) for side in svg_size(data))
        else:
            header = pyvips.Image.new_from_file(str(path))
            size = (header.width, header.height)
        # The mark is found on a copy shrunk by a box filter, as the engine finds it.
        factor = max(1, max(size) // MARK_READ_SIDE)
        if path.suffix == ".svg":
            probe = pyvips.Image.thumbnail(str(path), round(size[0] / factor))
        else:
            probe = pyvips.Image.new_from_file(str(path)).shrink(factor, factor, ceil=True)
        marks = Image.open(io.BytesIO(probe.write_to_buffer(".png"))).convert("RGBA")
    outputs = {}
    for preset in presets_for("photo"):
        if kind == "logo":
            image = _pyvips_logo(path, preset, _logo_plan(preset, marks, size), size)
            if preset.shown_as_circle:
                image = image.flatten(background=list(GROUND))
        else:
            # The page previews keep the picture's shape; every other size is cropped to fill.
            crop = "centre" if preset.fit == "cover" else "none"
            image = pyvips.Image.thumbnail(
                str(path), preset.width, height=preset.height, crop=crop, size="both"
            )
        if preset.format == "JPEG":
            if image.hasalpha():
                image = image.flatten(background=[255, 255, 255])
            # The engine's chroma (libvips' "auto" is 4:2:0 below Q 90) and, as the engine
            # writes, baseline JPEG.
            subsample = "off" if jpeg_subsampling(kind) == "4:4:4" else "auto"
            suffix = f".jpg[Q={JPEG_QUALITIES[0]},optimize_coding,strip,subsample_mode={subsample}]"
        else:
            suffix = ".png"
        outputs[preset.slug] = image.write_to_buffer(suffix)
    return outputs


def _pyvips_logo(path: Path, preset, plan, size: tuple[float, float]):
    """The mark of a logo at its planned size, on the planned canvas (transparent)."""
    import pyvips

    left, top, right, bottom = plan.crop
    scale = plan.size[0] / (right - left)
    whole = pyvips.Image.thumbnail(
        str(path),
        max(1, math.ceil(size[0] * scale)),
        height=max(1, math.ceil(size[1] * scale)),
        size="force",
    )
    if not whole.hasalpha():
        whole = whole.bandjoin(255)
    # The thumbnail's size was rounded up to whole pixels, and the crop starts between pixels
    # (as the engine's and the reference's boxes do): one small resample puts both right.
    tile = whole.premultiply().affine(
        [scale * size[0] / whole.width, 0, 0, scale * size[1] / whole.height],
        odx=-left * scale,
        ody=-top * scale,
        oarea=[0, 0, *plan.size],
        interpolate=pyvips.Interpolate.new("bicubic"),
        extend="background",
        background=[0, 0, 0, 0],
    )
    tile = tile.unpremultiply().cast("uchar")
    width, height = plan.canvas or preset.size
    return tile.embed(*plan.position, width, height, extend="background", background=[0, 0, 0, 0])


def _logo_plan(preset, image: Image.Image, size: tuple[float, float] | None = None):
    """The engine's logo geometry: the trimmed mark of ``image``, sized to the slot, planned
    for a source of ``size`` (default: the image's own)."""
    left, top, right, bottom = mark_bounds(image)
    width, height = size or image.size
    mark = (left * width, top * height, right * width, bottom * height)
    return plan_preset(preset, (width, height), "logo", 0.5, 0.5, mark=mark)


def _svg_scale(data: bytes) -> float:
    """Pixels per SVG unit of the SVG drawings the reference and the baseline plan on: more
    than any preset needs, so that (as in the engine, which draws it as large as the presets
    need) no size of a vector source is capped by its drawing, e.g. the page previews."""
    return SVG_DRAWN_SIDE / max(svg_size(data))


def _svg_drawing(data: bytes, scale: float) -> Image.Image:
    import cairosvg

    width, height = svg_size(data)
    png = cairosvg.svg2png(
        bytestring=data,
        output_width=math.ceil(width * scale),
        output_height=math.ceil(height * scale),
    )
    return Image.open(io.BytesIO(png)).convert("RGBA")


def _svg_artwork(path: Path, preset) -> Image.Image:
    """Naive: the SVG drawn again for each preset at the size its trimmed mark needs."""
    data = path.read_bytes()
    width, height = svg_size(data)
    scale = _svg_scale(data)
    plan = _logo_plan(preset, _svg_drawing(data, 400 / width), (width * scale, height * scale))
    drawing = _svg_drawing(data, scale * plan.size[0] / (plan.crop[2] - plan.crop[0]))
    # Its size was rounded up to whole pixels: map the crop by the size it really has.
    fx, fy = drawing.width / (width * scale), drawing.height / (height * scale)
    left, top, right, bottom = plan.crop
    box = (left * fx, top * fy, right * fx, bottom * fy)
    tile = drawing.resize(plan.size, Image.Resampling.LANCZOS, box=box)
    return _place(preset, tile, plan, GROUND)


def _place(preset, artwork: Image.Image, plan, ground: tuple[int, int, int]) -> Image.Image:
    """``artwork`` on the planned canvas; a size shown as a circle (a profile photo) on
    ``ground``, ground_for() of the whole artwork (GROUND in a method's child).

    That is the engine's rule for a transparent mark: it lies on a ground it stands out on,
    white or the portal's dark ink. Every method and the reference follow it, or a dark ground
    would read as lost quality. The ground is judged once on the whole artwork, not on each
    size's tile as the engine judges it: a mark of equal parts blue and yellow is a tie that
    the last pixel of a resize may tip, and the reference would then disagree with itself. The
    parent decides it with the reference and hands it to every method's child, untimed.
    """
    canvas = Image.new("RGBA", plan.canvas or preset.size, (0, 0, 0, 0))
    canvas.alpha_composite(artwork.convert("RGBA"), plan.position)
    if preset.shown_as_circle and artwork.mode == "RGBA":
        return _flatten(canvas, ground)
    return canvas


def _encode(image: Image.Image, preset, kind: str) -> bytes:
    """The engine's own encoder (its settings and byte limits), so only the pipelines differ."""
    return encode(_flatten(image) if preset.format == "JPEG" else image, preset, kind)


def _flatten(image: Image.Image, ground: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    if image.mode != "RGBA":
        return image.convert("RGB")
    flat = Image.new("RGBA", image.size, (*ground, 255))
    flat.alpha_composite(image)
    return flat.convert("RGB")


def run_decode(path: Path) -> dict[str, bytes]:
    """Only the decoding the engine does: the floor for any method. Both photos' colour at half
    size; the rotated one's largest sizes need more than half its pixels, so its luma too."""
    with Image.open(path) as image:
        if image.format == "JPEG":
            image.draft(image.mode, (image.width // 2, image.height // 2))
            if image.getexif().get(0x0112, 1) != 1:
                with Image.open(path) as luma:
                    luma.draft("L", None)
                    luma.load()
        image.load()
    return {}


def child(method: str, path: Path, out: Path, ground: str) -> None:
    global GROUND
    if ground != "-":
        GROUND = tuple(int(value) for value in ground.split(","))
    if method not in ("engine", "import"):
        # Naive Pillow needs the HEIC plugin loaded up front; the engine and the import load
        # it themselves when they meet a HEIC file (so their peak RSS is their own).
        pillow_heif.register_heif_opener()
    methods = {"engine": run_engine, "baseline": run_baseline, "pyvips": run_pyvips}
    run = {**methods, "decode": run_decode, "base-8": run_baseline_core, "import": run_import}[
        method
    ]
    times = []
    for _ in range(REPEAT):
        # The last repeat's files go first, so one render's outputs at a time count in the peak.
        outputs = {}
        if method == "import":
            forget_imports()
        start = time.perf_counter()
        outputs = run(path)
        times.append(time.perf_counter() - start)
    out.mkdir(parents=True, exist_ok=True)
    for slug, data in outputs.items():
        (out / slug).write_bytes(data)
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
    print(json.dumps({"seconds": min(times), "peak_mb": peak_kb / 1024}))


# ---------------------------------------------------------------------------------------------
# Bulk import: import_assets with real Celery workers


def make_bulk_inputs(folder: Path) -> None:
    """BULK_FILES mixed files, each unique (the library refuses the same bytes twice): 12 MP
    camera-like JPEGs, RGBA PNG logos 2000 px wide, SVG logos."""
    folder.mkdir()
    width, height = 4000, 3000
    photo = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    grain = Image.merge("RGB", [Image.effect_noise((width, height), NOISE) for _ in range(3)])
    photo = ImageChops.add(photo, grain, offset=-128)
    for n in range(BULK_FILES["photo"]):
        copy = photo.copy()
        ImageDraw.Draw(copy).rectangle(
            (n * 37, n * 23, n * 37 + 400, n * 23 + 300), fill=(n, 90, 200)
        )
        copy.save(folder / f"photo-{n:03}.jpg", quality=88)
    for n in range(BULK_FILES["logo"]):
        logo = Image.new("RGBA", (2000, 1000), (0, 0, 0, 0))
        draw = ImageDraw.Draw(logo)
        draw.ellipse((100 + n, 100, 900, 900), fill=(0, 90, 200, 255))
        draw.rectangle((1000, 400, 1900 - n, 600), fill=(230, 60, 20, 255))
        logo.save(folder / f"logo-{n:03}.png")
    for n in range(BULK_FILES["svg"]):
        (folder / f"mark-{n:03}.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400">'
            f'<circle cx="{200 + n}" cy="200" r="160" fill="#0050c8"/>'
            '<rect x="430" y="160" width="330" height="80" rx="20" fill="#e63c14"/></svg>'
        )


def run_bulk(folder: Path) -> None:
    """import_assets of the mixed folder while BULK_WORKERS Celery workers (one process each)
    make the sizes from Redis; PostgreSQL, local media, production settings."""
    import psycopg

    from bench.harness import SERVER, production_env, recreate_database

    redis = os.environ.get("REDIS_URL")
    if not redis:
        print(f"{BULK:<15} skipped: set REDIS_URL to a Redis database the bench may use")
        return
    inputs = folder / "bulk"
    make_bulk_inputs(inputs)
    total = sum(BULK_FILES.values())
    # The sizes go to the renditions queue (portal/settings.py routes assets' tasks there);
    # anything else the import sends, to a default queue of this run's own.
    queue = f"bench-bulk-{os.getpid()}"
    env = os.environ | production_env(
        BULK_DATABASE,
        MEDIA_ROOT=str(folder / "media-bulk"),
        REDIS_URL=redis,
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )
    recreate_database(env)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency", "1",
             "--queues", f"renditions,{queue}", "--hostname", f"bulk{n}@%h",
             "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for n in range(BULK_WORKERS)
    ]  # fmt: skip
    sizes = total * len(presets_for("photo"))
    try:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_assets", str(inputs)],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        imported = time.perf_counter() - start
        with psycopg.connect(f"{SERVER}/{BULK_DATABASE}", autocommit=True) as db:
            deadline = time.monotonic() + BULK_TIMEOUT
            while time.monotonic() < deadline:
                ((done, failed),) = db.execute(
                    "SELECT count(*) FILTER (WHERE status <> 'pending'),"
                    " count(*) FILTER (WHERE status = 'failed') FROM assets_rendition"
                ).fetchall()
                if done == sizes:
                    break
                time.sleep(0.5)
        ready = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    if done != sizes:
        print(f"{BULK:<15} failed: {done} of {sizes} sizes made in {BULK_TIMEOUT} s")
        return
    print(
        f"{BULK:<15} {total} files ({', '.join(f'{v} {k}' for k, v in BULK_FILES.items())}),"
        f" {BULK_WORKERS} workers: imported in {imported:.0f} s ({total / imported * 60:.0f}"
        f" files/min), every size ready after {ready:.0f} s ({total / ready * 60:.0f} files/min,"
        f" {sizes} sizes, {failed} failed)"
    )


# ---------------------------------------------------------------------------------------------
# Reference and PSNR (parent process)


def reference(path: Path) -> tuple[dict[str, Image.Image], tuple[int, int, int] | None]:
    """Full-resolution LANCZOS renders with the engine's geometry, not encoded, and the ground
    of a logo's profile sizes (see _place)."""
    refs = {}
    if path.suffix == ".svg":
        data = path.read_bytes()
        full = _svg_drawing(data, _svg_scale(data))
    else:
        with Image.open(path) as opened:
            full = ImageOps.exif_transpose(opened)
    kind = KINDS[path.name]
    ground = ground_for(full) if kind == "logo" else None
    for preset in presets_for("photo"):
        if preset.overlay:
            continue
        plan = (
            _logo_plan(preset, full)
            if kind == "logo"
            else plan_preset(preset, full.size, kind, 0.5, 0.5)
        )
        tile = full.resize(plan.size, Image.Resampling.LANCZOS, box=plan.crop)
        refs[preset.slug] = _flatten(_place(preset, tile, plan, ground) if ground else tile)
    return refs, ground


def psnr(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        raise ValueError(f"{a.size} against a reference of {b.size}: the geometry differs")
    diff = ImageChops.difference(_flatten(a), _flatten(b))
    stat = ImageStat.Stat(diff)
    mse = sum(stat.sum2) / (3 * a.size[0] * a.size[1])
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def main(names: list[str], *, sizes: bool = False) -> None:
    unknown = sorted(set(names) - set(KINDS) - {BULK})
    if unknown:
        raise SystemExit(f"unknown input {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    # Here, not at the top: the children would carry psycopg's 20 MB in their peak RSS.
    from bench.harness import production_env, recreate_database

    pillow_heif.register_heif_opener()  # to write the HEIC input and read its reference
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    if not pin:
        print("taskset not found: running unpinned")
    try:
        import pyvips  # noqa: F401

        methods = ["baseline", "engine", "pyvips"]
    except ImportError:
        methods = ["baseline", "engine"]
        print("pyvips: not installed, skipped")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [name for name in names or KINDS if name != BULK]
        if inputs:  # the bulk row alone needs none of these inputs, nor the import database
            make_inputs(folder)
            # The import rows run against PostgreSQL (a database of their own) and local media.
            env = os.environ | production_env(IMPORT_DATABASE, MEDIA_ROOT=str(folder / "media"))
            env["VIPS_CONCURRENCY"] = "1"
            recreate_database(env)
            header = f"{'input':<15} {'method':<9} {'seconds':>8} {'peak MB':>8} {'ratio':>6}"
            print(f"{header} {'PSNR JPEG':>9} {'vs q85':>7} {'PSNR PNG':>9}")
        for name in inputs:
            path = folder / name
            refs, ground = reference(path)
            ceilings = {slug: psnr(_reencoded(ref, KINDS[name]), ref) for slug, ref in refs.items()}
            seconds = {}
            outputs = {}
            rows = [*methods, "decode", *(["base-8", "import"] if name in IMPORTED else [])]
            for method in rows:
                if method == "decode" and path.suffix == ".svg":
                    continue
                out = folder / f"out-{method}-{name}"
                command = [*pin, sys.executable, __file__, "--child", method, str(path), str(out)]
                command.append(",".join(map(str, ground)) if ground else "-")
                completed = subprocess.run(command, capture_output=True, text=True, env=env)
                if completed.returncode != 0:
                    reason = (completed.stderr.strip().splitlines() or ["?"])[-1][:70]
                    print(f"{name:<15} {method:<9} failed: {reason}")
                    continue
                stats = json.loads(completed.stdout.strip().splitlines()[-1])
                seconds[method] = stats["seconds"]
                if method in methods:
                    outputs[method] = out
                against = seconds.get("base-8") if method == "import" else seconds.get("baseline")
                ratio = f"{against / stats['seconds']:>5.1f}x" if against else "    -"
                print(
                    f"{name:<15} {method:<9} {stats['seconds']:>8.3f} {stats['peak_mb']:>8.1f}"
                    f" {ratio} {_worst(out, refs, 'JPEG'):>9} {_loss(out, refs, ceilings):>7}"
                    f" {_worst(out, refs, 'PNG'):>9}"
                )
            if "engine" in seconds and "pyvips" in seconds:
                print(f"{name:<15} engine vs pyvips {seconds['pyvips'] / seconds['engine']:.2f}x")
            if sizes:
                _per_size(outputs, refs, ceilings)
        if not names or BULK in names:
            run_bulk(folder)


def _formats() -> dict[str, str]:
    """Each preset's output format, by slug."""
    return {preset.slug: preset.format for preset in presets_for("photo")}


def _worst(out: Path, refs: dict[str, Image.Image], fmt: str) -> str:
    """The lowest PSNR over the presets of one output format, or "-" if there are none."""
    formats = _formats()
    scores = [
        psnr(Image.open(out / slug), ref)
        for slug, ref in refs.items()
        if formats[slug] == fmt and (out / slug).exists()
    ]
    return f"{min(scores):.1f}" if scores else "-"


def _per_size(
    outputs: dict[str, Path], refs: dict[str, Image.Image], ceilings: dict[str, float]
) -> None:
    """Each size's PSNR per method, and for a JPEG size what q85 encoding of the reference
    itself scores (the best a method can do)."""
    formats = _formats()
    print(f"  {'size':<24} {'format':<6} {'q85':>5}" + "".join(f" {m:>8}" for m in outputs))
    for slug, ref in refs.items():
        ceiling = f"{ceilings[slug]:.1f}" if formats[slug] == "JPEG" else "-"
        cells = [
            f"{psnr(Image.open(out / slug), ref):.1f}" if (out / slug).exists() else "-"
            for out in outputs.values()
        ]
        print(f"  {slug:<24} {formats[slug]:<6} {ceiling:>5}" + "".join(f" {c:>8}" for c in cells))


def _reencoded(image: Image.Image, kind: str) -> Image.Image:
    """The reference through the engine's first JPEG attempt: the best any method can score."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITIES[0], subsampling=jpeg_subsampling(kind))
    return Image.open(buffer)


def _loss(out: Path, refs: dict[str, Image.Image], ceilings: dict[str, float]) -> str:
    """Worst dB lost to the pipeline (draft, reduce, pyramid) beyond q85 encoding itself."""
    formats = _formats()
    losses = [
        ceilings[slug] - psnr(Image.open(out / slug), ref)
        for slug, ref in refs.items()
        if formats[slug] == "JPEG" and (out / slug).exists()
    ]
    return f"{max(losses):.1f}" if losses else "-"


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5])
    else:
        main([arg for arg in sys.argv[1:] if arg != "--sizes"], sizes="--sizes" in sys.argv)
