"""The storage-touching paths against an S3-protocol server (moto) through django-storages."""

import io
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from PIL import Image
from rest_framework.authtoken.models import Token

from assets.models import Asset, Rendition
from assets.renditions.presets import presets_for
from tests.factories import camera_jpeg, upload

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
                # Grainy like a camera's, so its big sizes are heavy and get small copies.
                "files": [upload("Harbour.jpg", camera_jpeg(1600, 1000))],
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
    # Each size's file, and the small display copy of each heavy one.
    names = [r.file.name for r in renditions] + [r.display.name for r in renditions if r.display]
    assert keys(s3_bucket, "renditions/") == sorted(names)
    assert len(renditions) == len(presets_for("photo"))
    assert any(r.display for r in renditions)


def from_the_bucket(response, s3_server: str):
    """Follow the portal's redirect to the bucket, as a browser would."""
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{s3_server}/")
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == ["300"]  # short-lived
    with urllib.request.urlopen(link, timeout=10) as answer:  # noqa: S310 - the local S3 server
        return answer.headers, answer.read()


def test_one_size_redirects_to_a_signed_link_that_downloads_as_an_attachment(
    client, photo, s3_server
):
    response = client.get(f"/assets/{photo.slug}/sizes/x-header/")
    headers, body = from_the_bucket(response, s3_server)
    assert (
        headers["Content-Disposition"]
        == 'attachment; filename="Harbour - X - header - 1500x500.jpg"'
    )
    assert headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(body)).size == (1500, 500)


def test_the_original_redirects_to_a_signed_link_that_downloads_as_an_attachment(
    client, photo, s3_server
):
    response = client.get(f"/assets/{photo.slug}/original/")
    headers, body = from_the_bucket(response, s3_server)
    assert headers["Content-Disposition"] == 'attachment; filename="harbour.jpg"'
    assert headers["Content-Type"] == "image/jpeg"
    assert body == photo.original.open("rb").read()


def test_the_preview_redirects_to_a_signed_link_of_the_right_type(client, photo, s3_server):
    headers, body = from_the_bucket(client.get(f"/assets/{photo.slug}/preview/"), s3_server)
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert Image.open(io.BytesIO(body)).size == (800, 500)  # the page preview, not the original


def test_an_api_token_client_is_redirected_to_the_same_signed_link(photo, s3_server, employee):
    key = Token.objects.create(user=employee).key
    response = Client().get(
        f"/assets/{photo.slug}/sizes/x-header/", headers={"Authorization": f"Token {key}"}
    )
    headers, _ = from_the_bucket(response, s3_server)
    assert (
        headers["Content-Disposition"]
        == 'attachment; filename="Harbour - X - header - 1500x500.jpg"'
    )


def test_a_size_missing_from_the_bucket_says_so_and_is_made_again(
    s3_bucket, client, photo, django_capture_on_commit_callbacks
):
    made = photo.current_renditions().get(preset="x-header")
    s3_bucket.Object(made.file.name).delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/assets/{photo.slug}/sizes/x-header/")
    assert response.status_code == 503
    assert "is missing from storage, so it is being made again" in response.content.decode()
    made.refresh_from_db()
    assert made.status == Rendition.Status.READY
    assert s3_bucket.Object(made.file.name).get()["ContentLength"] == made.byte_size


def test_a_zip_with_a_size_missing_from_the_bucket_is_never_a_200(
    s3_bucket, client, photo, django_capture_on_commit_callbacks
):
    made = photo.current_renditions().get(preset="avatar-small")
    s3_bucket.Object(made.file.name).delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    assert response.status_code == 503
    assert "avatar-small is missing from storage" in response.content.decode()
    again = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(again.streaming_content)))
    assert archive.testzip() is None
    assert "X/Harbour - X - profile photo - 400x400.jpg" in archive.namelist()


def test_all_sizes_stream_from_the_bucket_as_one_zip(client, photo):
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert {"README.txt", "X/Harbour - X - header - 1500x500.jpg"} <= set(archive.namelist())


def test_deleting_an_asset_empties_the_bucket_only_after_the_commit(
    s3_bucket, client, photo, django_capture_on_commit_callbacks
):
    stored = len(keys(s3_bucket))
    with django_capture_on_commit_callbacks() as after_commit:
        client.post(f"/library/{photo.slug}/delete/")
    assert len(keys(s3_bucket)) == stored
    for callback in after_commit:
        callback()
    assert keys(s3_bucket) == []
