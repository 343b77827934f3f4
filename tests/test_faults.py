"""Faults with real processes: a worker killed mid-task, Redis restarted or down.

Each test runs its own Redis server on a free loopback port, so killing or
restarting it never disturbs the machine's shared one, and real Celery worker
processes on the test's PostgreSQL database.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from celery.backends.redis import RedisBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, Rendition
from assets.renditions.presets import presets_for
from policies.models import Announcement
from portal.celery import app as celery_app
from privacypass.services import SPENT_PREFIX
from tests.conftest import free_port, missing_service
from tests.factories import image_bytes, make_announcement, make_asset, upload
from tracking.models import Release, ReleasedSizes, week_of
from tracking.suppression import noise_sd
from tracking.tally import PUSH_PREFIX, pending_push, tally_add, week_counts, week_key
from tracking.tasks import release_closed_weeks

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class PrivateRedis:
    """A throw-away redis-server that keeps nothing on disk, like production's queue.

    `options` are more redis-server arguments, later ones winning (`--appendonly yes`).
    """

    def __init__(self, folder: Path, *options: str) -> None:
        self.port, self.folder, self.process = free_port(), folder, None
        self.options = options
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def queued(self, queue: str) -> int:
        return redis.Redis.from_url(self.url).llen(queue)


@pytest.fixture
def private_redis(real_services, tmp_path):
    if not shutil.which("redis-server"):
        missing_service("needs the redis-server program")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def portal_env(private_redis, settings):
    """The environment a worker or command on this machine would be started with."""
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": private_redis.url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # Short limits, so a dead worker's claim runs out within the test.
        "CELERY_TASK_SOFT_TIME_LIMIT": "4",
        "CELERY_TASK_TIME_LIMIT": "5",
    }


@pytest.fixture
def queue() -> str:
    # The queue the portal routes renditions to; each test here has a Redis server of its own.
    return "renditions"


@contextmanager
def broker(url: str, queue: str = "celery"):
    """Send this process's tasks to `url`, as the web process would, not in-process."""
    from django.conf import settings

    def point_at(url: str, queue: str, eager: bool) -> None:
        celery_app.conf.update(broker_url=url, task_default_queue=queue, task_always_eager=eager)
        celery_app._pool = celery_app.amqp._producer_pool = None  # drop cached connections

    point_at(url, queue, eager=False)
    try:
        yield
    finally:
        point_at(settings.CELERY_BROKER_URL, "celery", eager=True)


@pytest.fixture
def web_process_queue(private_redis, queue):
    with broker(private_redis.url, queue):
        yield


def start_worker(env: dict, queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # so the whole worker, children too, can be killed at once
        stdout=subprocess.DEVNULL,
    )


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    os.killpg(worker.pid, sig)
    worker.wait(timeout=30)


def sweep(env: dict, queue: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "sweep_renditions", "--older-than", "0"],
        cwd=ROOT,
        env={**env, "CELERY_TASK_DEFAULT_QUEUE": queue},
        check=True,
        capture_output=True,
    )


def sweep_until_ready(env: dict, queue: str, seconds: float) -> bool:
    """Run the sweep every second, as beat would, until every rendition is ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sweep(env, queue)
        if wait_until(lambda: set(statuses()) == {"ready"}, 1):
            return True
    return False


def statuses() -> list[str]:
    return list(Rendition.objects.values_list("status", flat=True))


def wait_until(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def rendition_files(settings) -> list[Path]:
    return [path for path in (settings.MEDIA_ROOT / "renditions").rglob("*") if path.is_file()]


def pending_photos(count: int) -> list[Asset]:
    """Assets whose renditions are waiting, as after an upload."""
    return [make_asset(data=image_bytes("JPEG", (4000, 3000))) for _ in range(count)]


def test_a_worker_killed_mid_task_loses_nothing_and_leaves_one_file_per_size(
    portal_env, queue, web_process_queue, settings
):
    assets = pending_photos(4)
    worker = start_worker(portal_env, queue)
    assert wait_until(lambda: "ready" in statuses(), 60), "the worker never started"
    stop(worker, signal.SIGKILL)
    left = statuses().count("pending")
    assert left > 0, "the worker finished before it could be killed"

    replacement = start_worker(portal_env, queue)
    try:
        # The sweep hands the dead worker's work on once its claim runs out.
        done = sweep_until_ready(portal_env, queue, seconds=60)
    finally:
        stop(replacement)
    assert done, f"still pending: {statuses().count('pending')}"
    assert Rendition.objects.count() == len(assets) * len(presets_for("photo"))
    files = rendition_files(settings)
    # Each size's file and its display copy, and nothing a killed worker left behind.
    names = [name for pair in Rendition.objects.values_list("file", "display") for name in pair]
    assert sorted(str(path) for path in files) == sorted(
        str(settings.MEDIA_ROOT / name) for name in names if name
    )


def test_a_restarted_redis_loses_the_queue_and_the_sweep_finishes_the_work(
    portal_env, queue, private_redis, web_process_queue
):
    pending_photos(2)
    assert private_redis.queued(queue) == 2
    private_redis.kill()
    private_redis.start()
    assert private_redis.queued(queue) == 0, "the restart should have lost the queue"

    worker = start_worker(portal_env, queue)
    try:
        assert sweep_until_ready(portal_env, queue, seconds=60)
    finally:
        stop(worker)


@pytest.fixture
def broker_down():
    with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        yield


def test_with_redis_down_an_upload_succeeds_and_the_page_says_sizes_are_waiting(
    real_services, broker_down, client, marketer
):
    client.force_login(marketer)
    response = client.post(
        "/library/upload/", {"files": [upload("team.jpg")], "kind": "photo"}, follow=True
    )
    assert response.status_code == 200
    asset = Asset.objects.get()
    assert set(statuses()) == {"pending"}
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Sizes are being made" in page


def test_with_redis_down_a_count_is_refused_for_now_and_counts_when_redis_is_back(
    real_services, settings, client, fresh_token
):
    asset = make_asset()
    form = {"asset": asset.slug, "preset": "x-header", "kind": "download", "token": fresh_token()}
    working_redis = settings.REDIS_URL
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    # The spent tokens live in Redis: without them a token could be spent twice.
    assert client.post("/count/", form).status_code == 503
    settings.REDIS_URL = working_redis
    assert client.post("/count/", form).status_code == 204, "the token was not spent"
    assert pending_push() == 0
    week = week_of(timezone.localdate())
    assert week_counts(week) == {("download", asset.pk, "x-header"): 1}


def test_with_redis_down_counts_already_taken_wait_in_memory_and_reach_redis_when_it_is_back(
    real_services, settings, db
):
    asset = make_asset()
    today = timezone.localdate()
    working_redis = settings.REDIS_URL
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for _ in range(2):
        assert tally_add(asset_slug=asset.slug, kind="download", preset="x-header", today=today)
    assert pending_push() == 2, "they wait while Redis is away"
    settings.REDIS_URL = working_redis
    assert pending_push() == 0
    assert week_counts(week_of(today)) == {("download", asset.pk, "x-header"): 2}


class RedisPath:
    """The network between a web process and Redis, on loopback: it can lose one answer.

    Every connection is relayed byte for byte to Redis. After `answer_lost(containing)`,
    Redis receives (and applies) the next command carrying those bytes, and its answer is
    dropped with the connection, as when Redis or the network dies just then.
    """

    def __init__(self, redis_url: str) -> None:
        parts = urlsplit(redis_url)
        self.redis = (parts.hostname, parts.port or 6379)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}{parts.path}"
        self.lose: bytes | None = None
        self.lost = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def answer_lost(self, containing: bytes) -> None:
        self.lose = containing

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return  # closed
            far = socket.create_connection(self.redis)
            doomed = threading.Event()
            threading.Thread(target=self._requests, args=(near, far, doomed), daemon=True).start()
            threading.Thread(target=self._answers, args=(far, near, doomed), daemon=True).start()

    def _requests(self, near: socket.socket, far: socket.socket, doomed: threading.Event) -> None:
        while data := self._read(near):
            if self.lose and self.lose in data:
                self.lose = None
                doomed.set()  # before Redis has the command, so before its answer exists
            far.sendall(data)
        self._cut(near, far)

    def _answers(self, far: socket.socket, near: socket.socket, doomed: threading.Event) -> None:
        while data := self._read(far):
            if doomed.is_set():
                self.lost.set()
                break
            near.sendall(data)
        self._cut(near, far)

    @staticmethod
    def _read(end: socket.socket) -> bytes:
        try:
            return end.recv(65536)
        except OSError:
            return b""

    @staticmethod
    def _cut(*ends: socket.socket) -> None:
        for end in ends:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already cut
            end.close()


@pytest.fixture
def redis_path(real_services, settings):
    path = RedisPath(settings.REDIS_URL)
    settings.REDIS_URL = path.url  # the portal reaches Redis through it
    yield path
    path.close()


def test_a_push_that_redis_applied_but_whose_answer_was_lost_is_sent_again_and_counted_once(
    redis_path, client, fresh_token
):
    asset = make_asset()
    this_week = week_of(timezone.localdate())
    form = {"asset": asset.slug, "kind": "download", "preset": "x-header"}
    assert client.post("/count/", form | {"token": fresh_token()}).status_code == 204
    assert pending_push() == 0
    # The next push reaches Redis and is applied, and its answer never comes back.
    redis_path.answer_lost(week_key(this_week).encode())
    assert client.post("/count/", form | {"token": fresh_token()}).status_code == 204
    assert pending_push() == 1, "this process cannot know that its push arrived"
    assert redis_path.lost.is_set()
    assert pending_push() == 0  # the next second's push sends it again
    assert week_counts(this_week) == {("download", asset.pk, "x-header"): 2}


def test_a_push_waiting_for_its_answer_leaves_in_redis_a_random_id_dated_only_by_the_week(
    redis_path, client, fresh_token
):
    asset = make_asset()
    form = {"asset": asset.slug, "kind": "download", "preset": "x-header"}
    assert client.post("/count/", form | {"token": fresh_token()}).status_code == 204
    assert pending_push() == 0
    redis_path.answer_lost(week_key(week_of(timezone.localdate())).encode())
    assert client.post("/count/", form | {"token": fresh_token()}).status_code == 204
    assert pending_push() == 1
    store = redis.Redis.from_url(redis_path.url)
    [push_id] = store.scan_iter(match=PUSH_PREFIX + "*")
    assert store.get(push_id) == b""
    # The moment the week's spent tokens expire, whenever in the week the push was made.
    [spent] = store.scan_iter(match=SPENT_PREFIX + "*")
    assert store.expiretime(push_id) == store.expiretime(spent)
    assert pending_push() == 0
    assert list(store.scan_iter(match=PUSH_PREFIX + "*")) == [], "an answered push keeps no id"


def test_with_redis_down_the_reset_page_answers_the_same_for_any_address(
    real_services, broker_down, client, employee
):
    # These tests commit for real, so the after-commit enqueue meets the missing broker.
    known = client.post("/accounts/password-reset/", {"email": "erin@example.com"})
    unknown = client.post("/accounts/password-reset/", {"email": "who@example.com"})
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"


def test_with_redis_down_a_publish_with_email_succeeds_and_the_email_waits_for_the_sweep(
    real_services, broker_down, client, marketer, settings
):
    settings.ALL_STAFF_EMAIL = "all-staff@example.com"
    announcement = make_announcement()
    client.force_login(marketer)
    response = client.post(
        reverse("policies:publish", args=[announcement.pk]), {"email": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "Published." in response.content.decode()
    assert Announcement.objects.get().email_status == Announcement.EmailStatus.REQUESTED


@contextmanager
def releases_locked():
    """Hold every reader of the releases table at its first query, until the block ends."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    ) as barrier:
        barrier.execute("LOCK TABLE tracking_release IN ACCESS EXCLUSIVE MODE")

        def waiting() -> int:
            query = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass"
            return barrier.execute(query, ["tracking_release"]).fetchone()[0]

        yield waiting


def rolled_back() -> int:
    """Transactions of the test database that ended in a rollback (an error, mostly).

    Counted once every other connection has ended: a connection hands PostgreSQL
    its statistics before it leaves pg_stat_activity.
    """
    others = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with connection.cursor() as cursor:

        def alone() -> bool:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(others)
            return cursor.fetchone()[0] == 0

        assert wait_until(alone, 30), "another connection stayed open"
        cursor.execute(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_two_workers_releasing_a_week_at_the_same_moment_publish_it_once(
    portal_env, private_redis, settings
):
    settings.REDIS_URL = private_redis.url
    asset = make_asset(created_at=timezone.now() - datetime.timedelta(weeks=8))
    last_week = week_of(timezone.localdate()) - datetime.timedelta(weeks=1)
    for _ in range(400):
        tally_add(asset_slug=asset.slug, kind="download", preset="x-header", today=last_week)
    assert pending_push() == 0
    store = redis.Redis.from_url(private_redis.url)
    store.config_set("notify-keyspace-events", "Kg")
    events = store.pubsub()
    events.subscribe(f"__keyspace@0__:{week_key(last_week)}")
    queues = [f"race-{uuid.uuid4().hex}" for _ in range(2)]
    workers = [start_worker(portal_env, queue) for queue in queues]
    rollbacks = rolled_back()
    try:
        with broker(private_redis.url):
            with releases_locked() as waiting:
                sent = [release_closed_weeks.apply_async(queue=queue) for queue in queues]
                # Both workers have taken their task and stand at the same line.
                assert wait_until(lambda: waiting() == 2, 60), "the workers never started"
            backend = RedisBackend(app=celery_app, url=private_redis.url)
            released = sorted(
                celery_app.AsyncResult(task.id, backend=backend).get(timeout=60) for task in sent
            )
    finally:
        for worker in workers:
            stop(worker)
    assert released == [0, 1], "one worker released the week, the other quietly found it done"
    assert rolled_back() == rollbacks, "a worker's release failed in the database"
    release = Release.objects.get()
    assert release.week == last_week
    # Drawn from the 400 real counts, not from an empty week: within six standard deviations
    # of the noise this release was calibrated with.
    spread = 6 * noise_sd(release.noise_scale)
    assert abs(release.totals["download"]["assets"][str(asset.pk)] - 400) < spread < 400
    assert set(ReleasedSizes.objects.values_list("release", flat=True)) == {release.pk}
    assert week_counts(last_week) == {}
    changes = []
    while message := events.get_message(timeout=1):
        changes += [message["data"]] if message["type"] == "message" else []
    assert changes == [b"del"], "the raw numbers are deleted once, by the release"
