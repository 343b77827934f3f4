"""Search, home and library pages at 10,000 assets on PostgreSQL (not a test).

Run from the checkout, with PostgreSQL on 127.0.0.1:

    .venv/bin/python -m bench.search
    .venv/bin/python -m bench.search --assets 10000 --repeat 40

It builds its own database (portal_bench_search, or $BENCH_DATABASE): --assets assets (95%
published) across 40 collections, 200 tags and every kind and shape, each with its rendition
rows (every size ready, as after a day's work), and their search documents. Then it starts
gunicorn (deploy/gunicorn.conf.py, production settings, one sync worker: one core) on a free
loopback port ($BENCH_PORT if set) and sends the pages one at a time, --repeat times each,
signed in as an employee (home, search) or as marketing (library). The time is measured at
the client on loopback, so it is the server's time plus well under a millisecond.

It prints each page's median (of five, slowest first), p50/p95/p99 per kind of page, each
kind's p50 and p95 against the same run's baseline (a signed-in page with no listing: the
policies index, so runs on machines of different speed compare), the home page's HTML size,
and what the COUNT(*) behind each page's page numbers costs on its own (the query count per
page is a test: tests/assets/test_facets.py). Goals: p95 <= 50 ms search, <= 80 ms home,
<= 100 ms library; home HTML <= 150 KB.
"""

import argparse
import os
import random
import socket
import statistics
import time

import psycopg

from bench.harness import (
    Tally,
    free_port,
    production_env,
    raw_request,
    recreate_database,
    send,
    session_key_for,
    start_gunicorn,
    table,
)

ENV = production_env(os.environ.get("BENCH_DATABASE", "portal_bench_search"))

PLACES = "Oslo Bergen Tromsø Kiel Hirtshals Kristiansand Stavanger Ålesund Lindesnes Skagen".split()
SUBJECTS = (
    "harbour ferry bridge deck cabin crew captain lighthouse pier terminal coast fjord "
    "sunset sunrise waves island restaurant buffet playroom cargo trucks engine aurora"
).split()
MOODS = "calm bright stormy misty golden blue quiet busy festive wintry summery".split()
CAMPAIGNS = "summer campaign, winter sale, careers week, anniversary, electric ferry".split(", ")

PAGES = {
    # The baseline: a signed-in page with no listing (middleware, session, the page frame).
    "policies": ["/policies/"],
    "search": [
        "/?q=harbour",
        "/?q=oslo+harbour",
        "/?q=linkedin+banner",
        "/?q=summer+campaign",
        "/?q=teams+background",
        "/?q=%22northern+lights%22+-winter",
        "/?q=Osol",  # a typo: close words
        "/?q=campain",
        "/?q=camp",  # a prefix
        "/?q=ferry&kind=photo&orientation=landscape",
    ],
    "home": [
        "/",
        "/?page=2",
        "/?page=300",
        "/?collection=collection-7",
        "/?kind=logo&orientation=square",
        "/?tag=tag-12&platform=teams",
    ],
    "library": [
        "/library/",
        "/library/?status=draft",
        "/library/?page=200",
        "/library/?q=harbour",
        "/library/?status=published&collection=collection-3",
    ],
}


def build(count: int) -> dict[str, str]:
    """The library, an employee's and a marketer's session cookies."""
    recreate_database(ENV)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from accounts.roles import EMPLOYEES, MARKETING
    from assets.models import Asset, Collection, Rendition, Tag
    from assets.search import search_index_update

    rng = random.Random(31)
    collections = Collection.objects.bulk_create(
        Collection(name=f"{rng.choice(CAMPAIGNS).title()} {n}", slug=f"collection-{n}")
        for n in range(40)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"{rng.choice(SUBJECTS)} {n}", slug=f"tag-{n}") for n in range(200)
    )
    shapes = [(1920, 1080), (1200, 1200), (1080, 1350), (4000, 3000), (1000, 1000)]
    kinds = ["photo"] * 6 + ["logo", "illustration", "illustration", "frame"]
    with transaction.atomic():
        rows = []
        for n in range(count):
            subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
            width, height = rng.choice(shapes)
            title = f"{rng.choice(MOODS).title()} {subject} in {place} {n}"
            rows.append(
                Asset(
                    title=title,
                    slug=f"asset-{n}",
                    description=f"A {rng.choice(MOODS)} {rng.choice(SUBJECTS)} near the "
                    f"{rng.choice(SUBJECTS)} of {rng.choice(PLACES)}, for the "
                    f"{rng.choice(CAMPAIGNS)}.",
                    usage_notes="Use it as it is; no crop of the logo.",
                    collection=rng.choice(collections),
                    kind=rng.choice(kinds),
                    status="draft" if n % 20 == 0 else "published",
                    original=f"originals/{n:064x}"[:14] + f"/{n:064x}.jpg",
                    width=width,
                    height=height,
                    byte_size=2_000_000,
                    sha256=f"{n:064x}",
                    format="JPEG",
                )
            )
        assets = Asset.objects.bulk_create(rows, batch_size=1000)
        Asset.tags.through.objects.bulk_create(
            (
                Asset.tags.through(asset=asset, tag=tag)
                for asset in assets
                for tag in rng.sample(tags, 3)
            ),
            batch_size=5000,
        )
        renditions = (
            Rendition(
                asset=asset,
                preset=preset,
                source_key=key,
                status="ready",
                file=f"renditions/{key[:2]}/{key}.jpg",
                width=400,
                height=300,
                byte_size=20_000,
                format="JPEG",
            )
            for asset in assets
            for preset, key in asset.rendition_keys().items()
        )
        Rendition.objects.bulk_create(renditions, batch_size=5000)
        ids = [asset.pk for asset in assets]
        for start in range(0, len(ids), 1000):
            search_index_update(asset_ids=ids[start : start + 1000])

    # What autovacuum does soon after a bulk load: the planner's statistics, no dead rows.
    with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as db:
        db.execute("VACUUM ANALYZE")

    cookies = {}
    for role, name in [(EMPLOYEES, "employee"), (MARKETING, "marketer")]:
        user = User.objects.create_user(name, f"{name}@example.com", "not-used-here-x")
        user.groups.add(Group.objects.get(name=role))
        cookies[name] = f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key_for(user)}\r\n"
    return cookies


def count_costs(repeat: int) -> dict[str, float]:
    """Milliseconds of the COUNT(*) each page's pagination runs, median of ``repeat``."""
    from assets.models import Asset

    costs = {}
    for name, assets in [
        ("home (published)", Asset.objects.published()),
        ("library (all)", Asset.objects.all()),
    ]:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            assets.count()
            times.append(time.perf_counter() - started)
        costs[name] = statistics.median(times) * 1000
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per page")
    options = parser.parse_args()

    started = time.monotonic()
    cookies = build(options.assets)
    print(f"built {options.assets} assets in {time.monotonic() - started:.0f} s")
    port = int(os.environ.get("BENCH_PORT", "0")) or free_port()
    server = start_gunicorn(ENV, port, workers=1)
    try:
        who = {
            "policies": "employee",
            "search": "employee",
            "home": "employee",
            "library": "marketer",
        }
        rows = {}
        for kind, paths in PAGES.items():
            requests = [raw_request("GET", p, headers=cookies[who[kind]]) for p in paths]
            for request in requests:  # warm: templates compiled, connection open
                status, _ = send(port, request)
                if status != b"200":
                    raise SystemExit(f"{kind}: {request.splitlines()[0]!r} answered {status!r}")
            tally = Tally()
            began = time.perf_counter()
            for _ in range(options.repeat):
                for request in requests:
                    tally.add(*send(port, request))
            rows[kind] = tally.summary(time.perf_counter() - began)
            medians = {}
            for path, request in zip(paths, requests, strict=True):
                times = sorted(send(port, request)[1] for _ in range(5))
                medians[path] = times[2]
            for path, median in sorted(medians.items(), key=lambda item: -item[1]):
                print(f"{kind}: {path} median {median * 1000:.1f} ms")
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        # Other work on the machine only adds time: the load says how much to discount.
        table(
            f"{options.assets} assets, one gunicorn worker, one request at a time (load {load})",
            rows,
        )
        # Machines here differ by up to 2x in speed from day to day; against the baseline of
        # the same run, the figures can be compared across them.
        for kind in ("search", "home", "library"):
            p50, p95 = (rows[kind][key] / rows["policies"][key] for key in ("p50", "p95"))
            print(f"{kind} / the signed-in policies page: p50 {p50:.1f}x, p95 {p95:.1f}x")
        home = send_body(port, raw_request("GET", "/", headers=cookies["employee"]))
        print(f"\nhome page HTML: {len(home) / 1000:.1f} KB (goal <= 150 KB)")
        for name, ms in count_costs(20).items():
            print(f"COUNT(*) for {name}: {ms:.2f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)


def send_body(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        response = b""
        while chunk := connection.recv(262144):
            response += chunk
    return response.split(b"\r\n\r\n", 1)[1]


if __name__ == "__main__":
    main()
