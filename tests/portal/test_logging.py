"""No log line names an artwork: every path in every handler's output is redacted.

The URLs are found by walking the URL patterns, so a new URL is checked the day
it is added; the lines are read from the handlers LOGGING (and gunicorn, and
Celery) really write through.
"""

import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from assets.models import AssetVersion, Collection
from assets.services import asset_replace_file
from guidelines.services import guideline_save
from policies.models import PolicyPage
from tests.conftest import free_port
from tests.factories import make_announcement, make_asset, upload

ROOT = Path(__file__).resolve().parents[2]
SIZE = "x-header"
# A value for each converter a URL pattern may use; none of them is a real word.
SENTINELS = {
    "SlugConverter": "zqx-sentinel-slug",
    "IntConverter": "987654321",
    "PathConverter": "zqx/sentinel/path",
    "StringConverter": "zqxsentinelstr",
    "UUIDConverter": "d3b07384-d9a0-4c9f-8a1e-5c0f6f8b2a11",
}


def _handlers() -> list[logging.Handler]:
    """Every handler that can write, on every logger; pytest's own left out.

    Also left out: those an earlier test in this process left on a stream pytest
    has closed since (a plain gunicorn logger, say): they write nothing.
    """
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {
        handler
        for logger in loggers
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
    }
    return [
        handler
        for handler in handlers
        if not isinstance(handler, logging.NullHandler)
        and not type(handler).__module__.startswith("_pytest")
        and not getattr(getattr(handler, "stream", None), "closed", False)
    ]


@contextmanager
def captured_logs():
    """Point every stream handler at one buffer, as the process's stderr would be."""
    buffer = io.StringIO()
    streams = [handler for handler in _handlers() if isinstance(handler, logging.StreamHandler)]
    previous = [handler.setStream(buffer) for handler in streams]
    try:
        yield buffer
    finally:
        for handler, stream in zip(streams, previous, strict=True):
            handler.setStream(stream)


def _routes(entries=None, prefix: str = "", namespace: str = ""):
    """(namespace, name, route, converters) of every URL pattern written with path()."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        pattern = entry.pattern
        route = prefix + str(pattern) if isinstance(pattern, RoutePattern) else None
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _routes(entry.url_patterns, route or prefix, inner)
        elif route is not None:
            yield namespace, entry.name, route, pattern.converters


def _sentinel_path(route: str, converters: dict) -> str:
    for name, converter in converters.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", SENTINELS[type(converter).__name__], route)
    return "/" + route


def test_every_logger_the_portal_writes_through_reaches_only_redacting_handlers():
    names = ["django.request", "django.server", "django.security.csrf", "django.db.backends"]
    names += ["celery.app.trace", "celery.worker", "py.warnings", "portal", "tracking", "assets"]
    for name in names:
        logger, handlers = logging.getLogger(name), []
        while logger:
            handlers += logger.handlers
            logger = logger.parent if logger.propagate else None
        # A NullHandler writes nothing (Celery puts one on its trace logger).
        handlers = [
            handler
            for handler in handlers
            if not isinstance(handler, logging.NullHandler)
            and not type(handler).__module__.startswith("_pytest")
        ]
        # None at all would print through logging.lastResort, unredacted.
        assert handlers, f"{name} reaches no handler"
        for handler in handlers:
            assert any(type(f).__name__ == "PathRedaction" for f in handler.filters), name


def test_a_celery_worker_logs_through_the_portals_handler(real_services):
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"]
    command += ["-Q", f"logs-{uuid.uuid4().hex}", "--without-mingle", "--without-gossip"]
    worker = subprocess.Popen(
        [*command, "--loglevel", "info"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        for line in worker.stdout:
            lines.append(line)
            if " ready." in line:
                break
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    # LOGGING's format ("INFO celery.apps.worker: ..."), not Celery's own with a time.
    assert [line for line in lines if " ready." in line][0].startswith("INFO celery.")
    assert not [line for line in lines if re.match(r"\[\d{4}-", line)], lines


def test_every_url_pattern_with_a_part_is_logged_without_it():
    routes = [(route, converters) for _, _, route, converters in _routes() if converters]
    assert any("<slug:asset>" in route for route, _ in routes)  # the walk finds them all
    with captured_logs() as logs:
        for route, converters in routes:
            path = _sentinel_path(route, converters)
            logging.getLogger("django.request").warning("Not Found: %s", path)
            logging.getLogger("django.server").warning('"GET %s?q=spring HTTP/1.1" 404 0', path)
    output = logs.getvalue()
    assert output.count("Not Found: /") == len(routes)
    assert "zqx" not in output and "987654321" not in output and "spring" not in output


@pytest.fixture
def every_asset_url(marketer):
    """Each URL that has a part filled in (found from the patterns) and what fills them."""
    collection = Collection.objects.create(name="Fjordlight Spring", slug="fjordlight-spring")
    asset = make_asset(title="Spring banner", collection=collection)
    dont = make_asset(title="Stretched logo", collection=collection, status="draft")
    guideline_save(collection=collection, bodies={"en": "Kind."}, swatches=[], dont_examples=[dont])
    asset_replace_file(asset=asset, file=upload(), filename="new.jpg", replaced_by=marketer)
    policy = PolicyPage.objects.first()
    announcement = make_announcement(asset=asset)
    filled = {
        "assets": {
            "slug": asset.slug,
            "preset": SIZE,
            "pk": AssetVersion.objects.get(asset=asset).pk,
        },
        "guidelines": {"slug": collection.slug, "asset": dont.slug},
        "api": {"slug": asset.slug},
        "policies": {"slug": policy.slug, "pk": announcement.pk},
        # A link nobody made: its pages answer 404, and their lines must not name the artwork.
        "sharing": {"secret": "no-such-link", "slug": asset.slug, "preset": SIZE, "pk": 1},
    }
    urls, unfilled = [], set()
    for namespace, name, _, converters in _routes():
        if not converters:
            continue
        if namespace not in filled:
            unfilled.add(namespace)
            continue
        kwargs = {part: filled[namespace][part] for part in converters}
        urls.append(reverse(f"{namespace}:{name}", kwargs=kwargs))
    # Patterns whose parts name no artwork: the rule test above covers them.
    assert unfilled == {"accounts", "admin"}
    slug = asset.slug
    # What people mistype: a size that does not exist, a path no pattern has.
    urls += [f"/assets/{slug}/sizes/no-such-size/", f"/assets/{slug}/sizes/{SIZE}.jpg"]
    urls += [f"/api/v1/assets/{slug}/?format=json", f"/?collection={collection.slug}"]
    names = [asset.slug, dont.slug, collection.slug, "fjordlight", "spring"]
    return urls, names


def test_requests_to_every_asset_url_leave_no_slug_in_the_logs(client, marketer, every_asset_url):
    urls, names = every_asset_url
    client.force_login(marketer)
    with captured_logs() as logs:
        statuses = {url: client.get(url).status_code for url in urls}
    output = logs.getvalue()
    assert 404 in statuses.values() and 405 in statuses.values()
    assert "Not Found: /assets/-/sizes/-/" in output
    assert "Method Not Allowed (GET): /library/-/publish/" in output
    assert not [name for name in names if name in output], output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_logs_every_asset_url_without_its_slug(
    real_services, client, marketer, every_asset_url
):
    urls, names = every_asset_url
    client.force_login(marketer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    database = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "INFO",
        "GUNICORN_ACCESS_LOG": "-",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "portal.wsgi"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        statuses = [_get(port, url, cookie) for url in urls]
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert 404 in statuses and 200 in statuses
    assert '"GET /assets/-/sizes/-/ HTTP/1.1" 200' in output  # the access log
    assert "Not Found: /assets/-/sizes/-/" in output  # Django's own, through gunicorn
    assert not [name for name in names if name in output], output


def _get(port: int, url: str, cookie: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers={"Cookie": cookie})
    deadline = time.monotonic() + 30
    while True:
        try:
            # The address is the test's own server, over plain http.
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
