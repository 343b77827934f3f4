"""Every file of the hostile corpus through the upload page, import_assets and the API.

Each must meet the outcome its entry declares: a refusal naming the reason, or an asset
of the declared size whose renditions come out right. Never a 500, never a file outside
the media root, never an SVG that keeps anything active, never an unbounded render.
"""

import html
import os
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.models import Asset, Rendition
from assets.renditions.engine import svg
from assets.renditions.presets import presets_for
from tests.factories import make_asset
from tests.hostile_corpus import SVG_DANGERS, corpus

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns, then ignores, the corpus's broken EXIF blocks: that is the point.
    pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning"),
]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = corpus()
ACCEPTED = [hostile for hostile in CORPUS if not hostile.refused]
SAFE_DOWNLOAD_TYPES = {"image/jpeg", "image/png", "image/webp", "application/octet-stream"}


def test_the_corpus_has_at_least_forty_files_with_unique_ids():
    assert len(CORPUS) >= 40
    assert len({hostile.id for hostile in CORPUS}) == len(CORPUS)


@pytest.fixture(autouse=True)
def _short_svg_time_limit(monkeypatch):
    # Every SVG render here is held to one CPU second by the child's limit: that, not a
    # wall clock, bounds these tests (raster inputs are bounded by the pixel limit).
    monkeypatch.setattr(svg, "SVG_TIME_LIMIT", 1.0)


# Tool folders nothing under test writes to; .venv alone made the snapshot 10x slower. The
# identity provider's virtualenv may be built by another test worker meanwhile.
_NOT_WATCHED = {
    ".git",
    ".venv",
    ".oidc-provider",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "node_modules",
}


def _files(folder: Path) -> set[Path]:
    found = set()
    for parent, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if name not in _NOT_WATCHED]
        found.update(Path(parent, name) for name in files)
    return found


@pytest.fixture
def contained(tmp_path, monkeypatch, settings):
    """After the test: no temporary file left, and nothing written outside the media root."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    settings.FILE_UPLOAD_TEMP_DIR = str(scratch)
    project = _files(ROOT)
    yield tmp_path
    assert _files(scratch) == set()
    allowed = (Path(settings.MEDIA_ROOT), tmp_path / "incoming")
    outside = {path for path in _files(tmp_path) if not any(map(path.is_relative_to, allowed))}
    assert outside == set()
    assert _files(ROOT) == project


def assert_renditions_right(asset: Asset, hostile) -> None:
    renditions = list(asset.current_renditions())
    assert len(renditions) == len(presets_for("photo"))
    for rendition in renditions:
        if hostile.renditions_fail:
            assert rendition.status == Rendition.Status.FAILED
            assert hostile.renditions_fail in rendition.error
            continue
        assert rendition.status == Rendition.Status.READY, rendition.error
        preset = next(p for p in presets_for("photo") if p.slug == rendition.preset)
        with rendition.file.open("rb") as file, Image.open(file) as image:
            assert image.format == preset.made_for(asset.kind).format
            if preset.fit == "cover":  # a page preview keeps the source's shape instead
                assert image.size == preset.size
            image.load()


def assert_svg_is_inert(data: bytes) -> None:
    found = [danger for danger in SVG_DANGERS if danger in data]
    assert found == []


@pytest.mark.parametrize("hostile", CORPUS, ids=lambda hostile: hostile.id)
def test_the_upload_page_refuses_it_with_the_reason_or_renders_it(
    client, marketer, hostile, contained, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/library/upload/",
            {"files": [SimpleUploadedFile(hostile.filename, hostile.data)], "kind": hostile.kind},
        )
    if hostile.refused:
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert 'class="result refused"' in page
        assert hostile.refused in page
        assert not Asset.objects.exists()
        return
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.width, asset.height) == hostile.size
    assert asset.original.name.startswith(f"originals/{asset.sha256[:2]}/{asset.sha256}.")
    assert_renditions_right(asset, hostile)
    if asset.format == "SVG":
        assert_svg_is_inert(asset.original.open("rb").read())


@pytest.mark.parametrize("hostile", CORPUS, ids=lambda hostile: hostile.id)
def test_import_assets_refuses_it_with_the_reason_or_adds_it(hostile, contained, import_assets_run):
    incoming = contained / "incoming"
    incoming.mkdir()
    path = incoming / hostile.on_disk_name
    path.write_bytes(hostile.data)
    output, status = import_assets_run(path, f"--kind={hostile.kind}")
    if hostile.refused:
        assert status == 1
        assert output.startswith(f"rejected {path}: ")
        assert hostile.refused in output
        assert not Asset.objects.exists()
    else:
        assert (status, output.split()[0]) == (0, "ok")
        assert (Asset.objects.get().width, Asset.objects.get().height) == hostile.size


@pytest.mark.parametrize("hostile", ACCEPTED, ids=lambda hostile: hostile.id)
def test_an_accepted_file_reads_through_the_api_and_downloads_only_as_an_attachment(
    client, employee, hostile
):
    asset = make_asset(filename=hostile.on_disk_name, data=hostile.data, kind=hostile.kind)
    client.force_login(employee)
    body = client.get(f"/api/v1/assets/{asset.slug}/").json()
    assert (body["width"], body["height"], body["format"]) == (*hostile.size, asset.format)
    response = client.get(body["original"])
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] in SAFE_DOWNLOAD_TYPES
    assert response["X-Content-Type-Options"] == "nosniff"
    if asset.format == "SVG":
        assert response["Content-Type"] == "application/octet-stream"
        assert_svg_is_inert(b"".join(response.streaming_content))
