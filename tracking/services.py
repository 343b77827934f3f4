"""Recording anonymous counts, publishing them, and forgetting them."""

import calendar
import datetime
import functools
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from assets.models import Asset
from assets.presets import platform_presets
from tracking.models import Count, week_of
from tracking.suppression import SMALL, Shown, WeekRelease, suppress

ALL_SIZES = "all-sizes"  # the ZIP of every size


@functools.cache
def preset_slugs() -> frozenset[str]:
    """What a count may name besides the original (""): a platform size, or all of them."""
    return frozenset({preset.slug for preset in platform_presets()} | {ALL_SIZES})


def count_token(*, asset_slug: str, day: datetime.date) -> str:
    """The same for every viewer of the asset on that day, so it cannot tell them apart."""
    value = f"{asset_slug}|{day.isoformat()}"
    return salted_hmac("tracking.count", value, algorithm="sha256").hexdigest()[:32]


def count_token_valid(*, asset_slug: str, token: str, today: datetime.date) -> bool:
    # Yesterday's token too: a page opened just before midnight still counts.
    return any(
        constant_time_compare(token, count_token(asset_slug=asset_slug, day=day))
        for day in (today, today - datetime.timedelta(days=1))
    )


class CountRefused(Exception):
    """The request does not name something that may be counted."""


@functools.lru_cache(maxsize=1)
def _published_asset_ids(minute: int) -> dict[str, int]:
    return dict(Asset.objects.published().values_list("slug", "id"))


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def _forget_published_asset_ids(**kwargs) -> None:
    _published_asset_ids.cache_clear()


def _published_asset_id(slug: str) -> int | None:
    """The id of a published asset, without building a query on every count.

    Kept a minute per process (other processes may count an asset for up to a
    minute after it is unpublished); a slug not in the list is looked up afresh.
    """
    asset_id = _published_asset_ids(int(time.monotonic() // 60)).get(slug)
    if asset_id is None:
        asset_id = Asset.objects.published().filter(slug=slug).values_list("id", flat=True).first()
    return asset_id


def count_record(*, asset_slug: str, preset: str, kind: str, token: str) -> None:
    """Add one to this week's number for a published asset, preset and kind."""
    today = timezone.localdate()
    if kind not in Count.Kind.values or (preset and preset not in preset_slugs()):
        raise CountRefused("unknown kind or preset")
    if not count_token_valid(asset_slug=asset_slug, token=token, today=today):
        raise CountRefused("token does not match")
    asset_id = _published_asset_id(asset_slug)
    if asset_id is None:
        raise CountRefused("no such published asset")
    Count.objects.increment(asset_id=asset_id, preset=preset, kind=kind, day=today)


def closed_weeks(*, count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the last `count` weeks that have ended, oldest first."""
    this_week = week_of(today or timezone.localdate())
    return [this_week - datetime.timedelta(weeks=back) for back in range(count, 0, -1)]


@dataclass(frozen=True)
class PresetRow:
    preset: str
    cells: list[Shown]


@dataclass(frozen=True)
class AssetRow:
    title: str
    cells: list[Shown]
    presets: list[PresetRow]


@dataclass(frozen=True)
class UptakeTable:
    kind: str
    label: str
    weeks: list[datetime.date]
    totals: list[Shown]
    assets: list[AssetRow]


def shown_text(cell: Shown) -> str:
    """What a reader sees in a cell: the number, or why it is hidden, with the live k."""
    if cell.n is not None:
        return str(cell.n)
    if cell.hidden == SMALL:
        return f"fewer than {settings.TRACKING_MIN_COUNT}"
    return "hidden"


RELEASE_CACHE_SECONDS = 30 * 24 * 60 * 60
WINDOWS = (12, 26, 52)  # how many closed weeks the dashboard may show


def _release_key(week: datetime.date, kind: str, k: int) -> str:
    return f"tracking:release:{kind}:{week.isoformat()}:k{k}"


def uptake_releases(*, weeks: list[datetime.date]) -> dict[tuple[datetime.date, str], WeekRelease]:
    """What leadership may see of each (closed week, kind), suppressed.

    Each week of each kind is suppressed on its own data, so a week reads the same
    whichever weeks are shown next to it. A closed week never changes (counts land
    in the current week; deleted assets keep theirs), so its release is computed
    once and cached until pruning removes the week. The cache holds only these
    published numbers, never a raw count.
    """
    if weeks and max(weeks) >= week_of(timezone.localdate()):
        raise ValueError("the current week is never published")
    k = settings.TRACKING_MIN_COUNT
    wanted = {_release_key(week, kind, k): (week, kind) for week in weeks for kind in Count.Kind}
    releases = cache.get_many(wanted)
    missing = {key: wanted[key] for key in wanted.keys() - releases.keys()}
    if missing:
        counts: dict[tuple[datetime.date, str], dict[tuple[int, str], int]] = defaultdict(dict)
        rows = Count.objects.filter(week__in={week for week, _ in missing.values()})
        for week, kind, asset_id, preset, n in rows.values_list(
            "week", "kind", "asset_id", "preset", "n"
        ):
            counts[week, kind][asset_id, preset] = n
        fresh = {key: suppress(counts.get(cell, {}), k=k) for key, cell in missing.items()}
        cache.set_many(fresh, timeout=RELEASE_CACHE_SECONDS)
        releases |= fresh
    return {wanted[key]: release for key, release in releases.items()}


def uptake_assets(releases: dict[tuple[datetime.date, str], WeekRelease]) -> list[tuple[int, str]]:
    """(id, title) of every row: published assets and any other counted, by title."""
    titles = dict(Asset.objects.published().values_list("id", "title"))
    counted = {asset_id for release in releases.values() for asset_id in release.asset_totals}
    titles |= dict(Asset.objects.filter(pk__in=counted - titles.keys()).values_list("id", "title"))
    for asset_id in counted - titles.keys():
        titles[asset_id] = f"Deleted artwork #{asset_id}"
    return sorted(titles.items(), key=lambda item: (item[1].casefold(), item[0]))


def uptake_tables(
    *,
    weeks: list[datetime.date],
    releases: dict[tuple[datetime.date, str], WeekRelease],
    assets: list[tuple[int, str]],
) -> list[UptakeTable]:
    """One table per kind for these assets: asset totals, and per preset for downloads."""
    presets = sorted(
        {"", *preset_slugs()}
        | {
            preset
            for release in releases.values()
            for presets in release.preset_counts.values()
            for preset in presets
        }
    )
    tables = []
    for kind, label in Count.Kind.choices:
        columns = [releases[week, kind] for week in weeks]
        rows = []
        for asset_id, title in assets:
            preset_rows = []
            if kind == Count.Kind.DOWNLOAD:
                preset_rows = [
                    PresetRow(preset, [column.cell(asset_id, preset) for column in columns])
                    for preset in presets
                ]
            cells = [column.asset(asset_id) for column in columns]
            rows.append(AssetRow(title, cells, preset_rows))
        totals = [column.total for column in columns]
        tables.append(UptakeTable(kind, label, weeks, totals, rows))
    return tables


def _months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def counts_prune(*, today: datetime.date | None = None) -> int:
    """Delete the weeks that started before the retention period; return how many rows."""
    today = today or timezone.localdate()
    cutoff = week_of(_months_before(today, settings.TRACKING_RETENTION_MONTHS))
    expired = Count.objects.filter(week__lt=cutoff)
    weeks = set(expired.values_list("week", flat=True).distinct())
    deleted, _ = expired.delete()
    k = settings.TRACKING_MIN_COUNT
    cache.delete_many([_release_key(week, kind, k) for week in weeks for kind in Count.Kind])
    return deleted
