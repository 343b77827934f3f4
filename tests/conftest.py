"""Shared fixtures: temporary media, a fast hasher, one user per role, real services, a browser.

Tests that use `transactional_db` must pass `serialized_rollback=True` to
`django_db`, or the roles created by the data migration are flushed away.
"""

import io
import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, connections
from django.test import Client

from accounts.roles import BRAND_LEAD, EMPLOYEES, LEADERSHIP, MARKETING
from assets.management.commands import check_storage, clean_originals, import_assets
from portal.celery import app as celery_app

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"
# Quiet, headless and self-contained: Chromium reaches out to nothing but the test server.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets a Redis database of its own, as pytest-django gives
    it a test database of its own; processes the tests start inherit it from the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        # Once, before any worker starts: the .mo files are built from the committed .po.
        compile_catalogues()
    if not worker or not django_settings.REDIS_URL:
        return
    parts = urlsplit(django_settings.REDIS_URL)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    url = urlunsplit(parts._replace(path=f"/{database}"))
    os.environ["REDIS_URL"] = url
    django_settings.REDIS_URL = url
    django_settings.CELERY_BROKER_URL = django_settings.CELERY_RESULT_BACKEND = url
    django_settings.CACHES["default"]["LOCATION"] = url
    celery_app.conf.broker_url = celery_app.conf.result_backend = url


def compile_catalogues() -> None:
    for po in (Path(django_settings.BASE_DIR) / "locale").glob("*/LC_MESSAGES/*.po"):
        subprocess.run(["msgfmt", "--check", "-o", po.with_suffix(".mo"), po], check=True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / "media"},
            },
        }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in the test's process unless the test runs a real worker."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER


def _user(django_user_model, username: str, role: str | None = None, **extra):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.com", "correct horse battery", **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def employee(db, django_user_model):
    return _user(django_user_model, "erin", EMPLOYEES)


@pytest.fixture
def marketer(db, django_user_model):
    return _user(django_user_model, "mark", MARKETING)


@pytest.fixture
def leader(db, django_user_model):
    return _user(django_user_model, "lee", LEADERSHIP)


@pytest.fixture
def brand_lead(db, django_user_model):
    """The Brand lead role alone: reviews, and otherwise browses like an employee."""
    return _user(django_user_model, "bea", BRAND_LEAD)


@pytest.fixture
def outsider(db, django_user_model):
    """Signed in, but in no group."""
    return _user(django_user_model, "olive")


@pytest.fixture
def staff(db, django_user_model):
    return _user(django_user_model, "sam", is_staff=True, is_superuser=True)


@pytest.fixture
def fresh_token(db, django_user_model):
    """One real unspent token per call, from batches fetched as the browser fetches them,
    each batch by a new employee (one person's week holds TRACKING_WEEKLY_TOKENS)."""
    from tests.tokens import tokens_issue

    spare: list[str] = []
    holders = itertools.count()

    def take() -> str:
        if not spare:
            holder = _user(django_user_model, f"token-holder-{next(holders)}", EMPLOYEES)
            spare.extend(tokens_issue(holder))
        return spare.pop()

    return take


@pytest.fixture
def real_services():
    """PostgreSQL and Redis for real: skip with the reason locally, fail in CI."""
    problems = []
    if connection.vendor != "postgresql":
        problems.append("the test database is not PostgreSQL (set DATABASE_URL)")
    if not django_settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    else:
        try:
            redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2).ping()
        except redis.RedisError as error:
            problems.append(f"Redis at REDIS_URL does not answer ({error})")
    if problems:
        missing_service("needs real services: " + "; ".join(problems))


@pytest.fixture
def postgresql():
    """The test database is PostgreSQL, a server that can be out of reach."""
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: the test database is not PostgreSQL (set DATABASE_URL)")


def missing_service(message: str) -> None:
    """Skip locally, fail in CI: there the services must be present."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
def unreachable_database(unused_port):
    """Point the connection at a port nobody listens on; call the result to bring it back.

    Every thread's connection reads the same settings, so connections opened in threads
    (the readiness check's) see the port too.
    """
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = unused_port

    def back() -> None:
        connection.settings_dict["PORT"] = port
        close_old_connections()  # what the real server does as each request starts

    yield back
    back()


@pytest.fixture(scope="session")
def s3_server():
    """An S3-protocol server (moto) on loopback, for the whole run; its endpoint URL."""
    try:
        import moto.server  # noqa: F401
    except ImportError as error:
        missing_service(f"needs moto[server] for the S3 tests ({error})")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    missing_service(f"moto_server did not start on port {port}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A fresh bucket that Django's default storage writes to, as in production."""
    import boto3

    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    bucket = boto3.resource(
        "s3", endpoint_url=s3_server, region_name="us-east-1", **keys
    ).create_bucket(Bucket=f"portal-{uuid.uuid4().hex}")
    # The same options portal/settings.py builds from the S3_* variables.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket.name,
                "endpoint_url": s3_server,
                "access_key": keys["aws_access_key_id"],
                "secret_key": keys["aws_secret_access_key"],
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    return bucket


@pytest.fixture
def celery_queue(real_services, transactional_db):
    """Tasks go to Redis, on a queue of this test's own; nothing works on it yet."""
    queue = f"test-{uuid.uuid4().hex}"
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_routes = None  # every task to this queue, whatever its kind
    # Celery keeps the queue list (and its default) from first use; without this a second
    # worker in the same run would listen on the first test's queue only.
    for cached in ("queues", "default_queue", "router"):
        celery_app.amqp.__dict__.pop(cached, None)
    celery_app.amqp.flush_routes()
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = "celery"
        celery_app.conf.task_routes = django_settings.CELERY_TASK_ROUTES
        celery_app.amqp.flush_routes()
        celery_app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER


def worker_on(queue: str):
    """A real Celery worker thread on Redis, working on ``queue`` until the block ends."""
    from celery.contrib.testing.worker import start_worker

    # Named, not left to the default: the app keeps the first worker's consume list, so a
    # second worker test in the same run would otherwise listen on the first one's queue.
    return start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[queue]
    )


@pytest.fixture
def celery_worker(celery_queue):
    """A real Celery worker thread on Redis, on a queue of this test's own."""
    with worker_on(celery_queue):
        yield


@pytest.fixture
def chromium(monkeypatch, transactional_db):
    """Debian's Chromium: skip with the reason locally, fail in CI.

    One per test, not per session: Playwright's sync API marks an asyncio loop as running on
    this thread for as long as it lives. Django then refuses database calls unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set, and its connection handler hands out a different
    connection object, which loses the serialized rollback data (the roles vanish from later
    tests). Ending Playwright with the test keeps both inside it; a launch costs under a second.
    """
    if not Path(CHROMIUM).exists():
        missing_service(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The connections the test opened while the loop ran are out of Django's sight later.
        connections.close_all()


@pytest.fixture
def browser_as(chromium, live_server):
    """Open browser contexts signed in as a given user, through a real session cookie.

    Tests using it need `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`:
    the live server reads the database from its own thread.
    """
    contexts = []

    def open_as(user, **options):
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context = chromium.new_context(base_url=live_server.url, **options)
        cookie = {"name": django_settings.SESSION_COOKIE_NAME, "value": session}
        context.add_cookies([{**cookie, "url": live_server.url}])
        contexts.append(context)
        return context

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _no_waiting_counts():
    """Counts and token records wait in Redis (or a process's memory) between requests:
    each test starts clean."""
    from privacypass.services import LOCAL_RECORDS
    from tracking.tally import published_forget, week_discard, weeks_waiting

    def forget() -> None:
        LOCAL_RECORDS.clear()
        try:
            if django_settings.REDIS_URL:
                store = redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)
                keys = [
                    key
                    for pattern in ("tracking:*", "privacypass:*")
                    for key in store.scan_iter(match=pattern, count=1000)
                ]
                if keys:
                    store.delete(*keys)
            for week in weeks_waiting():
                week_discard(week)
        except redis.RedisError:
            pass
        published_forget()

    forget()
    yield
    forget()


def _shell_run(command_class: type[BaseCommand], name: str):
    """Run a command as `manage.py` does from a shell: its output and exit status.

    (run_from_argv itself would also close the test's database connection.)
    """

    def run_command(*args) -> tuple[str, int]:
        out = io.StringIO()
        command = command_class(stdout=out)
        command._called_from_command_line = True  # argparse exits 2, as in a shell
        try:
            parser = command.create_parser("manage.py", name)
            command.execute(**vars(parser.parse_args([str(arg) for arg in args])))
        except CommandError as error:
            return out.getvalue(), error.returncode
        except SystemExit as exit:
            return out.getvalue(), exit.code
        return out.getvalue(), 0

    return run_command


@pytest.fixture
def import_assets_run():
    return _shell_run(import_assets.Command, "import_assets")


@pytest.fixture
def clean_originals_run():
    return _shell_run(clean_originals.Command, "clean_originals")


@pytest.fixture
def check_storage_run():
    return _shell_run(check_storage.Command, "check_storage")
