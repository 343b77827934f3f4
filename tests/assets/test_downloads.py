"""Downloads on local storage: API tokens, and files gone missing from storage."""

import io
import zipfile

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from assets.models import Rendition
from assets.renditions.rendering import renditions_make
from tests.factories import image_bytes, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo():
    asset = make_asset(title="Harbour", data=image_bytes("JPEG", (400, 300)))
    renditions_make(asset=asset)
    return asset


def token_client(user) -> Client:
    key = Token.objects.create(user=user).key
    return Client(headers={"Authorization": f"Token {key}"})


def test_an_api_token_downloads_what_the_api_lists(photo, employee):
    client = token_client(employee)
    for path in ("original/", "preview/", "sizes/avatar-small/", "all-sizes.zip"):
        response = client.get(f"/assets/{photo.slug}/{path}")
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content), path


def test_a_wrong_token_gets_401_not_the_sign_in_page(db):
    photo = make_asset(title="Harbour")
    response = Client(headers={"Authorization": "Token nope"}).get(
        f"/assets/{photo.slug}/original/"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_of_someone_without_a_role_gets_the_no_role_page(outsider):
    photo = make_asset(title="Harbour")
    response = token_client(outsider).get(f"/assets/{photo.slug}/original/")
    assert response.status_code == 403


def test_a_size_missing_from_storage_says_so_and_is_made_again(
    client, employee, photo, django_capture_on_commit_callbacks
):
    made = photo.current_renditions().get(preset="avatar-small")
    made.file.storage.delete(made.file.name)
    client.force_login(employee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/assets/{photo.slug}/sizes/avatar-small/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "is missing from storage, so it is being made again" in response.content.decode()
    made.refresh_from_db()
    assert made.status == Rendition.Status.READY
    assert made.file.storage.exists(made.file.name)


def test_a_zip_with_a_size_missing_is_refused_before_any_byte_not_sent_corrupt(
    client, employee, photo
):
    made = photo.current_renditions().get(preset="x-header")
    made.file.storage.delete(made.file.name)
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    assert response.status_code == 503
    assert "x-header is missing from storage" in response.content.decode()
    assert photo.current_renditions().get(preset="x-header").status == Rendition.Status.PENDING


def test_the_zip_streams_every_size(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert "README.txt" in archive.namelist()
    assert "LinkedIn/Harbour - LinkedIn - banner - 1584x396.jpg" in archive.namelist()


def test_a_missing_original_gets_a_clear_page_not_a_500(client, employee):
    photo = make_asset(title="Harbour")
    photo.original.storage.delete(photo.original.name)
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/original/")
    assert response.status_code == 404
    assert "The original of this artwork is missing from storage." in response.content.decode()
