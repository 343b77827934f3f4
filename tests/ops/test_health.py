"""/healthz and /readyz, as the proxy in front asks them: no sign-in, no cookies, JSON."""

import socket

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_volume(settings):
    """The media directory exists, as a mounted volume does (tests start without one)."""
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)


def test_healthz_answers_without_sign_in_a_query_or_a_cookie(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_answers_while_the_database_is_unreachable(
    postgresql, client, unreachable_database
):
    assert client.get(reverse("ops:healthz")).status_code == 200


def test_readyz_is_200_when_database_redis_and_storage_answer(
    real_services, media_volume, client, settings
):
    settings.READY_TIMEOUT = 10  # a busy test machine is slow, not down
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "redis": "ok", "storage": "ok"},
    }
    assert not response.cookies


def test_readyz_is_503_naming_redis_when_redis_is_unreachable(
    real_services, media_volume, client, settings, unused_port
):
    settings.REDIS_URL = f"redis://127.0.0.1:{unused_port}/0"
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readyz_is_503_naming_the_database_when_it_is_unreachable(
    postgresql, media_volume, client, unreachable_database
):
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_readyz_is_503_naming_storage_when_the_media_volume_is_missing(client):
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


def test_readyz_is_503_naming_storage_when_the_bucket_is_gone(s3_bucket, client):
    s3_bucket.delete()
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert "storage" in response.json()["failed"]


def test_readyz_is_200_with_s3_storage(real_services, s3_bucket, client, settings):
    # The process's first S3 client (boto3 loading its models) can take over 2 s on a
    # busy test machine; what is checked here is the answer, not the time.
    settings.READY_TIMEOUT = 10
    assert client.get(reverse("ops:readyz")).status_code == 200


def test_readyz_names_no_host_or_port_in_its_answer(client, settings, unused_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{unused_port}/0"
    body = client.get(reverse("ops:readyz")).content.decode()
    assert str(unused_port) not in body
    assert "127.0.0.1" not in body


def test_readyz_says_timed_out_for_a_redis_that_accepts_but_never_answers(
    real_services, media_volume, client, settings
):
    settings.READY_TIMEOUT = 0.5
    with socket.socket() as silent:  # listens, so connecting succeeds, and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "timed out"
