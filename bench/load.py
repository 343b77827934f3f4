"""Load on a real server: browsing, downloads and 1,000 concurrent count requests (not a test).

Run from the checkout, with PostgreSQL and Redis on 127.0.0.1:

    .venv/bin/python -m bench.load
    .venv/bin/python -m bench.load --browse 150 --browsers 8 --counts 1000 --count-threads 100

It builds its own database (portal_bench_load, or $BENCH_DATABASE) with the demo library
and every rendition, starts gunicorn (deploy/gunicorn.conf.py, production settings, Redis
db 7 or $BENCH_REDIS_URL as cache and broker) on a free loopback port, and measures in the same run:

  baseline  signed-in employees browsing alone
  mixed     the same browsing, plus downloads of renditions, while 1,000 anonymous
            count requests go out --count-threads at a time

It prints requests per second, p50/p95/p99 latency and errors per kind, the
ratio of browsing p95 under load to the baseline, and checks that every count
request added exactly one to the right row. Targets: 0 errors, 0 lost counts,
browsing p95 <= 100 ms. Every loop is bounded in count; gunicorn is stopped.

It also publishes a 24 MP photo (bench/renditions.py's input) and reports page weights:
the home page and that photo's page, HTML plus every image the page shows, as a 1x
screen loads them (src) and as a 2x screen does (srcset). Targets: home under 1 MB,
the photo's page under 2.5 MB.

What three languages cost (issue 30), instead of the load above:

    .venv/bin/python -m bench.load --compare-languages 300

starts two gunicorns on the same database, one with English only (bench/one_language.py:
LANGUAGES and MODELTRANSLATION_LANGUAGES of English alone) and one with the portal's
three, and asks each the same page in turn, one request at a time, the order of each
pair drawn at random, so both see the same machine. It prints p50 and p95 per page for
each and their ratio. Target: no page more than 5% slower with three (ratio <= 1.05).
`--languages 1` runs the load above on the English-only server instead.
"""

import argparse
import html
import http.client
import os
import random
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pillow_heif
import psycopg
import redis

from bench.harness import (
    ROOT,
    Tally,
    free_port,
    manage,
    production_env,
    raw_request,
    recreate_database,
    run_threads,
    send,
    start_gunicorn,
    table,
    tokens_mint,
)
from bench.renditions import make_inputs

# Overridable, so engineers sharing one machine do not run into each other's bench.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
ENV = production_env(os.environ.get("BENCH_DATABASE", "portal_bench_load"), REDIS_URL=REDIS_URL)


def prepare() -> dict:
    """The demo library with renditions and an employee's session."""
    recreate_database(ENV)
    # Demo data is refused with DEBUG off; renditions are made in-process here.
    manage(ENV | {"DEBUG": "true", "REDIS_URL": ""}, "load_demo")
    # make_inputs writes a HEIC too, which needs pillow-heif's plugin (bench/renditions.py
    # registers it in its own main).
    pillow_heif.register_heif_opener()
    with tempfile.TemporaryDirectory() as folder:
        make_inputs(Path(folder))
        big = Path(folder) / "photo-flat.jpg"
        big = big.rename(big.with_name("big-photo.jpg"))
        manage(ENV | {"DEBUG": "true", "REDIS_URL": ""}, "import_assets", str(big), "--publish")
    redis.Redis.from_url(REDIS_URL).flushdb()

    os.environ.update(ENV)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from assets.models import Asset, Rendition
    from assets.renditions.presets import platform_presets

    employee = User.objects.get(username="employee")
    session = SessionStore()
    session[SESSION_KEY] = str(employee.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = employee.get_session_auth_hash()
    session.create()

    assets = list(Asset.objects.published().values_list("slug", flat=True))
    # What employees download and count: platform sizes, not the portal's own previews.
    ready = list(
        Rendition.objects.filter(
            status="ready",
            asset__slug__in=assets,
            preset__in=[preset.slug for preset in platform_presets()],
        ).values_list("asset__slug", "preset")
    )
    return {
        "cookie": f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}\r\n",
        "assets": assets,
        "downloads": ready,
    }


def page_weight(port: int, cookie: str, path: str) -> dict[str, float]:
    """Bytes of the page's HTML and of the images it shows, at 1x (src) and 2x (srcset)."""

    def fetch(url: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", url, headers=dict([cookie.strip().split(": ", 1)]))
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered {response.status}")
        return body

    page = fetch(path)
    text = page.decode()
    one = [html.unescape(src) for src in re.findall(r'<img[^>]* src="([^"]+)"', text)]
    two = []
    for tag in re.findall(r"<img[^>]*>", text):
        srcset = re.search(r'srcset="([^"]+)"', tag)
        if srcset:
            candidates = [c.strip().rsplit(" ", 1) for c in html.unescape(srcset[1]).split(",")]
            two.append(next(url for url, density in candidates if density == "2x"))
        else:
            two.append(html.unescape(re.search(r' src="([^"]+)"', tag)[1]))
    weigh = {url: len(fetch(url)) for url in set(one) | set(two)}
    return {
        "images": len(one),
        "1x MB": (len(page) + sum(weigh[url] for url in one)) / 1e6,
        "2x MB": (len(page) + sum(weigh[url] for url in two)) / 1e6,
        "largest KB": max(weigh.values(), default=0) / 1e3,
    }


def browse(port: int, data: dict, tally: Tally, requests: int, seed: int) -> None:
    rng = random.Random(seed)
    pages = ["/", "/?kind=photo", "/?q=logo"] + [f"/assets/{slug}/" for slug in data["assets"]]
    for _ in range(requests):
        tally.add(*send(port, raw_request("GET", rng.choice(pages), headers=data["cookie"])))


def download(port: int, data: dict, tally: Tally, requests: int, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(requests):
        slug, preset = rng.choice(data["downloads"])
        path = f"/assets/{slug}/sizes/{preset}/"
        tally.add(*send(port, raw_request("GET", path, headers=data["cookie"])))


def count(port: int, jobs: list[bytes], tally: Tally) -> None:
    # No cookie: the page's script sends counts with credentials omitted.
    while jobs:
        try:
            body = jobs.pop()
        except IndexError:
            return
        tally.add(*send(port, raw_request("POST", "/count/", body=body)))


def counted(assets: list[str]) -> Counter:
    with psycopg.connect(ENV["DATABASE_URL"]) as db:
        rows = db.execute(
            "SELECT a.slug, c.preset, sum(c.n) FROM tracking_count c "
            "JOIN assets_asset a ON a.id = c.asset_id GROUP BY a.slug, c.preset"
        ).fetchall()
    return Counter({(slug, preset): n for slug, preset, n in rows})


# The pages an employee opens, by name; each asset page and size is drawn per request.
LANGUAGE_PAGES = {
    "home": lambda data, rng: "/",
    "home, photos": lambda data, rng: "/?kind=photo",
    "search": lambda data, rng: "/?q=logo",
    "asset page": lambda data, rng: f"/assets/{rng.choice(data['assets'])}/",
    "policy page": lambda data, rng: "/policies/what-this-portal-keeps/",
    "size download": lambda data, rng: "/assets/{}/sizes/{}/".format(
        *rng.choice(data["downloads"])
    ),
}
ONE_LANGUAGE = {"DJANGO_SETTINGS_MODULE": "bench.one_language"}


def languages_compare(data: dict, *, rounds: int, port: int) -> None:
    """Each page `rounds` times from an English-only server and a three-language one."""
    servers = {
        "1": start_gunicorn(ENV | ONE_LANGUAGE, port, 1),
        "3": start_gunicorn(ENV, port + 1, 1),
    }
    ports = {"1": port, "3": port + 1}
    tallies = {(page, n): Tally() for page in LANGUAGE_PAGES for n in ports}
    rng = random.Random(30)
    try:
        for n in ports:  # warm each worker: imports, templates, connections
            for _ in range(5):
                send(ports[n], raw_request("GET", "/", headers=data["cookie"]))
        for _ in range(rounds):
            for page, path_for in LANGUAGE_PAGES.items():
                request = raw_request("GET", path_for(data, rng), headers=data["cookie"])
                for n in rng.sample(list(ports), 2):
                    tallies[page, n].add(*send(ports[n], request))
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)

    print(f"\none gunicorn sync worker each, one request at a time, {rounds} per page; {ROOT.name}")
    print("ratio = three languages / English only (target <= 1.05)")
    print(
        f"{'page':<16} {'p50 1':>8} {'p50 3':>8} {'ratio':>6} {'p95 1':>8} {'p95 3':>8}"
        f" {'ratio':>6} {'errors':>7}"
    )
    for page in LANGUAGE_PAGES:
        one, three = tallies[page, "1"].summary(1), tallies[page, "3"].summary(1)
        errors = one["errors"] + three["errors"]
        print(
            f"{page:<16} {one['p50'] * 1000:>8.1f} {three['p50'] * 1000:>8.1f}"
            f" {three['p50'] / one['p50']:>6.3f} {one['p95'] * 1000:>8.1f}"
            f" {three['p95'] * 1000:>8.1f} {three['p95'] / one['p95']:>6.3f} {errors:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--browse", type=int, default=150, help="requests per browsing thread")
    parser.add_argument("--browsers", type=int, default=8, help="browsing threads")
    parser.add_argument("--downloaders", type=int, default=4, help="download threads")
    parser.add_argument("--counts", type=int, default=1000)
    parser.add_argument("--count-threads", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--languages",
        choices=["1", "3"],
        default="3",
        help="the server's languages: English only, or English, German and French",
    )
    parser.add_argument(
        "--compare-languages",
        type=int,
        metavar="ROUNDS",
        help="instead of the load, each page ROUNDS times with one language and with three",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="loopback port (and the next one); default: free"
    )
    options = parser.parse_args()

    data = prepare()
    port = options.port or free_port()
    if options.compare_languages:
        languages_compare(data, rounds=options.compare_languages, port=port)
        return
    rng = random.Random(7)
    expected: Counter = Counter()
    jobs = []
    for token in tokens_mint(options.counts):  # one real token per count
        slug, preset = rng.choice(data["downloads"])
        expected[slug, preset] += 1
        form = {"asset": slug, "preset": preset, "kind": "download", "token": token}
        jobs.append(urlencode(form).encode())

    server_env = ENV | (ONE_LANGUAGE if options.languages == "1" else {})
    server = start_gunicorn(server_env, port, options.workers)
    try:
        send(port, raw_request("GET", "/", headers=data["cookie"]))  # warm the workers
        weights = {
            "home page": page_weight(port, data["cookie"], "/"),
            "24 MP photo's page": page_weight(port, data["cookie"], "/assets/big-photo/"),
        }
        alone = Tally()
        started = time.perf_counter()
        run_threads(options.browsers, browse, port, data, alone, options.browse, 1)
        baseline = {"browse (alone)": alone.summary(time.perf_counter() - started)}

        tallies = {"browse": Tally(), "download": Tally(), "count": Tally()}
        started = time.perf_counter()
        mixed_threads = [
            threading.Thread(
                target=run_threads,
                args=(options.browsers, browse, port, data, tallies["browse"], options.browse, 2),
            ),
            threading.Thread(
                target=run_threads,
                args=(options.downloaders, download, port, data, tallies["download"], 50, 3),
            ),
            threading.Thread(
                target=run_threads,
                args=(options.count_threads, count, port, jobs, tallies["count"]),
            ),
        ]
        for thread in mixed_threads:
            thread.start()
        for thread in mixed_threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    mixed = {name: tally.summary(elapsed) for name, tally in tallies.items()}
    print(
        f"\ngunicorn {options.workers} sync workers, {options.languages} language(s), PostgreSQL,"
        f" Redis, loopback; {ROOT.name}"
    )
    print("\npage weight, HTML + images (targets: home < 1 MB, photo's page < 2.5 MB)")
    print(f"{'page':<26} {'images':>7} {'1x MB':>7} {'2x MB':>7} {'largest KB':>11}")
    for name, row in weights.items():
        print(
            f"{name:<26} {row['images']:>7} {row['1x MB']:>7.2f} {row['2x MB']:>7.2f}"
            f" {row['largest KB']:>11.0f}"
        )
    table("baseline: browsing alone", baseline)
    table(f"mixed: browsing, downloads and {options.counts} count requests", mixed)
    ratio = mixed["browse"]["p95"] / baseline["browse (alone)"]["p95"]
    print(f"\nbrowse p95 under load / alone: {ratio:.2f}×")
    lost = sum((expected - counted(data["assets"])).values())
    extra = sum((counted(data["assets"]) - expected).values())
    print(f"counts: {options.counts} sent, {lost} lost, {extra} extra")


if __name__ == "__main__":
    main()
