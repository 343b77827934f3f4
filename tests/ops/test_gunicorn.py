"""The portal under gunicorn with deploy/gunicorn.conf.py: metrics of several workers added
up (PROMETHEUS_MULTIPROC_DIR), log lines as JSON (LOG_FORMAT=json), and a node told to stop
leaving the proxy before it closes its socket."""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "g" * 40
WORKERS = 3
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def get(url: str, **headers: str) -> str:
    # A new connection each time, so gunicorn hands requests to whichever worker is free.
    response = requests.get(url, headers={"Connection": "close", **headers}, timeout=30)
    response.raise_for_status()
    return response.text


@pytest.fixture
def gunicorn(postgresql, tmp_path):
    """Start gunicorn on the test database with more environment; its base URL and process.
    What it writes to stderr (its error log, the portal's log) goes to tmp_path / "stderr"."""
    servers, stderr = [], tmp_path / "stderr"

    def start(**env: str) -> str:
        database = connection.settings_dict
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_DRAIN_SECONDS": "0",  # stopped at once after each test
            **env,
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
             # Its control socket has one path per user: two test servers at once would share it.
             "--no-control-socket", "portal.wsgi"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr.open("w"),
        )  # fmt: skip
        servers.append(server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{base}/healthz")
                return base, server
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn died"
                time.sleep(0.2)

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


def test_every_scrape_shows_the_requests_of_all_workers(gunicorn, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    base, _ = gunicorn(
        METRICS_ENABLED="true",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        GUNICORN_ACCESS_LOG="",
    )
    # Requests in parallel until at least two workers have answered some (each writes its
    # numbers to a file of its own there), so the scrapes below must add files up.
    sent = 0
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        while sent < 30 or len(list(folder.glob("counter_*.db"))) < 2:
            assert sent < 600, "one worker answered every request"
            list(pool.map(get, [f"{base}/accounts/login/"] * 10))
            sent += 10
    line = f'portal_responses_total{{status="200",view="accounts:login"}} {float(sent)}'
    for _ in range(10):  # each scrape may be answered by any worker
        assert line in get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")


def test_access_and_error_lines_are_json_with_log_format_json(real_services, gunicorn, tmp_path):
    access = tmp_path / "access.log"
    base, _ = gunicorn(LOG_FORMAT="json", GUNICORN_ACCESS_LOG=str(access), LOG_LEVEL="INFO")
    get(f"{base}/accounts/login/")
    get(f"{base}/healthz")
    deadline = time.monotonic() + 10
    while not access.read_text():
        assert time.monotonic() < deadline, "no access line written"
        time.sleep(0.1)
    lines = [json.loads(line) for line in access.read_text().splitlines()]
    assert [line["logger"] for line in lines] == ["gunicorn.access"]  # /healthz is not logged
    assert '"GET /accounts/login/ HTTP/1.1" 200' in lines[0]["message"]
    errors = [json.loads(line) for line in (tmp_path / "stderr").read_text().splitlines()]
    assert {"level": "INFO", "logger": "gunicorn.error"}.items() <= errors[0].items()


def test_sigterm_first_takes_the_node_out_of_the_proxy_while_it_still_serves(
    real_services, gunicorn, tmp_path
):
    base, server = gunicorn(GUNICORN_DRAIN_SECONDS="6", MEDIA_ROOT=str(tmp_path))
    ready = requests.get(f"{base}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    server.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while requests.get(f"{base}/readyz", timeout=30).status_code == 200:
        assert time.monotonic() < deadline, "SIGTERM never made the node unready"
        time.sleep(0.05)
    # What haproxy's check sees: not ready, on every worker; a person's request still served.
    for _ in range(WORKERS * 2):
        answer = requests.get(f"{base}/readyz", headers={"Connection": "close"}, timeout=30)
        assert answer.status_code == 503
        assert answer.json()["failed"] == ["node"]
        assert answer.json()["checks"]["node"] == "stopping"
    assert "Sign in" in get(f"{base}/accounts/login/")
    assert server.poll() is None  # still running: it stops after the drain, not at once
    assert server.wait(timeout=30) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=5)
