"""Redis as the README says to run it: a restart loses no count, and it keeps no time or order."""

import datetime
import shutil
import time

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import missing_service
from tests.factories import make_asset
from tests.test_faults import PrivateRedis
from tracking.models import Release, week_of
from tracking.services import count_token, week_release, weeks_release
from tracking.tally import cell_field, pending_push, tally_add, week_counts, week_key
from tracking.tasks import release_closed_weeks

# The same lines as the README's "Running Redis for counts".
PRODUCTION_OPTIONS = (
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--maxmemory-policy",
    "volatile-lfu",
    "--lfu-decay-time",
    "0",
)
THIS_WEEK = week_of(timezone.localdate())
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)


@pytest.fixture
def durable_redis(real_services, tmp_path, settings):
    if not shutil.which("redis-server"):
        missing_service("needs the redis-server program")
    server = PrivateRedis(tmp_path, *PRODUCTION_OPTIONS)
    server.start()
    settings.REDIS_URL = server.url
    yield server
    server.kill()


def _count_a_b_a(client) -> tuple:
    first, second = make_asset(), make_asset()
    for asset, preset in [(first, "x-header"), (second, ""), (first, "x-header")]:
        token = count_token(asset_slug=asset.slug, day=timezone.localdate())
        form = {"asset": asset.slug, "kind": "download", "preset": preset, "token": token}
        assert client.post("/count/", form).status_code == 204
    assert pending_push() == 0  # what a web process's thread does every second
    return {("download", first.pk, "x-header"): 2, ("download", second.pk, ""): 1}


def _increment_log(server: PrivateRedis) -> bytes:
    return b"".join(path.read_bytes() for path in server.folder.rglob("*.incr.aof"))


def _wait_for_rewrite(store: redis.Redis) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = store.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return
        time.sleep(0.05)
    raise AssertionError("the AOF rewrite did not finish")


def test_a_killed_and_restarted_redis_keeps_every_waiting_count(durable_redis, client, db):
    expected = _count_a_b_a(client)
    # Redis writes the AOF before it answers, so even SIGKILL loses nothing pushed.
    durable_redis.kill()
    durable_redis.start()
    assert week_counts(THIS_WEEK) == expected


def test_a_push_leaves_no_order_of_counts_in_the_aof_once_it_is_rewritten(
    durable_redis, client, db
):
    store = redis.Redis.from_url(durable_redis.url)
    _wait_for_rewrite(store)  # a new server may write its first base file in the background
    rewrites = store.info("persistence")["aof_rewrites"]
    expected = _count_a_b_a(client)
    _wait_for_rewrite(store)
    # The push itself asked for the rewrite: no hourly task ran.
    assert store.info("persistence")["aof_rewrites"] > rewrites
    log = _increment_log(durable_redis)
    assert b"HINCRBY" not in log and week_key(THIS_WEEK).encode() not in log
    durable_redis.kill()
    durable_redis.start()
    assert week_counts(THIS_WEEK) == expected, "the rewritten file still holds the numbers"


def test_a_push_during_a_running_rewrite_asks_again_until_one_starts_after_it(
    durable_redis, client, db
):
    store = redis.Redis.from_url(durable_redis.url)
    _wait_for_rewrite(store)
    # A slow rewrite already running: it began before the counts were pushed.
    store.config_set("rdb-key-save-delay", 200_000)  # microseconds per key written
    store.set("filler", "x")
    store.bgrewriteaof()
    _count_a_b_a(client)
    assert b"HINCRBY" in _increment_log(durable_redis)
    store.config_set("rdb-key-save-delay", 0)
    _wait_for_rewrite(store)
    assert pending_push() == 0  # the next second's push, with nothing new to push
    _wait_for_rewrite(store)
    assert b"HINCRBY" not in _increment_log(durable_redis)


def test_the_hourly_task_rewrites_the_aof_too(durable_redis, db):
    store = redis.Redis.from_url(durable_redis.url)
    _wait_for_rewrite(store)
    rewrites = store.info("persistence")["aof_rewrites"]
    release_closed_weeks.delay()
    _wait_for_rewrite(store)
    assert store.info("persistence")["aof_rewrites"] > rewrites


def test_redis_keeps_no_idle_time_for_the_waiting_numbers(durable_redis, client, db):
    _count_a_b_a(client)
    store = redis.Redis.from_url(durable_redis.url)
    with pytest.raises(redis.ResponseError, match="idle time not tracked"):
        store.object("idletime", week_key(THIS_WEEK))


def _every_log_file(server: PrivateRedis, store: redis.Redis) -> bytes:
    """What a replay of the append-only files would read: every file in their folder."""
    _wait_for_rewrite(store)
    folder = server.folder / store.config_get("appenddirname")["appenddirname"]
    # Redis unlinks the files a rewrite replaced from a background thread.
    deadline = time.monotonic() + 5
    while True:
        manifest = next(folder.glob("*.manifest"))
        listed = manifest.read_text()
        if all(path.name in listed for path in folder.iterdir() if path != manifest):
            break
        assert time.monotonic() < deadline, "Redis kept the files a rewrite replaced"
        time.sleep(0.05)
    return b"".join(path.read_bytes() for path in folder.iterdir())


def _by_hand(week: datetime.date) -> None:
    call_command("release_closed_weeks")


def _hourly_task(week: datetime.date) -> None:
    release_closed_weeks.delay()


def _one_week(week: datetime.date) -> None:
    week_release(week=week)


def _after_the_retention_period(week: datetime.date) -> None:
    # Too old to release: the week is discarded without a release.
    weeks_release(today=week + datetime.timedelta(days=800))


@pytest.mark.parametrize(
    "release", [_by_hand, _hourly_task, _one_week, _after_the_retention_period]
)
def test_a_released_or_discarded_week_leaves_no_raw_number_in_any_aof_file(
    durable_redis, db, release
):
    store = redis.Redis.from_url(durable_redis.url)
    asset = make_asset(created_at=timezone.now() - datetime.timedelta(weeks=8))
    for _ in range(7):
        assert tally_add(asset_slug=asset.slug, kind="download", preset="x-header", today=LAST_WEEK)
    assert pending_push() == 0
    field = cell_field("download", asset.pk, "x-header").encode()
    # The push's own rewrite put the week's numbers into the base file.
    assert field in _every_log_file(durable_redis, store)
    release(LAST_WEEK)
    log = _every_log_file(durable_redis, store)
    assert field not in log and week_key(LAST_WEEK).encode() not in log
    durable_redis.kill()
    durable_redis.start()  # Redis replays its files
    assert week_counts(LAST_WEEK) == {}
    assert Release.objects.filter(week=LAST_WEEK).count() == (
        release is not _after_the_retention_period
    )
