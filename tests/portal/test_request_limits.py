"""Bodies refused from their Content-Length, before anything reads them; methods; file counts."""

import socket

import pytest
from django.test import Client

from tests.factories import image_bytes, upload

pytestmark = pytest.mark.django_db

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
