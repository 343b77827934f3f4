"""Bodies refused from their Content-Length, before anything reads them; methods; file counts."""

import os
import re
import socket
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from assets import urls as assets_urls
from tests.assets.imagegen import to_bytes
from tests.factories import image_bytes, make_asset, upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = "/library/upload/"
HUGE = str(300 * 1024 * 1024)
# Any well-formed CSRF cookie: with one, the CSRF check goes on to read the posted token.
CSRF_COOKIE = "a" * 32


def claims_to_be(client: Client, url: str, length: str, **headers):
    """A POST whose Content-Length promises far more than it sends: reading it would fail."""
    return client.post(
        url, b"x", content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=length, **headers
    )


@pytest.fixture
def csrf_client() -> Client:
    # The CSRF check is what read the whole body before the sign-in redirect.
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_COOKIE
    return client


def test_an_anonymous_upload_is_sent_to_sign_in_without_its_body_being_read(csrf_client):
    response = claims_to_be(csrf_client, UPLOAD, HUGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_upload_over_the_request_limit_is_refused_from_its_length(
    csrf_client, marketer, settings
):
    csrf_client.force_login(marketer)
    response = claims_to_be(csrf_client, UPLOAD, str(settings.UPLOAD_MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    html = response.content.decode()
    assert "more than the portal takes in one request" in html
    assert "the drag-and-drop area sends them one by one" in html


def test_the_upload_page_script_gets_the_refusal_as_json(csrf_client, marketer, settings):
    csrf_client.force_login(marketer)
    response = claims_to_be(
        csrf_client,
        UPLOAD,
        str(settings.UPLOAD_MAX_REQUEST_BYTES + 1),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    (error,) = response.json()["errors"]["files"]
    assert "more than the portal takes in one request" in error["message"]


def test_someone_who_may_not_upload_gets_only_the_small_limit(csrf_client, employee, settings):
    csrf_client.force_login(employee)
    response = claims_to_be(csrf_client, UPLOAD, str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413


@pytest.mark.parametrize("url", ["/accounts/login/", "/count/", "/policies/x/edit/"])
def test_a_large_body_anywhere_else_is_refused_from_its_length(csrf_client, url):
    assert claims_to_be(csrf_client, url, HUGE).status_code == 413


def test_a_normal_upload_still_goes_through(client, marketer):
    client.force_login(marketer)
    response = client.post(UPLOAD, {"files": [upload("team.jpg")], "kind": "photo"})
    assert response.status_code == 302


def test_more_than_100_files_in_the_plain_form_get_a_clear_message(client, marketer):
    client.force_login(marketer)
    data = image_bytes("PNG", (4, 4))
    files = [upload(f"frame-{number}.png", data) for number in range(101)]
    response = client.post(UPLOAD, {"files": files, "kind": "photo"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That is more than 100 files at once. Choose at most 100 at a time" in html
    assert f'href="{UPLOAD}"' in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_server_answers_an_anonymous_300_mb_upload_before_any_body_is_sent(live_server):
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(
            f"POST {UPLOAD} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {HUGE}\r\n"
            f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n\r\n".encode()
        )
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"302"


def noise_png(width: int = 1100, height: int = 1000) -> bytes:
    """A PNG that does not compress: over 3 MB, more than the small request limit."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    return to_bytes(image, "PNG").getvalue()


def test_a_new_version_over_the_small_limit_goes_through_like_an_upload(client, marketer, settings):
    asset = make_asset(title="Harbour")
    data = noise_png()
    assert len(data) > settings.REQUEST_MAX_BYTES
    client.force_login(marketer)
    response = client.post(f"/library/{asset.slug}/new-version/", {"file": upload("v2.png", data)})
    assert response.status_code == 302
    assert asset.versions.count() == 1


@pytest.mark.parametrize("url", [UPLOAD, "/library/harbour/new-version/"])
def test_every_view_that_takes_an_original_refuses_a_body_over_the_upload_limit(
    csrf_client, marketer, settings, url
):
    make_asset(title="Harbour")
    csrf_client.force_login(marketer)
    response = claims_to_be(csrf_client, url, str(settings.UPLOAD_MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413


def test_an_anonymous_new_version_is_sent_to_sign_in_without_its_body_being_read(csrf_client):
    make_asset(title="Harbour")
    response = claims_to_be(csrf_client, "/library/harbour/new-version/", HUGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_proxy_example_gives_the_upload_cap_to_exactly_the_views_that_take_originals():
    config = (ROOT / "deploy" / "nginx.conf.example").read_text()
    (location,) = re.findall(r"location ~ (\S+) \{\n\s+client_max_body_size 201m;", config)
    example = {"slug": "harbour", "pk": 1}
    paths = {
        reverse(
            f"assets:{route.name}",
            kwargs={name: example[name] for name in route.pattern.converters},
        )
        for route in assets_urls.urlpatterns
        if getattr(route.callback, "takes_originals", False)
    }
    assert paths == {"/library/upload/", "/library/harbour/new-version/"}
    assert all(re.fullmatch(location, path) for path in paths)
    assert not re.fullmatch(location, "/library/harbour/edit/")
