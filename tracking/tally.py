"""Where counts wait until their week closes: one Redis hash per ISO week.

A count is one HINCRBY on its week's hash (`tracking:week:2026-W49`, field
`download:<asset id>:<size>`), so PostgreSQL is written nothing per count and the
only time a count carries is its week. While Redis is unreachable a count waits
in this process's memory and is pushed as soon as Redis answers again.

Which artworks may be counted is a Redis hash too (`tracking:published`), rebuilt
from the database after every change to an artwork, so an archived or deleted
artwork stops being counted at once in every process without a query per count.
"""

import datetime
import threading
import time
from collections import Counter

import redis
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assets.models import Asset
from tracking.models import iso_week, week_of

WEEK_PREFIX = "tracking:week:"
PUBLISHED = "tracking:published"
GENERATION = "tracking:published-generation"
RETRY_SECONDS = 2.0  # how long a process counts in memory before trying Redis again
COUNTED = 1

# A hash cannot be empty, so the list of published artworks always holds this entry.
_SENTINEL = ("", "0:")

_COUNT = """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry or ARGV[1] == '' then return 0 end
local id, until_day = string.match(entry, '^(%d+):(.*)$')
if until_day ~= '' and until_day < ARGV[4] then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':' .. id .. ':' .. ARGV[3], 1)
return 1
"""

_lock = threading.Lock()
_pending: Counter[tuple[str, str]] = Counter()
_state = {"down_until": 0.0, "refresh": False}


def week_key(week: datetime.date) -> str:
    return WEEK_PREFIX + iso_week(week)


def cell_field(kind: str, asset_id: int, preset: str) -> str:
    """The hash field of one number: kind, artwork id and size; nothing else."""
    return f"{kind}:{asset_id}:{preset}"


_clients: dict[str, tuple[redis.Redis, object]] = {}


def _client() -> tuple[redis.Redis, object]:
    url = settings.REDIS_URL
    if url not in _clients:
        # Short timeouts: a count must not wait long for a Redis that is away.
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        _clients[url] = (client, client.register_script(_COUNT))
    return _clients[url]


def _published_entries() -> dict[str, str]:
    rows = Asset.objects.filter(status=Asset.Status.PUBLISHED).values_list(
        "slug", "id", "available_until"
    )
    entries = {slug: f"{pk}:{until.isoformat() if until else ''}" for slug, pk, until in rows}
    return dict([_SENTINEL]) | entries


def published_refresh() -> None:
    """Rewrite the list of countable artworks from the database.

    Guarded by a generation number that every change to an artwork raises first:
    a rebuild that read the database before a change never overwrites the list
    written after it.
    """
    if not settings.REDIS_URL:
        return
    client, _ = _client()
    with client.pipeline() as pipe:
        # Watched: a change to an artwork after this line makes execute() fail.
        pipe.watch(GENERATION)
        entries = _published_entries()
        pipe.multi()
        pipe.delete(PUBLISHED)
        pipe.hset(PUBLISHED, mapping=entries)
        try:
            pipe.execute()
        except redis.WatchError:
            pass  # a newer change rebuilds it


def _after_asset_change() -> None:
    if not settings.REDIS_URL:
        return
    try:
        _client()[0].incr(GENERATION)
        published_refresh()
    except redis.RedisError:
        # Redis is away: this process rebuilds the list when it next reaches Redis.
        _state["refresh"] = True


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def _asset_changed(**kwargs) -> None:
    transaction.on_commit(_after_asset_change)


def _push(client: redis.Redis) -> None:
    """Send what waited in memory, all or nothing, and rebuild a list that may be stale."""
    if _state["refresh"]:
        client.incr(GENERATION)
        published_refresh()
        _state["refresh"] = False
    with _lock:
        waiting = dict(_pending)
    if not waiting:
        return
    with client.pipeline(transaction=True) as pipe:
        for (key, field), n in sorted(waiting.items()):
            pipe.hincrby(key, field, n)
        pipe.execute()
    with _lock:
        _pending.subtract(waiting)
        for cell in [cell for cell, n in _pending.items() if n <= 0]:
            del _pending[cell]


def pending_push() -> int:
    """Push the counts waiting in this process's memory; return how many still wait."""
    if settings.REDIS_URL:
        try:
            _push(_client()[0])
            _state["down_until"] = 0.0  # Redis answers: the next count goes straight there
        except redis.RedisError:
            pass
    with _lock:
        return sum(_pending.values())


def _published_id(asset_slug: str) -> int | None:
    return Asset.objects.published().filter(slug=asset_slug).values_list("id", flat=True).first()


def tally_add(*, asset_slug: str, kind: str, preset: str, today: datetime.date) -> bool:
    """Add one to this week's number for a published artwork; False if it may not be counted."""
    key = week_key(week_of(today))
    if settings.REDIS_URL and time.monotonic() >= _state["down_until"]:
        try:
            client, count = _client()
            result = count(
                keys=[PUBLISHED, key], args=[asset_slug, kind, preset, today.isoformat()]
            )
            if result != COUNTED:
                # Not on the list: the database decides (it is only read), and a
                # published artwork missing from the list means the list is stale.
                asset_id = _published_id(asset_slug)
                if asset_id is None:
                    return False
                client.hincrby(key, cell_field(kind, asset_id, preset), 1)
                published_refresh()
            if _pending or _state["refresh"]:
                _push(client)
            return True
        except redis.RedisError:
            _state["down_until"] = time.monotonic() + RETRY_SECONDS
    # Redis is away (or not configured): the count waits in this process's memory.
    asset_id = _published_id(asset_slug)
    if asset_id is None:
        return False
    with _lock:
        _pending[key, cell_field(kind, asset_id, preset)] += 1
    return True


def week_counts(week: datetime.date) -> dict[tuple[str, int, str], int]:
    """The raw numbers of one week: (kind, asset id, size) to count."""
    key = week_key(week)
    raw: dict[str, int] = {}
    if settings.REDIS_URL:
        raw = {field.decode(): int(n) for field, n in _client()[0].hgetall(key).items()}
    else:
        with _lock:
            raw = {field: n for (k, field), n in _pending.items() if k == key}
    counts = {}
    for field, n in raw.items():
        kind, asset_id, preset = field.split(":", 2)
        counts[kind, int(asset_id), preset] = n
    return counts


def week_discard(week: datetime.date) -> None:
    """Forget a week's raw numbers: once released, only the release remains."""
    key = week_key(week)
    if settings.REDIS_URL:
        _client()[0].delete(key)
    with _lock:
        for cell in [cell for cell in _pending if cell[0] == key]:
            del _pending[cell]


def weeks_waiting() -> set[datetime.date]:
    """Every week that has raw numbers waiting, from the key names."""
    names: set[str] = set()
    if settings.REDIS_URL:
        client = _client()[0]
        names = {key.decode() for key in client.scan_iter(match=WEEK_PREFIX + "*", count=1000)}
    with _lock:
        names |= {key for key, _ in _pending}
    weeks = set()
    for name in names:
        year, number = name.removeprefix(WEEK_PREFIX).split("-W")
        weeks.add(datetime.date.fromisocalendar(int(year), int(number), 1))
    return weeks


def log_compact() -> bool:
    """Ask Redis to rewrite its append-only file, dropping the order of past increments.

    With AOF on, Redis keeps every HINCRBY in arrival order until the file is
    rewritten; a rewrite keeps only the current numbers. Returns whether one started.
    """
    if not settings.REDIS_URL:
        return False
    client = _client()[0]
    if not client.info("persistence").get("aof_enabled"):
        return False
    try:
        client.bgrewriteaof()
    except redis.ResponseError:
        return False  # one is already running
    return True
