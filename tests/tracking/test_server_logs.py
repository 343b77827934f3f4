import io
import runpy
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from gunicorn.config import Config
from gunicorn.glogging import Logger

from tests.factories import make_asset
from tracking.services import count_token

CONF = runpy.run_path(str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"))


def _access_log(path: str, capsys, logger_class=None, environ=None) -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", CONF["access_log_format"])
    logger = (logger_class or CONF["PortalLogger"])(config)
    environ = environ or {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.73",
        "HTTP_USER_AGENT": "SentinelBrowser/9.7.3",
    }
    request = SimpleNamespace(
        headers=[], method="GET", path=path, query="", uri=path, version=(1, 1)
    )
    response = SimpleNamespace(status="200 OK", sent=0, headers=[])
    capsys.readouterr()
    logger.access(response, request, environ, SimpleNamespace(seconds=0, microseconds=900))
    return capsys.readouterr().out


def test_the_access_log_names_no_client_and_skips_counts(capsys):
    page = _access_log("/policies/", capsys)
    assert '"GET /policies/ HTTP/1.1" 200' in page
    assert "198.51.100.73" not in page and "Sentinel" not in page
    assert _access_log("/count/", capsys) == ""


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_the_access_log_skips_health_checks_and_metrics_scrapes(capsys, path):
    assert _access_log(path, capsys) == ""


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/assets/spring-banner/", "/assets/-/"),
        ("/assets/spring-banner/original/", "/assets/-/original/"),
        ("/assets/spring-banner/preview/", "/assets/-/preview/"),
        ("/assets/spring-banner/sizes/linkedin-banner/", "/assets/-/sizes/-/"),
        ("/assets/spring-banner/all-sizes.zip", "/assets/-/all-sizes.zip"),
        ("/media/renditions/ab/abcdef.jpg", "/media/-"),
    ],
)
def test_the_access_log_names_no_artwork_and_no_size(capsys, path, logged):
    line = _access_log(path, capsys)
    assert f'"GET {logged} HTTP/1.1" 200' in line
    assert "spring" not in line and "linkedin" not in line and "abcdef" not in line


def test_the_error_log_names_no_artwork_either(capsys):
    config = Config()
    config.set("errorlog", "-")
    logger = CONF["PortalLogger"](config)
    capsys.readouterr()
    logger.error("Error handling request %s", "/collections/spring/guidelines/dont/stretched/")
    line = capsys.readouterr().err
    assert "Error handling request /collections/-/guidelines/dont/-/" in line
    assert "spring" not in line and "stretched" not in line


def test_the_count_middleware_leaves_the_servers_environ_to_any_access_logger(db, capsys):
    asset = make_asset()
    token = count_token(asset_slug=asset.slug, day=timezone.localdate())
    body = f"asset={asset.slug}&kind=download&token={token}".encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/count/",
        "RAW_URI": "/count/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": "sessionid=sentinel",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    # As Django's test client does: keep the test's database connection open.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    assert statuses == ["204 No Content"]
    assert environ["RAW_URI"] == "/count/"
    # A plain gunicorn logger that does not skip counts still works.
    assert '"POST /count/ HTTP/1.1"' in _access_log(
        "/count/", capsys, Logger, environ | {"REQUEST_METHOD": "POST"}
    )
