"""What a database administrator with the dump, the logs and Redis could learn: nothing."""

import io
import logging
import re
import threading

import pytest
import redis
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Count
from tracking.services import count_token

SENTINEL_IP = "198.51.100.73"
SENTINEL_AGENT = "SentinelBrowser/9.7.3"


@pytest.fixture
def sentinel(db, django_user_model):
    user = django_user_model.objects.create_user(
        "sentinel-qx7", "sentinel-qx7@example.test", "correct horse battery", id=7431987
    )
    user.groups.add(Group.objects.get(name="Employees"))
    return user


def _debug_everywhere(caplog):
    for name in ["", *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)


def _record_text(record: logging.LogRecord) -> str:
    text = [record.getMessage(), repr(record.__dict__)]
    request = getattr(record, "request", None)
    if request is not None:
        text += [repr(request.META), repr(request.COOKIES)]
    return "\n".join(text)


def test_an_employee_who_opts_in_leaves_no_trace_of_who_they_are(real_services, sentinel, caplog):
    asset = make_asset(title="Launch banner")
    browser = Client(REMOTE_ADDR=SENTINEL_IP, HTTP_USER_AGENT=SENTINEL_AGENT)
    signed_in = browser.post(
        reverse("accounts:login"),
        {"username": "sentinel-qx7", "password": "correct horse battery"},
    )
    assert signed_in.status_code == 302
    page = browser.get(asset.get_absolute_url()).content.decode()
    token = re.search(r'data-count-token="([0-9a-f]+)"', page).group(1)
    download = browser.get(reverse("assets:original", args=[asset.slug]))
    b"".join(download.streaming_content)
    session_key = browser.session.session_key
    secrets = ["sentinel-qx7", "7431987", SENTINEL_IP, SENTINEL_AGENT, session_key]

    _debug_everywhere(caplog)
    caplog.clear()
    # The worst case: a browser that sends its cookies anyway, plus one refused count.
    with CaptureQueriesContext(connection) as queries:
        counted = browser.post("/count/", {"asset": asset.slug, "kind": "download", "token": token})
        refused = browser.post("/count/", {"asset": asset.slug, "kind": "download"})
    assert (counted.status_code, refused.status_code) == (204, 400)
    assert Count.objects.get().n == 1

    logged = "\n".join(map(_record_text, caplog.records))
    assert "Bad Request: /count/" in logged, "the log capture saw nothing"
    sql = repr(queries.captured_queries)
    dump = io.StringIO()
    call_command("dumpdata", exclude=["auth.user", "sessions.session"], stdout=dump)
    account = io.StringIO()
    call_command("dumpdata", "auth.user", "sessions.session", stdout=account)
    store = redis.Redis.from_url(settings.REDIS_URL)
    cached = b"".join(
        key + repr(store.dump(key)).encode() for key in store.scan_iter(count=1000)
    ).decode("latin-1")

    for secret in secrets:
        assert secret not in logged
        assert secret not in sql
        assert secret not in dump.getvalue()
        assert secret not in cached
    # The search works: the account's own tables do hold these.
    assert "sentinel-qx7" in account.getvalue() and session_key in account.getvalue()


def test_the_admin_shows_no_count_rows():
    assert Count not in admin.site._registry


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hundred_concurrent_counts_add_exactly_two_hundred(real_services):
    asset = make_asset()
    token = count_token(asset_slug=asset.slug, day=timezone.localdate())
    threads, per_thread = 20, 10
    start = threading.Barrier(threads)
    statuses: list[int] = []

    def fire() -> None:
        client = Client()
        try:
            start.wait()
            for _ in range(per_thread):
                response = client.post(
                    "/count/", {"asset": asset.slug, "kind": "download", "token": token}
                )
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=fire) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert statuses == [204] * 200
    assert Count.objects.get().n == 200
