"""What the server benchmarks share: a database of their own, gunicorn, a load generator.

Everything listens on 127.0.0.1 only, and every loop is bounded in count.
"""

import base64
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"


def production_env(database: str, **extra: str) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, PostgreSQL, no TLS in front."""
    return {
        "DATABASE_URL": f"{SERVER}/{database}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x1y2z3" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": "",
        # Nothing here sends mail; DEBUG off needs a real mail server named all the same.
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        **extra,
    }


_MADE_UP_ACCOUNTS = itertools.count(10**12)


def tokens_mint(count: int) -> list[str]:
    """`count` real count tokens, as the page sends them: made by the Python client of
    privacypass/ and the real issuing service, B per made-up account (ids no account has).

    Needs Django set up with the server's SECRET_KEY and REDIS_URL."""
    from django.conf import settings

    from privacypass.client import tokens_fetch
    from privacypass.services import batch_issue, token_week, week_key

    key = week_key(token_week())
    tokens: list[bytes] = []
    while len(tokens) < count:
        account = next(_MADE_UP_ACCOUNTS)
        tokens += tokens_fetch(
            public_key=key.public_key,
            key_id=key.key_id,
            count=min(settings.TRACKING_WEEKLY_TOKENS, count - len(tokens)),
            issue=lambda request, account=account: batch_issue(account_id=account, request=request),
        )
    return [base64.urlsafe_b64encode(token).decode().rstrip("=") for token in tokens]


def session_key_for(user) -> str:
    """A session of ``user``, signed in with a password, as the sign-in page makes it: the
    benchmarks send its key as the browser's cookie. Needs Django set up."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def recreate_database(env: dict[str, str]) -> None:
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=os.environ | env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, app: str = "portal.wsgi"):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            app,
        ],
        cwd=ROOT,
        # No proxy in front to leave: stopped, it stops at once.
        env=os.environ | {"GUNICORN_DRAIN_SECONDS": "0"} | env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def raw_request(method: str, path: str, *, body: bytes = b"", headers: str = "") -> bytes:
    """A request built once: the load generator shares the cores with the server."""
    content = "Content-Type: application/x-www-form-urlencoded\r\n" if body else ""
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}{content}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def send(port: int, request: bytes) -> tuple[bytes, float]:
    """Send one request; return its status code and latency in seconds."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        response = b""
        while chunk := connection.recv(262144):
            response += chunk
    return response[9:12], time.perf_counter() - started


@dataclass
class Tally:
    """Latencies and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    failures: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: bytes, latency: float) -> None:
        with self.lock:
            self.latencies.append(latency)
            if not status.startswith((b"2", b"3")):
                self.failures.append(status)

    def summary(self, elapsed: float) -> dict[str, float]:
        cut = statistics.quantiles(sorted(self.latencies), n=100)
        return {
            "requests": len(self.latencies),
            "rps": len(self.latencies) / elapsed,
            "p50": cut[49],
            "p95": cut[94],
            "p99": cut[98],
            "errors": len(self.failures),
        }


def run_threads(count: int, target, *args) -> None:
    threads = [threading.Thread(target=target, args=args) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    columns = ["count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    print(f"{'requests':<26}" + "".join(f" {column:>7}" for column in columns))
    for name, row in rows.items():
        print(
            f"{name:<26} {row['requests']:>7} {row['rps']:>7.0f} {row['p50'] * 1000:>7.1f} "
            f"{row['p95'] * 1000:>7.1f} {row['p99'] * 1000:>7.1f} {row['errors']:>7}"
        )
