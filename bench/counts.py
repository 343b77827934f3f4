"""Benchmark the anonymous count endpoint and the uptake dashboard (not a test).

Run from the repository root, with PostgreSQL on 127.0.0.1 (trust auth):

    .venv/bin/python -m bench.counts
    .venv/bin/python -m bench.counts --requests 5000 --concurrency 16 --rows 1000000

It (re)creates its own database (portal_bench_counts), migrates it, starts
gunicorn with deploy/gunicorn.conf.py on a free loopback port, fires the same
number of POSTs at three endpoints through the full middleware stack:

  bench/ok/           a bare view answering "ok"          (the ceiling)
  bench/naive-count/  lookup + update_or_create(F("n")+1)  (the plain ORM way)
  count/              the real endpoint                    (one INSERT ... ON CONFLICT)

and prints requests per second, latency percentiles, ratios and lost increments
(read back from the row). Then it fills the table to --rows count rows with
generate_series and times the dashboard's server time in-process. Everything it
starts is stopped at the end; it never listens beyond 127.0.0.1.
"""

import argparse
import datetime
import multiprocessing
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlencode

import psycopg

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
ENV = production_env(DATABASE, DJANGO_SETTINGS_MODULE="bench.settings")
ASSET_SLUG = "bench-asset"


def insert_assets(db: psycopg.Connection, count: int, *, first: int = 1) -> None:
    """Published assets straight in SQL: the benchmark needs rows, not files."""
    db.execute(
        """
        INSERT INTO assets_asset (title, slug, description, usage_notes, kind, status,
            original, width, height, byte_size, sha256, format, focal_x, focal_y,
            background, created_at, updated_at)
        SELECT 'Bench artwork ' || i, CASE WHEN i = 1 THEN %s ELSE 'bench-' || i END,
            '', '', 'photo', 'published', 'originals/x.jpg', 1200, 800, 1000,
            md5(i::text) || md5((i + 1)::text), 'JPEG', 0.5, 0.5, '', now(), now()
        FROM generate_series(%s::int, %s::int) AS i
        """,
        [ASSET_SLUG, first, first + count - 1],
    )


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


def cell_count(db: psycopg.Connection) -> int:
    row = db.execute(
        "SELECT coalesce(sum(n), 0) FROM tracking_count c JOIN assets_asset a "
        "ON a.id = c.asset_id WHERE a.slug = %s",
        [ASSET_SLUG],
    ).fetchone()
    return row[0]


def fill_counts(db: psycopg.Connection, rows: int) -> tuple[int, int]:
    """`rows` count rows over 100 closed weeks, 5 presets and 2 kinds: 1,000 assets for 1M."""
    weeks, presets, kinds = 100, 5, 2
    assets = max(1, rows // (weeks * presets * kinds))
    insert_assets(db, assets - 1, first=2)
    db.execute(
        """
        INSERT INTO tracking_count (asset_id, preset, kind, week, n)
        SELECT a.id, p.preset, k.kind,
               date_trunc('week', now())::date - 7 * w, 1 + (random() * 30)::int
        FROM assets_asset a
        CROSS JOIN (VALUES (''), ('linkedin-banner'), ('x-header'), ('avatar-small'),
                           ('video-background')) AS p(preset)
        CROSS JOIN (VALUES ('download'), ('using')) AS k(kind)
        CROSS JOIN generate_series(1, %s::int) AS w
        ON CONFLICT DO NOTHING
        """,
        [weeks],
    )
    db.commit()
    db.autocommit = True
    db.execute("VACUUM ANALYZE tracking_count")
    return assets, db.execute("SELECT count(*) FROM tracking_count").fetchone()[0]


def time_dashboard(repeats: int) -> list[tuple[str, float, float]]:
    """Median and first server time of the dashboard views, in this process."""
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_superuser("bench", "bench@example.test", "x")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    timings = []
    for label, url in [
        ("dashboard, 12 weeks", "/uptake/"),
        ("dashboard, 52 weeks", "/uptake/?weeks=52"),
        ("CSV, 12 weeks", "/uptake/uptake.csv"),
    ]:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        timings.append((label, times[0], statistics.median(times)))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()

    recreate_database(ENV)
    with psycopg.connect(ENV["DATABASE_URL"]) as db:
        insert_assets(db, 1)
        db.commit()
        sys.path.insert(0, str(ROOT))
        os.environ.update(ENV)
        import django

        django.setup()
        from django.utils import timezone

        from tracking.services import count_token

        token = count_token(asset_slug=ASSET_SLUG, day=timezone.localdate())
        form = {"asset": ASSET_SLUG, "kind": "download", "preset": "", "token": token}
        body = urlencode(form).encode()

        port = free_port()
        server = start_gunicorn(ENV, port, options.workers, app="bench.wsgi")
        try:
            results = {}
            for name, path in [
                ("bare ok view", "/bench/ok/"),
                ("naive update_or_create", "/bench/naive-count/"),
                ("count endpoint", "/count/"),
            ]:
                load(port, path, body, min(1000, options.requests), options.concurrency)
                before = cell_count(db)
                results[name] = load(port, path, body, options.requests, options.concurrency)
                results[name]["added"] = cell_count(db) - before
        finally:
            server.terminate()
            server.wait(timeout=30)

        print(
            f"\n{options.requests} POSTs per endpoint, {options.concurrency} concurrent, "
            f"gunicorn {options.workers} sync workers, PostgreSQL, loopback"
        )
        print(f"{'endpoint':<24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  lost")
        count = results["count endpoint"]
        for name, result in results.items():
            lost = "" if name == "bare ok view" else f"{options.requests - result['added']}"
            print(
                f"{name:<24} {result['rps']:>7.0f} {result['p50'] * 1000:>7.2f} "
                f"{result['p95'] * 1000:>7.2f} {result['p99'] * 1000:>7.2f}  {lost}"
            )
        for name in ("bare ok view", "naive update_or_create"):
            print(f"count endpoint / {name}: {count['rps'] / results[name]['rps']:.2f}×")

        assets, rows = fill_counts(db, options.rows)
    print(f"\ndashboard with {rows:,} count rows ({assets} assets, 100 weeks):")
    for label, first, median in time_dashboard(options.repeats):
        print(f"{label:<22} first {first * 1000:7.1f} ms   median {median * 1000:7.1f} ms")
    print(f"\ndone at {datetime.datetime.now():%H:%M:%S}; gunicorn stopped.")


if __name__ == "__main__":
    main()
