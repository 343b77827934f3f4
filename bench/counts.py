"""Benchmark the anonymous count endpoint and the uptake page (not a test).

Run from the repository root, with PostgreSQL and Redis on 127.0.0.1:

    .venv/bin/python -m bench.counts
    .venv/bin/python -m bench.counts --requests 5000 --concurrency 16 --artworks 1000

It (re)creates its own database (portal_bench_counts), uses Redis database 8
(only its `tracking:*` keys, which it deletes first), starts gunicorn with
deploy/gunicorn.conf.py on a free loopback port, and fires the same number of
POSTs through the full middleware stack at:

  bench/ok/       a bare view answering "ok"        (the ceiling)
  bench/ok-form/  the same after reading the form    (what any POST endpoint pays)
  count/          the real endpoint                  (memory; a thread pushes to Redis each second)

It prints requests per second, latency percentiles, the ratio, and lost counts
(read back from Redis). Then it releases a year of weeks (52) for --artworks
artworks through the real release function (OpenDP noise included) and times
the uptake page's server time, as a signed-in leader, in a fresh process started
as a gunicorn worker starts: the first request (cold: no template compiled, no
database connection, nothing cached) and the median of --repeats. Everything it
starts is stopped at the end; it never listens beyond 127.0.0.1.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import psycopg
import redis

from bench.harness import (
    ROOT,
    free_port,
    production_env,
    raw_request,
    recreate_database,
    send,
    start_gunicorn,
)

DATABASE = "portal_bench_counts"
REDIS = "redis://127.0.0.1:6379/8"  # bench/load.py uses 7; the tests use their own
ENV = production_env(DATABASE, DJANGO_SETTINGS_MODULE="bench.settings", REDIS_URL=REDIS)
ASSET_SLUG = "bench-asset"
SIZES = ["", "linkedin-banner", "x-header", "avatar-small", "video-background"]


def insert_assets(db: psycopg.Connection, count: int, *, first: int = 1) -> None:
    """Published assets straight in SQL, made two years ago: the benchmark needs rows, not files."""
    db.execute(
        """
        INSERT INTO assets_asset (title, slug, description, usage_notes, kind, status,
            original, width, height, byte_size, sha256, format, focal_x, focal_y,
            background, crop_overrides, text_area, text_colour, signature_public, signature_link,
            ring_text, created_at, updated_at)
        SELECT 'Bench artwork ' || i, CASE WHEN i = 1 THEN %s ELSE 'bench-' || i END,
            '', '', 'photo', 'published', 'originals/x.jpg', 1200, 800, 1000,
            md5(i::text) || md5((i + 1)::text), 'JPEG', 0.5, 0.5, '', '{}', 'bottom', '', false, '',
            '', now() - interval '2 years', now()
        FROM generate_series(%s::int, %s::int) AS i
        """,
        [ASSET_SLUG, first, first + count - 1],
    )


def forget_counts() -> None:
    store = redis.Redis.from_url(REDIS)
    keys = list(store.scan_iter(match="tracking:*", count=1000))
    if keys:
        store.delete(*keys)


def _fire(args: tuple[int, str, bytes, int, int]) -> list[float]:
    """One load process: `threads` threads, each sending its share of requests."""
    port, path, body, requests, threads = args
    request = raw_request("POST", path, body=body)
    latencies: list[float] = []
    failures: list[bytes] = []

    def worker(share: int) -> None:
        for _ in range(share):
            status, latency = send(port, request)
            latencies.append(latency)
            if not status.startswith(b"2"):
                failures.append(status)

    shares = [requests // threads + (i < requests % threads) for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. HTTP {failures[0].decode()}")
    return latencies


def load(port: int, path: str, body: bytes, requests: int, concurrency: int) -> dict:
    processes = min(2, concurrency)
    jobs = [
        (
            port,
            path,
            body,
            requests // processes + (i < requests % processes),
            concurrency // processes,
        )
        for i in range(processes)
    ]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        results = pool.map(_fire, jobs)
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result)
    cut = statistics.quantiles(latencies, n=100)
    return {"rps": requests / elapsed, "p50": cut[49], "p95": cut[94], "p99": cut[98]}


def measure_endpoints(options) -> None:
    from django.utils import timezone

    from tracking.models import week_of
    from tracking.services import count_token
    from tracking.tally import week_counts

    token = count_token(asset_slug=ASSET_SLUG, day=timezone.localdate())
    body = urlencode({"asset": ASSET_SLUG, "kind": "download", "preset": "", "token": token})

    def counted() -> int:
        time.sleep(2.5)  # each worker pushes what gathered to Redis once a second
        return sum(week_counts(week_of(timezone.localdate())).values())

    port = free_port()
    server = start_gunicorn(ENV, port, options.workers, app="bench.wsgi")
    try:
        results = {}
        # Alternated, twice each, so neither gets the quieter moment of a shared machine.
        endpoints = [
            ("bare ok view", "/bench/ok/"),
            ("ok, reads form", "/bench/ok-form/"),
            ("count endpoint", "/count/"),
        ]
        for name, path in endpoints * 2:
            load(port, path, body.encode(), min(500, options.requests), options.concurrency)
            before = counted()
            result = load(port, path, body.encode(), options.requests, options.concurrency)
            result["added"] = counted() - before
            if name not in results or result["rps"] > results[name]["rps"]:
                results[name] = result
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{options.requests} POSTs per endpoint (best of 2), {options.concurrency} concurrent, "
        f"gunicorn {options.workers} sync workers, Redis, loopback"
    )
    print(f"{'endpoint':<16} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  lost")
    for name, result in results.items():
        lost = f"{options.requests - result['added']}" if name == "count endpoint" else ""
        print(
            f"{name:<16} {result['rps']:>7.0f} {result['p50'] * 1000:>7.2f} "
            f"{result['p95'] * 1000:>7.2f} {result['p99'] * 1000:>7.2f}  {lost}"
        )
    for baseline in ("bare ok view", "ok, reads form"):
        ratio = results["count endpoint"]["rps"] / results[baseline]["rps"]
        print(f"count endpoint / {baseline}: {ratio:.2f}×")


def release_a_year(artworks: int) -> float:
    """52 closed weeks of raw numbers in Redis, each released by the real release function."""
    from django.utils import timezone

    from assets.models import Asset
    from tracking.models import week_of
    from tracking.services import week_release
    from tracking.tally import cell_field, week_key

    store = redis.Redis.from_url(REDIS)
    ids = list(Asset.objects.values_list("id", flat=True))[:artworks]
    rng = random.Random(17)
    this_week = week_of(timezone.localdate())
    started = time.perf_counter()
    for back in range(52, 0, -1):
        week = this_week - datetime.timedelta(weeks=back)
        numbers = {}
        for asset_id in ids:
            for size in SIZES:
                numbers[cell_field("download", asset_id, size)] = rng.randint(0, 20)
            numbers[cell_field("using", asset_id, "")] = rng.randint(0, 12)
        store.hset(week_key(week), mapping=numbers)
        week_release(week=week)
    return time.perf_counter() - started


# A fresh process started as a gunicorn worker starts: the WSGI application is
# built first (settings, apps, middleware, and through the count middleware the
# URLconf and every view module), then the requests are timed through it. The
# test client would load the middleware and URLconf inside the first request,
# which no worker ever does. The session is made in the parent process, so the
# first request also opens the database connection and reads the session, as
# a worker's first request does.
TIMING = """
import io, statistics, sys, time
from bench.wsgi import application

def get():
    environ = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": %(path)r,
        "QUERY_STRING": %(query)r, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": %(cookie)r,
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    statuses = []
    result = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(result)
    result.close()
    assert statuses[0].startswith("200"), statuses[0]

times = []
for _ in range(%(repeats)s):
    started = time.perf_counter()
    get()
    times.append(time.perf_counter() - started)
print(times[0], statistics.median(times))
"""


def leader_cookie() -> str:
    """The session cookie of a signed-in member of Leadership (not a superuser, who skips
    the permission queries every real reader of the page pays)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.roles import LEADERSHIP

    user = get_user_model().objects.create_user("bench-leader")
    user.groups.add(Group.objects.get(name=LEADERSHIP))
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def time_page(url: str, repeats: int, cookie: str) -> tuple[float, float]:
    """First (cold, in a fresh process) and median server time of one page."""
    path, _, query = url.partition("?")
    code = TIMING % {"path": path, "query": query, "cookie": cookie, "repeats": repeats}
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=os.environ | ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    first, median = map(float, output.split())
    return first, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--artworks", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()

    recreate_database(ENV)
    forget_counts()
    with psycopg.connect(ENV["DATABASE_URL"]) as db:
        insert_assets(db, options.artworks)
        db.commit()
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    import django

    django.setup()
    try:
        measure_endpoints(options)
        forget_counts()
        seconds = release_a_year(options.artworks)
        print(f"\nreleased 52 weeks for {options.artworks:,} artworks in {seconds:.1f} s")
        print("uptake page, server time in a fresh process started as a gunicorn worker:")
        cookie = leader_cookie()
        for label, url in [
            ("page, 12 weeks", "/uptake/"),
            ("page, 52 weeks", "/uptake/?weeks=52"),
            ("page, in use, 52", "/uptake/?weeks=52&kind=using"),
            ("CSV, 12 weeks", "/uptake/uptake.csv"),
        ]:
            first, median = time_page(url, options.repeats, cookie)
            print(f"{label:<18} first {first * 1000:7.1f} ms   median {median * 1000:7.1f} ms")
    finally:
        forget_counts()
    print(f"\ndone at {datetime.datetime.now():%H:%M:%S}; gunicorn stopped.")


if __name__ == "__main__":
    main()
