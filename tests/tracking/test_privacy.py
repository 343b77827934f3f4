"""What a database administrator with the dump, the WAL, the logs and Redis could learn: nothing.

These read the real PostgreSQL (its WAL through pg_walinspect, its pages through
pageinspect, row versions, sequences) and the real Redis after real requests.
"""

import datetime
import io
import logging
import re
import threading

import psycopg
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
from tests.tokens import tokens_issue
from tracking.models import Release, ReleasedSizes, week_of
from tracking.services import weeks_release
from tracking.tally import pending_push, tally_add, week_counts

SENTINEL_IP = "198.51.100.73"
SENTINEL_AGENT = "SentinelBrowser/9.7.3"
HEAP_XMAX_LOCK_ONLY = 0x0080  # PostgreSQL's htup_details.h: xmax only locked the row
THIS_WEEK = week_of(timezone.localdate())
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)


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


def _redis_text() -> str:
    store = redis.Redis.from_url(settings.REDIS_URL)
    return b"".join(
        key + repr(store.dump(key)).encode() for key in store.scan_iter(count=1000)
    ).decode("latin-1")


def test_an_employee_who_opts_in_leaves_no_trace_of_who_they_are(real_services, sentinel, caplog):
    asset = make_asset(title="Launch banner")
    browser = Client(REMOTE_ADDR=SENTINEL_IP, HTTP_USER_AGENT=SENTINEL_AGENT)
    signed_in = browser.post(
        reverse("accounts:login"),
        {"username": "sentinel-qx7", "password": "correct horse battery"},
    )
    assert signed_in.status_code == 302
    assert browser.get(asset.get_absolute_url()).status_code == 200
    token = tokens_issue(sentinel, client=browser)[0]  # as the page fetches its batch
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
    assert week_counts(THIS_WEEK) == {("download", asset.pk, ""): 1}

    logged = "\n".join(map(_record_text, caplog.records))
    assert "Bad Request: /count/" in logged, "the log capture saw nothing"
    sql = repr(queries.captured_queries)
    dump = io.StringIO()
    call_command("dumpdata", exclude=["auth.user", "sessions.session"], stdout=dump)
    account = io.StringIO()
    call_command("dumpdata", "auth.user", "sessions.session", stdout=account)
    cached = _redis_text()

    for secret in secrets:
        assert secret not in logged
        assert secret not in sql
        assert secret not in dump.getvalue()
        assert secret not in cached
    # The search works: the account's own tables do hold these.
    assert "sentinel-qx7" in account.getvalue() and session_key in account.getvalue()


def _sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _flush_wal() -> None:
    """Make PostgreSQL flush its WAL, with a commit in another database (filtered out below)."""
    options = connection.settings_dict
    with psycopg.connect(
        host=options["HOST"], port=options["PORT"], user=options["USER"], dbname="postgres"
    ) as other:
        other.execute("SELECT pg_current_xact_id()")


def _wal_records_of_the_portal(start: str) -> list[tuple]:
    """Every WAL record since `start` that writes one of the portal's tables, indexes or sequences.

    (PostgreSQL's own catalogs are left out: reading them may prune their pages.)
    """
    _flush_wal()  # a count request that wrote anything committed it: it is flushed now
    end = _sql("SELECT pg_current_wal_flush_lsn()")[0][0]
    if end == start:
        return []  # nothing at all was written to the WAL meanwhile
    oid = _sql("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]
    portal = {
        row[0]
        for row in _sql(
            "SELECT pg_relation_filenode(oid) FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND pg_relation_filenode(oid) IS NOT NULL"
        )
    }
    records = _sql(
        "SELECT resource_manager, record_type, block_ref "
        "FROM pg_get_wal_records_info(%s::pg_lsn, %s::pg_lsn) WHERE block_ref LIKE %s",
        [start, end, f"%rel %/{oid}/%"],
    )
    written = re.compile(rf"rel \d+/{oid}/(\d+)")
    return [
        record for record in records if {int(node) for node in written.findall(record[2])} & portal
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_count_requests_write_nothing_to_postgresql_not_even_its_wal(real_services, fresh_token):
    _sql("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    asset, other = make_asset(), make_asset()
    client = Client()
    tokens = [fresh_token() for _ in range(21)]  # fetched (and their holders made) first
    form = {"asset": asset.slug, "kind": "download", "token": tokens.pop()}
    assert client.post("/count/", form).status_code == 204  # fills Redis' list of artworks

    _flush_wal()
    start = _sql("SELECT pg_current_wal_flush_lsn()")[0][0]
    for target, preset in [(asset, "x-header"), (other, ""), (asset, ""), (other, "x-header")] * 5:
        form = {
            "asset": target.slug,
            "kind": "download",
            "preset": preset,
            "token": tokens.pop(),
        }
        assert client.post("/count/", form).status_code == 204
    assert _wal_records_of_the_portal(start) == []
    assert week_counts(THIS_WEEK)[("download", asset.pk, "")] == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_released_week_is_one_transaction_with_no_old_row_versions_or_telling_ids(
    real_services,
):
    _sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
    # Earlier tests' rolled-back releases stay on the pages as dead tuples: start afresh.
    _sql("TRUNCATE tracking_release, tracking_releasedsizes")
    old = timezone.now() - datetime.timedelta(weeks=4)
    assets = [make_asset(created_at=old) for _ in range(3)]
    # Counted in an order that must not survive: the last artwork first. Enough counts that
    # no artwork's size falls under the threshold through the per-person noise (about ±25).
    for asset in reversed(assets):
        for _ in range(300):
            tally_add(asset_slug=asset.slug, kind="download", preset="x-header", today=LAST_WEEK)
    weeks_release()

    tables = ["tracking_release", "tracking_releasedsizes"]
    xmins = {row[0] for table in tables for row in _sql(f"SELECT xmin::text FROM {table}")}  # noqa: S608
    assert len(xmins) == 1, "the whole week arrives in one transaction"
    for table in tables:
        # Every tuple on the page: one inserting transaction, none deleted or updated
        # (the sizes' foreign keys lock their release row in that same transaction).
        tuples = _sql(
            "SELECT t_xmin::text, t_xmax::text, t_infomask & %s > 0 "
            "FROM heap_page_items(get_raw_page(%s, 0))",
            [HEAP_XMAX_LOCK_ONLY, table],
        )
        assert tuples and {xmin for xmin, _, _ in tuples} == xmins
        assert all(xmax == "0" or (xmax in xmins and lock) for _, xmax, lock in tuples), tuples
    ids = list(ReleasedSizes.objects.order_by("pk").values_list("asset_id", flat=True))
    assert ids == sorted(asset.pk for asset in assets), "row order is artwork order, not arrival"
    assert week_counts(LAST_WEEK) == {}
    names = {
        row[0] for row in _sql("SELECT tablename FROM pg_tables WHERE tablename LIKE 'tracking%%'")
    }
    assert names == set(tables), "no table holds raw counts"


def test_the_database_holds_no_small_number_after_a_release(real_services, db):
    asset = make_asset(created_at=timezone.now() - datetime.timedelta(weeks=4))
    for _ in range(2):
        tally_add(asset_slug=asset.slug, kind="using", preset="", today=LAST_WEEK)
    weeks_release()
    release = Release.objects.get()
    numbers = [n for kind in release.totals.values() for n in kind["assets"].values()]
    numbers += [kind["week"] for kind in release.totals.values() if kind["week"] is not None]
    assert all(n >= settings.TRACKING_MIN_COUNT for n in numbers)


def test_redis_holds_only_week_named_numbers_and_the_list_of_countable_artworks(
    real_services, client, fresh_token
):
    asset = make_asset()
    token = fresh_token()
    client.post("/count/", {"asset": asset.slug, "kind": "using", "token": token})
    assert pending_push() == 0
    store = redis.Redis.from_url(settings.REDIS_URL)
    keys = {key.decode() for key in store.scan_iter(match="tracking:*")}
    week = f"tracking:week:{THIS_WEEK.isocalendar()[0]}-W{THIS_WEEK.isocalendar()[1]:02d}"
    lists = {"tracking:published", "tracking:published-ids", "tracking:published-generation"}
    assert keys <= {week} | lists
    assert {field.decode() for field in store.hkeys(week)} == {f"using:{asset.pk}:"}


def test_the_admin_shows_no_count_rows():
    assert Release not in admin.site._registry and ReleasedSizes not in admin.site._registry


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hundred_concurrent_counts_add_exactly_two_hundred(real_services, fresh_token):
    asset = make_asset()
    tokens = [fresh_token() for _ in range(200)]
    threads, per_thread = 20, 10
    start = threading.Barrier(threads)
    statuses: list[int] = []

    def fire() -> None:
        client = Client()
        try:
            start.wait()
            for _ in range(per_thread):
                response = client.post(
                    "/count/", {"asset": asset.slug, "kind": "download", "token": tokens.pop()}
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
    assert week_counts(THIS_WEEK) == {("download", asset.pk, ""): 200}
