"""Where counts wait until their week closes: one Redis hash per ISO week.

A count is added to this process's memory and a thread pushes what gathered to
Redis once a second, in one script call (`HINCRBY` on `tracking:week:2026-W49`,
field `download:<asset id>:<size>`, sorted). So PostgreSQL is written nothing
per count, a request does no I/O, and Redis sees batches: neither its key idle
times (every process touches the running week's key each second, counted or
not) nor its append-only file keep the moment or the order of one count: after
every push that carried counts the process asks Redis to rewrite that file, so it
holds the order of pushes only until the rewrite ends, a second or two; a week's
discard waits for a rewrite too, so its numbers leave the file with it. While
Redis is unreachable the counts simply wait in memory and go when it answers.
A process that stops cleanly pushes first; one that is killed loses at most its
last second of counts.

A push is applied once however often it is sent: Redis may apply one and go away
before its answer arrives (and the client library sends a command again by itself
when a connection drops), so each push carries a random id that the script
records as it applies the numbers, and a push with an id already recorded adds
nothing. A push without an answer is sent again as it was, same id, same numbers.

Which artworks may be counted is a Redis hash too (`tracking:published`),
rebuilt from the database after every change to an artwork; each process keeps
a copy that it renews within a second of a change, and the push drops counts of
an artwork that is no longer published, so an archived or deleted artwork stops
being counted at once in every process.
"""

import atexit
import datetime
import os
import secrets
import threading
import time
from collections import Counter

import redis
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from assets.models import Asset
from privacypass.services import week_expire_at
from tracking.models import iso_week, week_of

WEEK_PREFIX = "tracking:week:"
PUBLISHED = "tracking:published"  # slug -> "id:available_until"
PUBLISHED_IDS = "tracking:published-ids"
GENERATION = "tracking:published-generation"
PUSH_SECONDS = 1.0
REWRITE_SECONDS = 60  # a release waits this long for Redis to rewrite its file
_SENTINEL = ("", "0:")  # a hash or set cannot be empty: the lists always hold this

PUSH_PREFIX = "tracking:push:"

# KEYS[1] the published ids, KEYS[2] this push's id, KEYS[3..] week hashes;
# ARGV[1] when the id expires, then (week key index, field, n) triples.
# Returns 1 when applied, 0 when this push was applied before, -1 without the list.
_PUSH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if not redis.call('SET', KEYS[2], '', 'NX', 'EXAT', ARGV[1]) then return 0 end
for i = 2, #ARGV, 3 do
  local id = string.match(ARGV[i + 1], '^[^:]+:(%d+):')
  if id and redis.call('SISMEMBER', KEYS[1], id) == 1 then
    redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], tonumber(ARGV[i + 2]))
  end
end
return 1
"""

_lock = threading.Lock()  # guards _pending
_push_lock = threading.Lock()  # one push at a time, and none while a week is discarded
_pending: Counter[tuple[str, str]] = Counter()
_local: dict = {
    "published": None,
    "generation": None,
    "pid": None,
    "refresh": False,
    "pushed": 0.0,
    "compact": False,  # counts were pushed since the append-only file was last rewritten
    "unsent": None,  # (push id, numbers) sent without an answer: sent again as they are
}
_clients: dict[str, tuple[redis.Redis, object]] = {}


def week_key(week: datetime.date) -> str:
    return WEEK_PREFIX + iso_week(week)


def cell_field(kind: str, asset_id: int, preset: str) -> str:
    """The hash field of one number: kind, artwork id and size; nothing else."""
    return f"{kind}:{asset_id}:{preset}"


def _client() -> tuple[redis.Redis, object]:
    url = settings.REDIS_URL
    if url not in _clients:
        # Short timeouts: the pushing thread must not hang on a Redis that is away.
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        _clients[url] = (client, client.register_script(_PUSH))
    return _clients[url]


def published_refresh() -> None:
    """Rewrite the lists of countable artworks from the database.

    Guarded by a generation number that every change to an artwork raises first:
    a rebuild that read the database before a change never overwrites the lists
    written after it.
    """
    if not settings.REDIS_URL:
        return
    client, _ = _client()
    with client.pipeline() as pipe:
        # Watched: a change to an artwork after this line makes execute() fail.
        pipe.watch(GENERATION)
        # An embargoed artwork stays off the list: a count for it reads the database,
        # which lets it in from its first day and asks for this list to be rebuilt.
        rows = (
            Asset.objects.filter(status=Asset.Status.PUBLISHED)
            .exclude(not_before__gt=timezone.localdate())
            .values_list("slug", "id", "available_until")
        )
        entries = dict([_SENTINEL])
        for slug, pk, until in rows:
            entries[slug] = f"{pk}:{until.isoformat() if until else ''}"
        pipe.multi()
        pipe.incr(GENERATION)  # every process renews its copy
        pipe.delete(PUBLISHED, PUBLISHED_IDS)
        pipe.hset(PUBLISHED, mapping=entries)
        pipe.sadd(PUBLISHED_IDS, *{entry.split(":")[0] for entry in entries.values()})
        try:
            pipe.execute()
        except redis.WatchError:
            pass  # a newer change rebuilds them


def published_forget() -> None:
    """Drop this process's copy of the list: its next count reads it again."""
    _local["published"] = None


def _after_asset_change() -> None:
    published_forget()
    if not settings.REDIS_URL:
        return
    try:
        _client()[0].incr(GENERATION)
        published_refresh()
    except redis.RedisError:
        # Redis is away: this process rebuilds the lists when it next reaches Redis.
        _local["refresh"] = True


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def _asset_changed(**kwargs) -> None:
    transaction.on_commit(_after_asset_change)


def _load_published(client: redis.Redis) -> None:
    generation = client.get(GENERATION)
    if _local["published"] is not None and generation is not None:
        if generation == _local["generation"]:
            return
    entries = client.hgetall(PUBLISHED)
    if not entries:
        published_refresh()
        entries = client.hgetall(PUBLISHED)
    published = {}
    for slug, entry in entries.items():
        pk, until = entry.decode().split(":", 1)
        published[slug.decode()] = (int(pk), until)
    _local["published"], _local["generation"] = published, generation


def _published_id(asset_slug: str, today: datetime.date) -> int | None:
    published = _local["published"]
    if published is None and settings.REDIS_URL:
        try:
            _load_published(_client()[0])
            published = _local["published"]
        except redis.RedisError:
            published = None
    if published is not None and asset_slug in published:
        pk, until = published[asset_slug]
        return pk if not until or until >= today.isoformat() else None
    # Not on the list (or Redis is away): the database decides, and is only read.
    pk = Asset.objects.published().filter(slug=asset_slug).values_list("id", flat=True).first()
    if pk is not None and published is not None:
        _local["refresh"] = True  # published but not on the list: the list is stale
    return pk


def _unsent_take() -> tuple[str, dict] | None:
    """The push that waits for an answer, or a new one of the counts gathered since."""
    with _lock:
        if _local["unsent"] is None and _pending:
            # Random, and about nothing: it names no one, no artwork and no moment.
            _local["unsent"] = (secrets.token_hex(16), dict(_pending))
            _pending.clear()
        return _local["unsent"]


def _push_send(client: redis.Redis, push, push_id: str, batch: dict) -> None:
    keys = sorted({key for key, _ in batch})
    # The id only has to outlive the push's answer (it is deleted when that arrives) or
    # a Redis outage, after which the push goes again. Its expiry is one moment for every
    # push of a week, as for the spent tokens, so it dates a push no finer than the week
    # its numbers are in. A time to live (EX 60) would say to the second when counts were
    # made, and Redis would write that moment beside them in its append-only file.
    args = [week_expire_at(week_of(timezone.localdate()), weeks_after=2)]
    for (key, field), n in sorted(batch.items()):
        args += [keys.index(key) + 3, field, n]
    keys = [PUBLISHED_IDS, PUSH_PREFIX + push_id, *keys]
    # A RedisError leaves the push unsent: it goes again, with its id, next second.
    if push(keys=keys, args=args) == -1:
        published_refresh()
        push(keys=keys, args=args)
    with _lock:
        _local["unsent"] = None
    _local["compact"] = True
    # Answered, so never sent again: its id has done its work. Kept until it expires
    # if Redis goes away just now, which is harmless.
    client.delete(PUSH_PREFIX + push_id)


def _push(client: redis.Redis, push) -> None:
    if _local["refresh"]:
        client.incr(GENERATION)
        published_refresh()
        _local["refresh"] = False
    # The push that had no answer, if any, then the counts gathered since.
    for _ in range(2):
        unsent = _unsent_take()
        if unsent is None:
            break
        _push_send(client, push, *unsent)
    # Touched every second whether or not anyone counted, so its idle time says nothing;
    # last week's too, which takes late counts until it is released.
    this_week = week_of(timezone.localdate())
    client.touch(week_key(this_week), week_key(this_week - datetime.timedelta(weeks=1)))
    _load_published(client)
    if _local["compact"]:
        # Cleared only once a rewrite started after the push: one already running
        # began before it, so this process asks again next second.
        _local["compact"] = not log_compact()


def _waiting() -> Counter[tuple[str, str]]:
    """Every number this process holds: gathered, and pushed without an answer."""
    with _lock:
        waiting = Counter(_pending)
        if _local["unsent"]:
            waiting.update(_local["unsent"][1])
        return waiting


def pending_push() -> int:
    """Push the counts waiting in this process's memory; return how many still wait."""
    if settings.REDIS_URL:
        with _push_lock:
            _local["pushed"] = time.monotonic()
            try:
                _push(*_client())
            except redis.RedisError:
                pass
    return sum(_waiting().values())


def _push_forever() -> None:
    while True:
        time.sleep(PUSH_SECONDS)
        pending_push()


def pushing_start() -> None:
    """Push from a thread of this process once a second (gunicorn starts it in each worker).

    Without it (the development server, the tests) a count pushes what waited when
    the last push is more than a second old, on the request's own thread.
    """
    # Per process, and again after a fork: a thread does not survive one.
    if _local["pid"] != os.getpid() and settings.REDIS_URL:
        _local["pid"] = os.getpid()
        threading.Thread(target=_push_forever, name="tracking-push", daemon=True).start()


@atexit.register
def _push_at_exit() -> None:
    if _waiting():  # a process that stops cleanly leaves nothing behind in memory
        pending_push()


def tally_add(
    *,
    asset_slug: str,
    kind: str,
    preset: str,
    today: datetime.date,
    week: datetime.date | None = None,
) -> bool:
    """Add one to a week's number (today's week unless given: last week's for a count
    made before it closed) for an artwork published today; False if it may not be counted."""
    asset_id = _published_id(asset_slug, today)
    if asset_id is None:
        return False
    with _lock:
        _pending[week_key(week or week_of(today)), cell_field(kind, asset_id, preset)] += 1
    if time.monotonic() - _local["pushed"] > 2 * PUSH_SECONDS:
        pending_push()
    return True


def week_counts(week: datetime.date) -> dict[tuple[str, int, str], int]:
    """The raw numbers of one week, this process's waiting ones pushed first."""
    key = week_key(week)
    if settings.REDIS_URL:
        pending_push()
        raw = {field.decode(): int(n) for field, n in _client()[0].hgetall(key).items()}
    else:
        raw = {field: n for (k, field), n in _waiting().items() if k == key}
    counts = {}
    for field, n in raw.items():
        kind, asset_id, preset = field.split(":", 2)
        counts[kind, int(asset_id), preset] = n
    return counts


def week_discard(week: datetime.date) -> None:
    """Forget a week's raw numbers: once released, only the release remains.

    Returns once Redis's append-only file no longer holds them either.
    """
    key = week_key(week)
    with _push_lock:
        if settings.REDIS_URL:
            _client()[0].delete(key)
        with _lock:
            for cell in [cell for cell in _pending if cell[0] == key]:
                del _pending[cell]
            if _local["unsent"]:
                # Applied already or not, this week's part of it must not arrive after this.
                push_id, batch = _local["unsent"]
                batch = {cell: n for cell, n in batch.items() if cell[0] != key}
                _local["unsent"] = (push_id, batch) if batch else None
    if settings.REDIS_URL:
        log_rewritten()


def weeks_waiting() -> set[datetime.date]:
    """Every week that has raw numbers waiting, from the key names."""
    names: set[str] = set()
    if settings.REDIS_URL:
        client = _client()[0]
        names = {key.decode() for key in client.scan_iter(match=WEEK_PREFIX + "*", count=1000)}
    names |= {key for key, _ in _waiting()}
    weeks = set()
    for name in names:
        year, number = name.removeprefix(WEEK_PREFIX).split("-W")
        weeks.add(datetime.date.fromisocalendar(int(year), int(number), 1))
    return weeks


def log_compact() -> bool:
    """Ask Redis to rewrite its append-only file, dropping the order of past pushes.

    With AOF on, Redis keeps every push in arrival order until the file is
    rewritten; a rewrite keeps only the current numbers. Returns False only when
    a rewrite is already running (it may have begun before the last push).
    """
    if not settings.REDIS_URL:
        return True
    client = _client()[0]
    if not client.info("persistence").get("aof_enabled"):
        return True  # no append-only file: nothing keeps an order
    try:
        client.bgrewriteaof()
    except redis.ResponseError:
        return False
    return True


def log_rewritten() -> None:
    """Rewrite the append-only file and wait until that rewrite has finished.

    A deleted key stays in the file's base until a rewrite that started after the
    delete ends, so a discarded week's numbers would outlive their release. A
    rewrite already running began too early: this waits for it and starts another.
    """
    client = _client()[0]
    deadline = time.monotonic() + REWRITE_SECONDS
    started = False
    while True:
        if not started:
            started = log_compact()
        info = client.info("persistence")
        if started and not (info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"]):
            break
        if time.monotonic() > deadline:
            raise redis.TimeoutError("Redis did not rewrite its append-only file in time")
        time.sleep(0.05)
    if info["aof_last_bgrewrite_status"] != "ok":
        raise redis.RedisError("Redis failed to rewrite its append-only file")
