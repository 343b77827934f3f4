"""The storage-touching paths against an S3-protocol server (moto) through django-storages."""

import io
import zipfile

import pytest
from PIL import Image

from assets.models import Asset, Rendition
from assets.presets import load_presets, platform_presets
from tests.factories import image_bytes, upload

pytestmark = pytest.mark.django_db


def keys(bucket, prefix: str = "") -> list[str]:
    return sorted(item.key for item in bucket.objects.filter(Prefix=prefix))


@pytest.fixture
def photo(s3_bucket, client, marketer, django_capture_on_commit_callbacks) -> Asset:
    """Uploaded through the page and published; its renditions made by the real task."""
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/library/upload/",
            {
                "files": [upload("Harbour.jpg", image_bytes("JPEG", (1600, 1000)))],
                "kind": "photo",
                "publish": "on",
            },
        )
    assert response.status_code == 302
    return Asset.objects.get()


def test_an_upload_stores_its_original_in_the_bucket(s3_bucket, photo):
    assert keys(s3_bucket, "originals/") == [photo.original.name]
    stored = s3_bucket.Object(photo.original.name).get()["Body"].read()
    assert Image.open(io.BytesIO(stored)).size == (1600, 1000)


def test_the_task_stores_one_file_per_size_in_the_bucket(s3_bucket, photo):
    renditions = photo.current_renditions()
    assert set(renditions.values_list("status", flat=True)) == {Rendition.Status.READY}
    # Each size's file, and the small display copy of each platform size.
    names = [r.file.name for r in renditions] + [r.display.name for r in renditions if r.display]
    assert keys(s3_bucket, "renditions/") == sorted(names)
    assert len(names) == len(load_presets()) + len(platform_presets())


def test_one_size_downloads_from_the_bucket_as_an_attachment(client, photo):
    response = client.get(f"/assets/{photo.slug}/sizes/x-header/")
    assert response["Content-Disposition"] == 'attachment; filename="harbour-x-header.jpg"'
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1500, 500)


def test_the_original_downloads_from_the_bucket_as_an_attachment(client, photo):
    response = client.get(f"/assets/{photo.slug}/original/")
    assert response["Content-Disposition"] == 'attachment; filename="harbour.jpg"'
    assert b"".join(response.streaming_content) == photo.original.open("rb").read()


def test_all_sizes_stream_from_the_bucket_as_one_zip(client, photo):
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert len(archive.namelist()) == len(platform_presets())


def test_deleting_an_asset_empties_the_bucket_only_after_the_commit(
    s3_bucket, client, photo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        client.post(f"/library/{photo.slug}/delete/")
    assert len(keys(s3_bucket)) == 1 + len(load_presets()) + len(platform_presets())
    for callback in after_commit:
        callback()
    assert keys(s3_bucket) == []
