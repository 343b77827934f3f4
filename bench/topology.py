"""The tested topology: the portal on several machines, on loopback, under load and faults.

    .venv/bin/python -m bench.topology            # a launch morning, 5 to 7 minutes
    .venv/bin/python -m bench.topology --short    # what the suite runs, under 2 minutes
    make topology

It starts, each as its own process: its own redis-server (port 6391, append-only as the
README says, so the harness can restart it), moto's S3 server, two gunicorn web nodes
(deploy/gunicorn.conf.py), two Celery workers (one on the renditions queue, one on every
queue), two beats, and haproxy from deploy/haproxy.cfg health-checking /readyz in front;
PostgreSQL is the machine's (database portal_topology, or $TOPOLOGY_DATABASE). It first
measures, flat out through the proxy, the signed-in pages and the counts the nodes serve a
second, and the full run sizes its launch morning to that (at most 300 employees, so the
portal is measured rather than haproxy's queue). Then locust (bench/locustfile.py) plays
the morning through the proxy while the harness injects the faults, and checks what each
must not break:

  SIGTERM web1   it leaves the proxy (/readyz 503 while it still serves), then drains and
                 pushes its counts before it exits: no request fails, every count the portal
                 accepted (204) is in Redis, none lost, none extra
  SIGKILL a worker while it makes an upload's sizes: the work is handed on, every upload's
                 sizes are ready at the end
  restart Redis  counts answer 503 meanwhile, the client sends them again later, all arrive
  two beats      both schedule the weekly release all along: last week is released once

It prints p50/p95 per page through the proxy, the capacity lines of deploy/README.md (per
core of the processes' own CPU time, so a busy machine moves them less than requests a
second), and exits 1 if any check failed. Everything listens on 127.0.0.1; every wait is
bounded; every process it started is stopped.
"""

import argparse
import csv
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from bench.harness import ROOT, SERVER, manage, production_env, session_key_for, tokens_mint

WORK = ROOT / "var" / "topology"
RESERVED = 3  # counts the harness sends itself while Redis is away
UPLOAD_PIXELS = (2400, 1600)


@dataclass(frozen=True)
class Shape:
    users: int
    paced: bool  # fewer users when the capacity measured first would not carry `users`
    seconds: int
    uploads: int
    counts: int
    think: tuple[float, float]  # seconds an employee waits between two clicks
    demo: bool  # the demo library, or only a few photos (the demo costs half a minute)
    probe_seconds: float  # each capacity measurement, before the load
    probe_counts: int  # count tokens kept for the capacity measurement


# Up to 300 people clicking every 3 to 12 s: about 40 requests a second offered.
FULL = Shape(
    users=300,
    paced=True,
    seconds=180,
    uploads=20,
    counts=3000,
    think=(3, 12),
    demo=True,
    probe_seconds=15,
    probe_counts=2000,
)
SHORT = Shape(
    users=30,
    paced=False,  # the suite's run checks the faults, not the pace: its load stays the same
    seconds=45,
    uploads=6,
    counts=300,
    think=(0.5, 3),
    demo=False,
    probe_seconds=5,
    probe_counts=300,
)
# The load offers this share of the pages a second measured flat out: the rest is for the
# faults (one node restarting) and the uploads' rendering, which share these cores. More,
# and the run measures haproxy's queue instead of the portal (p50 23 s, 503 at 30 s).
LOAD_SHARE = 0.5
PROBE_CLIENTS = 8  # at once: twice the web nodes' workers, so none waits for work


class Processes:
    """The processes the harness started, each with its log under var/topology/."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        # A session of its own: a signal to the group reaches a worker's pool processes too.
        with (WORK / f"{name}.log").open("a") as log:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=os.environ | env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def signal(self, name: str, signum: int, *, group: bool = False) -> None:
        process = self.running[name]
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)

    def wait(self, name: str, seconds: float = 60) -> int:
        return self.running.pop(name).wait(timeout=seconds)

    def stop_all(self) -> None:
        # All told at once: each web node spends its drain (GUNICORN_DRAIN_SECONDS) in parallel.
        stopped = [self.running.pop(name) for name in reversed(list(self.running))]
        for process in stopped:
            if process.poll() is None:
                process.terminate()
        for process in stopped:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def ports(base: int) -> dict[str, int]:
    return {"proxy": base, "web1": base + 1, "web2": base + 2, "s3": base + 3}


def topology_env(base: int, redis_port: int) -> dict[str, str]:
    port = ports(base)
    return production_env(
        os.environ.get("TOPOLOGY_DATABASE", "portal_topology"),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        S3_BUCKET="topology",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{port['s3']}",
        S3_ACCESS_KEY_ID="topology",
        S3_SECRET_ACCESS_KEY="topology-only",  # noqa: S106 (moto accepts any)
        S3_REGION="us-east-1",
        GUNICORN_WORKERS="2",
        # Short, so a killed worker's claim runs out and the sweep hands its work on within
        # the run; the portal's defaults (180 s, every 60 s, after 120 s) do the same slower.
        CELERY_TASK_SOFT_TIME_LIMIT="20",
        CELERY_TASK_TIME_LIMIT="25",
        RENDITIONS_SWEEP_SECONDS="3",
        RENDITIONS_STALE_SECONDS="5",
        TRACKING_RELEASE_SECONDS="2",
        LOG_LEVEL="INFO",
    )


def _status(request: urllib.request.Request, *, timeout: float) -> int:
    """The answer's status; 0 when none came (refused, dropped or timed out)."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def get(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    return _status(request, timeout=5)


def wait_for(what: str, ready, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise SystemExit(f"topology: {what} did not come up within {seconds:.0f} s (logs: {WORK})")


def redis_start(procs: Processes, port: int) -> None:
    procs.start(
        "redis",
        [
            "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(WORK / "redis"),
            "--save", "",
            # As README "Running Redis for counts" says: every write on disk before the answer.
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--maxmemory-policy", "volatile-lfu",
            "--lfu-decay-time", "0",
        ],
        {},
    )  # fmt: skip
    wait_for("redis", lambda: _redis_ping(port))


def _redis_ping(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=0.2).ping()
    except redis.RedisError:
        return False


def web_start(procs: Processes, name: str, env: dict[str, str], port: int) -> None:
    argv = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    procs.start(name, [*argv, "--bind", f"127.0.0.1:{port}", "portal.wsgi"], env)
    wait_for(name, lambda: get(f"http://127.0.0.1:{port}/readyz") == 200)


# One on renditions (and releases), one on every queue: mail never waits behind sizes.
WORKERS = {"worker1": "renditions,releases", "worker2": "renditions,mail,releases,celery"}


def worker_start(procs: Processes, name: str, env: dict[str, str]) -> None:
    # Niced: here the workers share the web nodes' cores, where production gives them
    # machines of their own, so rendering yields to pages instead of starving them.
    celery = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "info"]
    argv = ["nice", "-n", "10", *celery]
    queues = ["-Q", WORKERS[name], "--concurrency", "2", "-n", f"{name}@%h"]
    procs.start(name, [*argv, *queues], env)


def beat_start(procs: Processes, name: str, env: dict[str, str]) -> None:
    argv = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "info"]
    procs.start(name, [*argv, "--schedule", str(WORK / f"{name}-schedule")], env)


def database_prepare(env: dict[str, str]) -> None:
    """A fresh database, copied from a migrated template kept while no migration changes:
    migrating from nothing takes a minute or more on a busy machine."""
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    template = f"{database}_template"
    migrations = sorted(ROOT.glob("*/migrations/*.py"))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in migrations)).hexdigest()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        kept = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        ).fetchone()
        if not kept or kept[0] != digest:
            admin.execute(f"DROP DATABASE IF EXISTS {template}")
            admin.execute(f"CREATE DATABASE {template}")
            manage(
                env | {"DATABASE_URL": f"{SERVER}/{template}"}, "migrate", "--noinput", "-v", "0"
            )
            admin.execute(f"COMMENT ON DATABASE {template} IS '{digest}'")
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database} TEMPLATE {template}")
    # collectstatic hashes every file again (another minute); only when one is newer.
    manifest = ROOT / "var" / "static" / "staticfiles.json"
    # STATICFILES_DIRS, and the packages' own (Django's admin) change only with requirements.txt.
    sources = [ROOT / "requirements.txt", *(ROOT / "static").rglob("*")]
    newest = max(path.stat().st_mtime for path in sources)
    if not manifest.exists() or newest > manifest.stat().st_mtime:
        manage(env, "collectstatic", "--noinput", "-v", "0")


def library_load(env: dict[str, str], shape: Shape) -> None:
    """The demo library, or a few photos and the two accounts; sizes made in-process, into S3."""
    in_process = env | {"DEBUG": "true", "REDIS_URL": ""}  # demo data is refused with DEBUG off
    if shape.demo:
        manage(in_process, "load_demo")
        return
    photos = images_make(3, folder="library")
    manage(in_process, "import_assets", *photos, "--publish")


def images_make(count: int, folder: str = "uploads") -> list[str]:
    """Photos with distinct content (the library refuses a file it already has)."""
    from PIL import Image, ImageDraw

    (WORK / folder).mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        shade = (40 + n * 9 % 200, 90 if folder == "uploads" else 200, 160 - n * 5 % 150)
        image = Image.new("RGB", UPLOAD_PIXELS, shade)
        draw = ImageDraw.Draw(image)
        for step in range(0, UPLOAD_PIXELS[0], 120):
            draw.ellipse((step, (n * 37 + step) % 1200, step + 300, (n * 37 + step) % 1200 + 300))
        path = WORK / folder / f"{folder}-{n + 1:02}.jpg"
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88)
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


def plan_make(env: dict[str, str], shape: Shape) -> dict:
    """Sessions, artworks and tokens, made in this process against the running services."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from accounts.roles import EMPLOYEES, MARKETING
    from assets.models import Asset, Rendition
    from tracking.services import preset_slugs
    from tracking.tally import published_refresh

    def session_of(username: str, role: str) -> str:
        user = User.objects.get_or_create(username=username)[0]  # the demo's, or made here
        user.groups.add(Group.objects.get(name=role))
        return session_key_for(user)

    published_refresh()  # the demo was loaded without Redis: which artworks may be counted
    assets = list(Asset.objects.published().values_list("slug", flat=True))
    downloads = list(
        Rendition.objects.filter(
            status="ready",
            asset__slug__in=assets,
            preset__in=preset_slugs(),  # the sizes an employee can download, and count
        ).values_list("asset__slug", "preset")
    )
    tokens = shape.counts + RESERVED + shape.probe_counts
    counts = [
        {"asset": slug, "preset": preset, "kind": "download", "token": token}
        for (slug, preset), token in zip(
            (downloads[n % len(downloads)] for n in range(tokens)),
            tokens_mint(tokens),
            strict=True,
        )
    ]
    employee_sessions = [session_of("employee", EMPLOYEES) for _ in range(20)]
    # Which artworks have a ZIP to hand out (not every kind's sizes make one): asked once.
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.cookies[settings.SESSION_COOKIE_NAME] = employee_sessions[0]
    zips = [
        slug
        for slug in sorted({slug for slug, _ in downloads})
        if browser.get(f"/assets/{slug}/all-sizes.zip").status_code == 200
    ]
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "employee_sessions": employee_sessions,
        "zips": zips,
        "marketing_session": session_of("marketing", MARKETING),
        "assets": assets,
        "downloads": downloads,
        "counts": counts[: shape.counts],
        "reserved": counts[shape.counts : shape.counts + RESERVED],  # sent while Redis is away
        "probe": counts[shape.counts + RESERVED :],  # sent flat out to measure capacity
        "uploads": images_make(shape.uploads),
        "think_seconds": shape.think,
    }


def last_week_seed() -> datetime.date:
    """Raw numbers of last week waiting in Redis, as if it had just closed: the beats' work."""
    from django.utils import timezone

    from assets.models import Asset
    from tracking.models import Release, week_of
    from tracking.tally import cell_field, week_key

    last = week_of(timezone.localdate()) - datetime.timedelta(weeks=1)
    # The demo releases its last six closed weeks, this one too: the beats must release it.
    Release.objects.filter(week=last).delete()
    asset = Asset.objects.published().first()
    redis_client().hincrby(week_key(last), cell_field("download", asset.pk, ""), 300)
    return last


def redis_client():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def cpu_seconds(*processes: subprocess.Popen) -> float:
    """CPU time used so far by these processes and everything they started (each leads
    a session of its own), including the children that have exited and been reaped."""
    sessions = {process.pid for process in processes}
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        # After the name: state, ppid, pgrp, session, ... utime, stime, cutime, cstime.
        if int(fields[3]) in sessions:
            ticks += sum(int(n) for n in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    requests: int
    seconds: float
    web_cpu: float  # seconds of CPU the web nodes spent on them

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def per_web_core(self) -> float:
        return self.requests / max(self.web_cpu, 0.01)


def flat_out(send, jobs: list, seconds: float, webs: list[subprocess.Popen]):
    """`PROBE_CLIENTS` clients, each sending its next job as soon as the last is answered,
    until `seconds` have passed or the jobs run out. Returns what was measured and the jobs
    whose answer `send` found good."""
    pending = deque(jobs)
    lock = threading.Lock()
    good: list = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not pending:
                    return
                job = pending.popleft()
            if send(job):
                with lock:
                    good.append(job)

    cpu, started = cpu_seconds(*webs), time.monotonic()
    clients = [threading.Thread(target=client) for _ in range(PROBE_CLIENTS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    measured = Measured(len(good), time.monotonic() - started, cpu_seconds(*webs) - cpu)
    return measured, good


def capacity_measure(procs: Processes, plan: dict, proxy: str, seconds: float):
    """Signed-in pages, then counts, each flat out through the proxy before the load.
    Returns both and the counts the portal accepted (they are in Redis like locust's)."""
    webs = [procs.running["web1"], procs.running["web2"]]
    cookie = {"Cookie": f"{plan['session_cookie']}={plan['employee_sessions'][0]}"}
    # The pages an employee opens, in the load's proportions (home 6, asset 5, search 2).
    paths = ["/"] * 6 + [f"/assets/{slug}/" for slug in plan["assets"][:5]] + ["/?q=logo"] * 2
    pages, _ = flat_out(
        lambda path: get(proxy + path, cookie) == 200,
        [paths[n % len(paths)] for n in range(100_000)],
        seconds,
        webs,
    )
    counts, sent = flat_out(
        lambda job: count_send(proxy + "/count/", job) == 204, plan["probe"], seconds, webs
    )
    return pages, counts, Counter((job["asset"], job["preset"]) for job in sent)


class Faults:
    """The faults, injected during the load from a thread; each notes what it saw."""

    def __init__(self, procs: Processes, env: dict[str, str], base: int, redis_port: int, plan):
        self.procs, self.env, self.base, self.redis_port = procs, env, base, redis_port
        self.plan = plan
        self.accepted: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        self.problems: list[str] = []
        # The workers' CPU time from here on, a killed one's included: what the sizes cost.
        self.worker_cpu_start = {name: cpu_seconds(procs.running[name]) for name in WORKERS}
        self.worker_cpu_spent = 0.0

    def worker_cpu(self) -> float:
        running = self.procs.running
        return self.worker_cpu_spent + sum(
            cpu_seconds(running[name]) - start for name, start in self.worker_cpu_start.items()
        )

    def run(self, seconds: float) -> None:
        started = time.monotonic()
        # First while marketing's uploads are being made, then the rest spread over the load.
        self.worker_sigkill(deadline=started + seconds * 0.4)
        time.sleep(max(0, started + seconds * 0.3 - time.monotonic()))
        self.web_sigterm()
        time.sleep(max(0, started + seconds * 0.55 - time.monotonic()))
        self.redis_restart()

    def web_sigterm(self) -> None:
        self.procs.signal("web1", signal.SIGTERM)
        code = self.procs.wait("web1")
        self.notes.append(f"web1 SIGTERM: drained and exited with {code}")
        if code != 0:
            self.problems.append(f"web1 exited with {code} after SIGTERM")
        # Back as a supervisor would start it; the proxy takes it in after two good checks.
        web_start(self.procs, "web1", self.env, ports(self.base)["web1"])

    def worker_sigkill(self, deadline: float) -> None:
        """Kill whichever worker first holds an upload's sizes (both take renditions)."""
        received = re.compile(r"Task assets\.tasks\.make_renditions\[\S+\] received")
        finished = re.compile(r"Task assets\.tasks\.make_renditions\[\S+\] (succeeded|retry)")
        while time.monotonic() < deadline:
            for name in WORKERS:
                text = (WORK / f"{name}.log").read_text()
                held = len(received.findall(text)) - len(finished.findall(text))
                if held > 0:
                    spent = cpu_seconds(self.procs.running[name])
                    self.procs.signal(name, signal.SIGKILL, group=True)  # it and its pool
                    self.procs.wait(name)
                    self.worker_cpu_spent += spent - self.worker_cpu_start[name]
                    self.notes.append(f"{name} SIGKILL with {held} rendering task(s) in hand")
                    worker_start(self.procs, name, self.env)  # as a supervisor would
                    self.worker_cpu_start[name] = 0.0  # its start is part of the cost
                    return
            time.sleep(0.05)
        self.problems.append("no worker was seen making an upload's sizes, to be killed")

    def redis_restart(self) -> None:
        """Stop Redis and start it again; the counts sent meanwhile (here, besides locust's,
        which may or may not meet the gap) answer 503 and are accepted when sent again."""
        self.procs.signal("redis", signal.SIGTERM)
        self.procs.wait("redis")
        proxy = f"http://127.0.0.1:{ports(self.base)['proxy']}/count/"
        away = [count_send(proxy, job) for job in self.plan["reserved"]]
        redis_start(self.procs, self.redis_port)
        wait_for("the web nodes' readiness", lambda: get(proxy.replace("count/", "readyz")) == 200)
        again = [count_send(proxy, job) for job in self.plan["reserved"]]
        for job, status in zip(self.plan["reserved"], again, strict=True):
            if status == 204:
                self.accepted[job["asset"], job["preset"]] += 1
        self.notes.append(f"redis restarted: counts sent meanwhile {away}, sent again {again}")
        if set(away) != {503} or set(again) != {204}:
            self.problems.append("counts sent while Redis was away did not 503, then 204")


def count_send(url: str, job: dict) -> int:
    """One count as the page's script sends it: a form, no cookie."""
    body = urlencode(job).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (loopback)
    # Long: a count given up on too soon may have counted, and its token is then spent.
    return _status(request, timeout=60)


def locust_stats(path: Path) -> list[dict[str, str]]:
    with path.open() as file:
        return [row for row in csv.DictReader(file) if row["Name"] != "Aggregated"]


def counts_in_redis(week_key: str) -> dict[tuple[int, str], int]:
    raw = redis_client().hgetall(week_key)
    held = {}
    for field, n in raw.items():
        kind, asset_id, preset = field.decode().split(":", 2)
        if kind == "download":
            held[int(asset_id), preset] = int(n)
    return held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="the suite's run: under 2 minutes")
    parser.add_argument("--base-port", type=int, default=8200, help="proxy; web nodes and S3 next")
    parser.add_argument("--redis-port", type=int, default=6391)
    options = parser.parse_args()
    shape = SHORT if options.short else FULL
    base, redis_port = options.base_port, options.redis_port
    port = ports(base)
    env = topology_env(base, redis_port)

    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "redis").mkdir(parents=True)
    procs = Processes()
    begun = time.monotonic()
    try:
        redis_start(procs, redis_port)
        procs.start(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port["s3"])],
            {},
        )  # noqa: E501
        wait_for("moto", lambda: get(f"http://127.0.0.1:{port['s3']}/moto-api/") == 200)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=env["S3_ENDPOINT_URL"],
            aws_access_key_id="topology",
            aws_secret_access_key="topology-only",  # noqa: S106
            region_name="us-east-1",
        ).create_bucket(Bucket="topology")
        database_prepare(env)
        library_load(env, shape)
        plan = plan_make(env, shape)
        last_week = last_week_seed()
        (WORK / "plan.json").write_text(json.dumps(plan))

        web_start(procs, "web1", env, port["web1"])
        web_start(procs, "web2", env, port["web2"])
        for name in WORKERS:
            worker_start(procs, name, env)
        beat_start(procs, "beat1", env)
        beat_start(procs, "beat2", env)  # a second beat by mistake, all along
        proxy_env = {
            "PORTAL_PROXY_BIND": f"127.0.0.1:{port['proxy']}",
            "PORTAL_WEB1": f"127.0.0.1:{port['web1']}",
            "PORTAL_WEB2": f"127.0.0.1:{port['web2']}",
            "PORTAL_WEB_MAXCONN": env["GUNICORN_WORKERS"],
        }
        procs.start("haproxy", ["haproxy", "-db", "-f", "deploy/haproxy.cfg"], proxy_env)
        wait_for("haproxy", lambda: get(f"http://127.0.0.1:{port['proxy']}/healthz") == 200)

        print(f"topology: up, library loaded, in {time.monotonic() - begun:.0f} s", flush=True)
        proxy = f"http://127.0.0.1:{port['proxy']}"
        load_before = os.getloadavg()[0]
        capacity = capacity_measure(procs, plan, proxy, shape.probe_seconds)
        pages = capacity[0]
        users = shape.users
        if shape.paced:
            # Employees at LOAD_SHARE of what the nodes carry, each a page every think seconds.
            users = round(LOAD_SHARE * pages.per_second * sum(shape.think) / 2)
            users = max(10, min(shape.users, users))
        print(
            f"topology: {pages.per_second:.0f} pages a second flat out (load average"
            f" {load_before:.1f}), so {users} of at most {shape.users} employees",
            flush=True,
        )
        faults = Faults(procs, env, base, redis_port, plan)
        faults.accepted.update(capacity[2])
        injector = threading.Thread(target=faults.run, args=(shape.seconds,))
        started = time.monotonic()
        injector.start()
        locust = procs.start(
            "locust",
            [
                sys.executable, "-m", "locust", "-f", "bench/locustfile.py", "--headless",
                "--host", f"http://127.0.0.1:{port['proxy']}",
                "--users", str(users), "--spawn-rate", str(max(1, users // 10)),
                "--run-time", f"{shape.seconds}s", "--stop-timeout", "10",
                "--csv", str(WORK / "locust"), "--only-summary", "--exit-code-on-error", "0",
            ],
            {
                "TOPOLOGY_PLAN": str(WORK / "plan.json"),
                "TOPOLOGY_RESULTS": str(WORK / "results.json"),
            },
        )  # fmt: skip
        try:
            locust.wait(timeout=shape.seconds + 120)  # it stops itself; its last counts go
        except subprocess.TimeoutExpired:
            raise SystemExit(
                "topology: locust did not stop in time (var/topology/locust.log)"
            ) from None
        elapsed = time.monotonic() - started
        injector.join(timeout=120)
        results = json.loads((WORK / "results.json").read_text())
        return report(plan, results, faults, last_week, elapsed, shape, users, capacity)
    finally:
        procs.stop_all()


def capacity_print(pages: Measured, counts: Measured, *, sizes: int, worker_cpu: float) -> None:
    """The capacity lines of deploy/README.md, to paste from a quiet run. Per core means per
    second of CPU the web processes (or the workers) used, so it holds on a busy machine
    better than requests a second do; PostgreSQL, Redis, haproxy and S3 come on top."""
    cores = os.cpu_count()
    print(f"capacity (paste into deploy/README.md; load average now {os.getloadavg()[0]:.1f}):")
    for what, measured in [("signed-in pages", pages), ("counts", counts)]:
        print(
            f"| {what}, {PROBE_CLIENTS} at once through haproxy |"
            f" {measured.requests} in {measured.seconds:.1f} s: **{measured.per_second:.0f}"
            f" a second** on {cores} cores | **{measured.per_web_core:.0f} a second per web"
            f" core** ({measured.web_cpu:.1f} s of the web nodes' CPU) |"
        )
    print(
        f"| sizes made by the workers during the load | {sizes} sizes in {worker_cpu:.0f} s of"
        f" the workers' CPU (their sweeps and releases included) |"
        f" **{sizes / max(worker_cpu, 1) * 60:.0f} sizes a minute per worker core** |"
    )


def report(plan, results, faults, last_week, elapsed, shape, users, capacity) -> int:
    from assets.models import Asset, Rendition
    from tracking.models import Release, week_of
    from tracking.tally import week_key

    problems = list(faults.problems)
    stats = locust_stats(WORK / "locust_stats.csv")
    total = sum(int(row["Request Count"]) for row in stats)
    print(
        f"\ntopology: {users} users for {elapsed:.0f} s through haproxy, {total} requests"
        f" ({total / elapsed:.0f} a second); {ROOT.name}"
    )
    print(f"{'page':<16} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'failures':>9}")
    for row in stats:
        print(
            f"{row['Name']:<16} {row['Request Count']:>9} {float(row['Requests/s']):>7.1f}"
            f" {row['50%']:>7} {row['95%']:>7} {row['Failure Count']:>9}"
        )
    failures = (WORK / "locust_failures.csv").read_text().strip().splitlines()[1:]
    if failures:
        problems.append(f"requests failed: {'; '.join(failures)}")
    for note in faults.notes:
        print(f"fault: {note}")

    # Uploads: every size of every launch image ready, though a worker died holding some.
    uploaded = results["uploaded"]
    deadline = time.monotonic() + 90
    waiting = Rendition.objects.filter(asset__slug__in=uploaded).exclude(status="ready")
    while waiting.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    ready = Rendition.objects.filter(asset__slug__in=uploaded, status="ready").count()
    print(f"uploads: {len(uploaded)} of {shape.uploads} added, {ready} sizes ready, "
          f"{waiting.count()} not")  # fmt: skip
    if len(uploaded) != shape.uploads or waiting.exists():
        problems.append(f"uploads: {len(uploaded)} added, {waiting.count()} sizes not ready")

    text = "".join(log.read_text() for log in WORK.glob("worker*.log"))
    capacity_print(*capacity[:2], sizes=ready, worker_cpu=faults.worker_cpu())

    # Counts: what the portal accepted is what Redis holds, after a second's push.
    time.sleep(2)
    ids = dict(Asset.objects.values_list("slug", "id"))
    accepted = Counter({(ids[slug], preset): n for slug, preset, n in results["accepted"]})
    accepted.update({(ids[slug], preset): n for (slug, preset), n in faults.accepted.items()})
    from django.utils import timezone

    held = counts_in_redis(week_key(week_of(timezone.localdate())))
    lost = sum(max(0, n - held.get(cell, 0)) for cell, n in accepted.items())
    extra = sum(max(0, n - accepted.get(cell, 0)) for cell, n in held.items())
    print(
        f"counts: {sum(accepted.values())} accepted (204), {sum(held.values())} in Redis, "
        f"{lost} lost, {extra} extra; {results['unavailable']} answered 503 or not at all and"
        f" were sent again ({results['answer_lost']} of them had counted the first time),"
        f" {results['refused']} refused, {results['undelivered']} never delivered"
    )
    if lost or extra or results["undelivered"] or results["refused"]:
        problems.append("counts: accepted and held differ, or some never arrived")

    # Two beats: last week released once, and no more than one task says it released it.
    # None may say so: the kill can land on the task that released, after its commit and
    # before its line in the log (a suite run: the killed worker had logged 12 of the 14 it
    # received, the week was released once, and every task that logged said 0).
    said = sum(
        int(n) for n in re.findall(r"release_closed_weeks\[\S+\] succeeded in [\d.]+s: (\d+)", text)
    )
    runs = len(re.findall(r"release_closed_weeks\[\S+\] succeeded", text))
    releases = Release.objects.filter(week=last_week).count()
    print(
        f"release: {runs} runs from two beats, {said} said they released,"
        f" last week released {releases} time(s)"
    )
    if releases != 1 or said > 1 or runs < 2:
        problems.append("release: last week not released exactly once by two beats")

    for problem in problems:
        print(f"FAILED {problem}")
    print("topology: " + ("FAILED" if problems else "every check passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
