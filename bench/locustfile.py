"""A launch morning, compressed: employees browse, download and count; marketing uploads.

Run by bench/topology.py, which starts the topology, writes the plan this file reads
($TOPOLOGY_PLAN: sessions, artworks, real count tokens, the images to upload) and reads
back what it wrote ($TOPOLOGY_RESULTS). By hand, against a running topology:

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:8200 \\
        --users 300 --spawn-rate 30 --run-time 3m

Loopback only, and bounded: it refuses any other host, each count token is sent until
it is accepted or refused (never a second one for the same click), and the run stops at
--run-time.
"""

import json
import os
import random
import re
import threading
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urlsplit

import requests
from locust import HttpUser, between, constant, events, task

PLAN = json.loads(Path(os.environ["TOPOLOGY_PLAN"]).read_text())
RETRY_SECONDS = 2.0  # the page's queue tries a count again a little later, as here
DELIVER_SECONDS = 90  # how long the browsers stay open after the morning
SESSION_COOKIE = PLAN["session_cookie"]


class Counts:
    """Every count token, sent once until the portal accepts (204) or refuses (400) it."""

    def __init__(self, jobs: list[dict]) -> None:
        self.lock = threading.Lock()
        self.fresh = deque(jobs)
        self.later: deque[tuple[float, dict]] = deque()  # answered 503, or not at all
        self.dropped: set[str] = set()  # tokens sent once without an answer
        self.accepted: Counter[tuple[str, str]] = Counter()
        self.answer_lost = 0  # refused when sent again: spent, so counted, the first time
        self.refused = 0
        self.unavailable = 0

    def next(self) -> dict | None:
        with self.lock:
            if self.later and self.later[0][0] <= time.monotonic():
                return self.later.popleft()[1]
            return self.fresh.popleft() if self.fresh else None

    def answered(self, job: dict, status: int) -> None:
        with self.lock:
            if status == 204 or (status == 400 and job["token"] in self.dropped):
                # A token is spent by the request that counts it, so one refused as spent
                # after an answer was lost was counted by that first sending.
                self.accepted[job["asset"], job["preset"]] += 1
                self.answer_lost += status == 400
            elif status == 400:
                self.refused += 1
            else:  # 503, or no answer (a node stopped, the proxy had none): send it again
                self.unavailable += 1
                if status == 0:
                    self.dropped.add(job["token"])
                self.later.append((time.monotonic() + RETRY_SECONDS, job))


COUNTS = Counts(PLAN["counts"])
UPLOADS = deque(PLAN["uploads"])
UPLOADED: list[str] = []
MARKETER: dict = {}  # the marketer's headers and form token, once signed in


@events.init.add_listener
def _loopback_only(environment, **kwargs) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"bench/locustfile.py runs against loopback only, not {host!r}")


def _count_send(host: str, job: dict, timeout: float) -> int:
    # No cookie, as the page's script sends counts (credentials omitted).
    try:
        return requests.post(f"{host}/count/", data=job, timeout=timeout).status_code
    except requests.RequestException:
        return 0


@events.test_stop.add_listener
def _deliver_the_rest(environment, **kwargs) -> None:
    """The browsers stay open a little after the morning: the counts they queued still go,
    and marketing finishes putting the launch's images up. Tokens no one clicked stay unsent.
    Bounded: every request ends by the deadline."""
    deadline = time.monotonic() + DELIVER_SECONDS

    def left() -> float:
        return max(1.0, deadline - time.monotonic())

    while UPLOADS and MARKETER and time.monotonic() < deadline:
        path = Path(UPLOADS.popleft())
        try:
            with path.open("rb") as image:
                response = requests.post(
                    f"{environment.host}/library/upload/",
                    data=MARKETER["form"],
                    files={"files": (path.name, image, "image/jpeg")},
                    headers=MARKETER["headers"],
                    timeout=min(60, left()),
                )
            done = uploaded(response)
        except requests.RequestException:
            done = []
        if not done:
            UPLOADS.appendleft(str(path))
            time.sleep(1)
    COUNTS.fresh.clear()
    while COUNTS.later and time.monotonic() < deadline:
        job = COUNTS.next()
        if job is None:
            time.sleep(0.2)  # the next one is not due yet
            continue
        COUNTS.answered(job, _count_send(environment.host, job, timeout=min(10, left())))
    results = {
        "accepted": [[asset, preset, n] for (asset, preset), n in COUNTS.accepted.items()],
        "answer_lost": COUNTS.answer_lost,
        "refused": COUNTS.refused,
        "unavailable": COUNTS.unavailable,
        "undelivered": len(COUNTS.later),
        "uploaded": UPLOADED,
    }
    Path(os.environ["TOPOLOGY_RESULTS"]).write_text(json.dumps(results))


class Employee(HttpUser):
    weight = 20
    wait_time = between(*PLAN["think_seconds"])  # between one click and the next

    def on_start(self) -> None:
        self.cookie = {"Cookie": f"{SESSION_COOKIE}={random.choice(PLAN['employee_sessions'])}"}

    @task(6)
    def home(self) -> None:
        self.client.get("/", headers=self.cookie, name="home")

    @task(2)
    def search(self) -> None:
        self.client.get("/?q=logo", headers=self.cookie, name="search")

    @task(5)
    def asset_page(self) -> None:
        slug = random.choice(PLAN["assets"])
        self.client.get(f"/assets/{slug}/", headers=self.cookie, name="asset page")

    @task(3)
    def download_size(self) -> None:
        # The portal answers with a signed link to the store; that file is S3's work, not ours.
        slug, preset = random.choice(PLAN["downloads"])
        path = f"/assets/{slug}/sizes/{preset}/"
        self.client.get(path, headers=self.cookie, allow_redirects=False, name="download size")

    @task(1)
    def download_zip(self) -> None:
        slug = random.choice(PLAN["zips"])
        path = f"/assets/{slug}/all-sizes.zip"
        self.client.get(path, headers=self.cookie, allow_redirects=False, name="ZIP of sizes")

    @task(4)
    def count(self) -> None:
        job = COUNTS.next()
        if job is None:
            return
        status = 0  # stays 0 if the run stops this user mid-request: the token goes again
        try:
            with self.client.post(
                "/count/", data=job, name="count", catch_response=True
            ) as response:
                status = response.status_code
                if status in (0, 503):
                    # 503 while Redis restarts; no answer at all when the connection drops as a
                    # node stops. The page's queue sends such a count again later, and so does
                    # this one: the count check below proves none was lost or counted twice.
                    response.success()
        finally:
            COUNTS.answered(job, status)


class Marketing(HttpUser):
    """One marketer puts the launch's images up, one file a request as the upload page does."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self) -> None:
        session = f"{SESSION_COOKIE}={PLAN['marketing_session']}"
        page = self.client.get("/library/upload/", headers={"Cookie": session}, name="upload page")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.csrf = csrf[1] if csrf else ""
        cookie = "; ".join([session, *(f"{name}={value}" for name, value in page.cookies.items())])
        self.headers = {"Cookie": cookie, "Accept": "application/json"}
        self.form = {"csrfmiddlewaretoken": self.csrf, "publish": "on", "kind": "photo"}
        MARKETER.update(headers=self.headers, form=self.form)

    @task
    def upload(self) -> None:
        try:
            path = Path(UPLOADS.popleft())
        except IndexError:
            return  # all of the launch's images are up
        with (
            path.open("rb") as image,
            self.client.post(
                "/library/upload/",
                data=self.form,
                files={"files": (path.name, image, "image/jpeg")},
                headers=self.headers,
                name="upload",
                catch_response=True,
            ) as response,
        ):
            if not uploaded(response):
                UPLOADS.appendleft(str(path))  # as a person would: try that file again
                response.failure(f"not added: {response.status_code} {response.text[:200]}")


def uploaded(response) -> list[str]:
    """The slugs the upload page says it added; noted in UPLOADED."""
    answer = response.json() if response.status_code == 200 else {}
    # Sent before a restart cut the answer off: it is there already, under its name.
    done = [item["url"] for item in answer.get("added", [])] + [
        item["existing_url"] for item in answer.get("refused", []) if item["existing_url"]
    ]
    UPLOADED.extend(url.strip("/").split("/")[-1] for url in done)
    return done
