"""Metrics under gunicorn with several workers: PROMETHEUS_MULTIPROC_DIR adds them up."""

import os
import subprocess
import sys
import time
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
    response = requests.get(url, headers={"Connection": "close", **headers}, timeout=10)
    response.raise_for_status()
    return response.text


def test_every_scrape_shows_the_requests_of_all_workers(postgresql, tmp_path):
    database = connection.settings_dict
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": "",
        "METRICS_ENABLED": "true",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "portal.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{base}/healthz")
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn died"
                time.sleep(0.2)
        for _ in range(30):
            get(f"{base}/accounts/login/")
        line = 'portal_responses_total{status="200",view="accounts:login"} 30.0'
        for _ in range(10):  # each scrape may be answered by any worker
            assert line in get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Each worker wrote its numbers to a file of its own there.
    assert len(list((tmp_path / "metrics").glob("counter_*.db"))) > 1
