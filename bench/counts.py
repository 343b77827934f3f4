"""Benchmark the anonymous count endpoint and the uptake page (not a test).

Run from the repository root, with PostgreSQL and Redis on 127.0.0.1:

    .venv/bin/python -m bench.counts
    .venv/bin/python -m bench.counts --requests 5000 --concurrency 16 --artworks 1000

It (re)creates its own database (portal_bench_counts, or $BENCH_DATABASE), uses
Redis database 8 (or $BENCH_REDIS_URL)
(only its `tracking:*` and `privacypass:*` keys, which it deletes first), starts
gunicorn with deploy/gunicorn.conf.py on a free loopback port, and fires the same
number of POSTs through the full middleware stack at:

  bench/ok/       a bare view answering "ok"        (the ceiling)
  bench/ok-form/  the same after reading the form    (what any POST endpoint pays)
  count/          the real endpoint                  (a token checked and spent in Redis;
                                                      the count in memory, pushed each second)

Every count request carries a real token of its own, made beforehand through the
real issuance (bench.harness.tokens_mint). It prints requests per second, latency
percentiles, the ratio (goal: count endpoint >= 0.6x the bare view), and lost
counts (read back from Redis). It then times issuing one batch of
TRACKING_WEEKLY_TOKENS tokens (goal: <= 50 ms server time): the issuing view in
this process through the whole middleware stack, as a signed-in employee, once
per made-up employee (a batch is once a week). Then it releases a year of weeks (52) for --artworks
artworks through the real release function (OpenDP noise included) and times
the uptake page's server time, as a signed-in leader, in a fresh process started
as a gunicorn worker starts: the first request (cold: no template compiled, no
database connection, nothing cached) and the median of --repeats. Everything it
starts is stopped at the end; it never listens beyond 127.0.0.1.
"""

import argparse
import datetime
import hashlib
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

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

# Overridable, so two people benchmarking on one machine do not share (and wipe) them.
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench_counts")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")  # load.py: 7
ENV = production_env(DATABASE, DJANGO_SETTINGS_MODULE="bench.settings", REDIS_URL=REDIS)
ASSET_SLUG = "bench-asset"
SIZES = ["", "linkedin-banner", "x-header", "avatar-small", "video-background"]


def insert_assets(count: int) -> None:
    """Published assets made two years ago, through the ORM so every column gets its default:
    the benchmark needs rows, not files."""
    from django.utils import timezone

    from assets.models import Asset

    made = timezone.now() - datetime.timedelta(days=730)
    Asset.objects.bulk_create(
        [
            Asset(
                title=f"Bench artwork {i}",
                slug=ASSET_SLUG if i == 1 else f"bench-{i}",
                kind=Asset.Kind.PHOTO,
                status=Asset.Status.PUBLISHED,
                original="originals/x.jpg",
                width=1200,
                height=800,
                byte_size=1000,
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                format="JPEG",
            )
            for i in range(1, count + 1)
        ],
        batch_size=1000,
    )
    Asset.objects.update(created_at=made)  # auto_now_add ignores a value given on create


def forget_counts() -> None:
    store = redis.Redis.from_url(REDIS)
    keys = [
        key
        for pattern in ("tracking:*", "privacypass:*")
        for key in store.scan_iter(match=pattern, count=1000)
    ]
    if keys:
        store.delete(*keys)


def _fire(args: tuple[int, str, list[bytes], int]) -> list[float]:
    """One load process: `threads` threads, each sending its share of the bodies."""
    port, path, bodies, threads = args
    requests = [raw_request("POST", path, body=body) for body in bodies]
    latencies: list[float] = []
    failures: list[bytes] = []

    def worker(share: list[bytes]) -> None:
        for request in share:
            status, latency = send(port, request)
            latencies.append(latency)
            if not status.startswith(b"2"):
                failures.append(status)

    pool = [threading.Thread(target=worker, args=(requests[i::threads],)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. HTTP {failures[0].decode()}")
    return latencies


def load(port: int, path: str, bodies: list[bytes], concurrency: int) -> dict:
    processes = min(2, concurrency)
    requests = len(bodies)
    jobs = [(port, path, bodies[i::processes], concurrency // processes) for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        results = pool.map(_fire, jobs)
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result)
    cut = statistics.quantiles(latencies, n=100)
    return {"rps": requests / elapsed, "p50": cut[49], "p95": cut[94], "p99": cut[98]}


def measure_endpoints(options) -> None:
    from django.utils import timezone

    from bench.harness import tokens_mint
    from tracking.models import week_of
    from tracking.tally import week_counts

    def bodies(count: int) -> list[bytes]:
        # One real, unspent token per count request: a replayed one would be refused.
        form = {"asset": ASSET_SLUG, "kind": "download", "preset": ""}
        return [urlencode(form | {"token": token}).encode() for token in tokens_mint(count)]

    warm = min(500, options.requests)
    started = time.perf_counter()
    rounds = [(bodies(warm), bodies(options.requests)) for _ in range(2)]
    minted = time.perf_counter() - started
    print(f"made {2 * (warm + options.requests):,} tokens in {minted:.1f} s (client and issuer)")

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
        for index, (name, path) in enumerate(endpoints * 2):
            warm_bodies, main_bodies = rounds[index // len(endpoints)]
            load(port, path, warm_bodies, options.concurrency)
            before = counted()
            result = load(port, path, main_bodies, options.concurrency)
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


def time_issuance(batches: int) -> list[float]:
    """Server time of issuing one week's batch, through the whole middleware stack in this
    process (session, sign-in, role check, the Redis budget script, the VOPRF), as the page
    asks for it: once per signed-in employee, so each batch is a different employee's."""
    import base64

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from accounts.roles import EMPLOYEES
    from privacypass.client import tokens_fetch

    employees = Group.objects.get(name=EMPLOYEES)
    times = []
    for number in range(batches):
        user = get_user_model().objects.create_user(f"bench-employee-{number}")
        user.groups.add(employees)
        client = Client(HTTP_HOST="127.0.0.1")  # the host the production settings allow
        client.force_login(user)
        key = client.get(reverse("privacypass:key")).json()
        public_key = base64.urlsafe_b64decode(key["token_key"])

        def issue(request: bytes, client=client) -> bytes:
            started = time.perf_counter()
            response = client.post(
                reverse("privacypass:issue"),
                request,
                content_type="application/private-token-batch-request",
            )
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content
            return response.content

        tokens = tokens_fetch(
            public_key=public_key,
            key_id=hashlib.sha256(public_key).digest(),
            count=key["batch"],
            issue=issue,
        )
        assert len(tokens) == key["batch"]
    return times


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
    parser.add_argument("--batches", type=int, default=50, help="token batches to time")
    options = parser.parse_args()

    recreate_database(ENV)
    forget_counts()
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    import django

    django.setup()
    insert_assets(options.artworks)
    try:
        measure_endpoints(options)
        from django.conf import settings

        times = sorted(time_issuance(options.batches))
        print(
            f"\nissuing one batch of {settings.TRACKING_WEEKLY_TOKENS} tokens, server time over "
            f"{options.batches} employees: median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {statistics.quantiles(times, n=20)[18] * 1000:.1f} ms, "
            f"slowest {max(times) * 1000:.1f} ms"
        )
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
