"""Recording anonymous counts, releasing closed weeks once, and reading the releases."""

import base64
import calendar
import datetime
import functools
import random
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from assets.models import Asset
from assets.renditions.platforms import download_labels
from assets.renditions.translated import platforms_translated
from privacypass.services import TokenRefused, token_redeem
from tracking.models import Kind, Release, ReleasedSizes, week_of
from tracking.suppression import calibration, release_week
from tracking.tally import tally_add, week_counts, week_discard, weeks_waiting

ALL_SIZES = "all-sizes"  # the ZIP of every size
# Labels are English, the CSV's and the API's stable keys; the page shows them translated.
ORIGINAL_LABEL = gettext_noop("Original file")
ALL_SIZES_LABEL = gettext_noop("All sizes (ZIP)")
WEEK = datetime.timedelta(weeks=1)
COUNTED_KINDS = frozenset(Kind.values)  # Kind.values builds a new list on every use


@functools.cache
def preset_slugs() -> frozenset[str]:
    """What a count may name besides the original (""): a size an employee can download, or
    all of them. A size offered nowhere is neither counted nor released, even as noise."""
    return frozenset(download_labels()) | {ALL_SIZES}


@functools.cache
def size_labels() -> dict[str, str]:
    """How the CSV and the API name a size: as the asset page does in English, never by slug,
    each name once."""
    labels = {"": ORIGINAL_LABEL, ALL_SIZES: ALL_SIZES_LABEL, **download_labels()}
    if len(set(labels.values()) | {REST_SIZES}) != len(labels) + 1:
        raise ValueError("two sizes share a label: give each preset its own platform or slot")
    return labels


def size_texts() -> dict[str, str]:
    """How the page names a size, in the reader's language: as ``size_labels()`` does."""
    return {
        "": gettext(ORIGINAL_LABEL),
        ALL_SIZES: gettext(ALL_SIZES_LABEL),
        **download_labels(
            platforms_translated(),
            label=pgettext("a size's platforms and slot", "%(platforms)s: %(slot)s"),
            between=pgettext("between the slots of a size", "; "),
        ),
    }


class CountRefused(Exception):
    """The request does not name something that may be counted."""


def count_record(*, asset_slug: str, preset: str, kind: str, token: str) -> None:
    """Spend one anonymous token and add one to its week's number for a published asset,
    size and kind. The token, not the request, decides the week: one issued last week
    counts in last week, unless that week has been released already."""
    if kind not in COUNTED_KINDS or (preset and preset not in preset_slugs()):
        raise CountRefused("unknown kind or size")
    if kind == Kind.USING and preset:
        raise CountRefused("an artwork is in use as a whole, not per size")
    try:
        week = token_redeem(_token_bytes(token))
    except TokenRefused as refused:
        raise CountRefused(str(refused)) from refused
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    if week < week_of(today) and Release.objects.filter(week=week).exists():
        raise CountRefused("that week is closed and published")
    if not tally_add(asset_slug=asset_slug, kind=kind, preset=preset, today=today, week=week):
        raise CountRefused("no such published asset")


def _token_bytes(token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return b""


def _week_start(week: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(week, datetime.time()))


def _week_lock(week: datetime.date) -> None:
    """Wait until no other transaction is releasing this week (released at commit).

    Two workers or two beats may release the same week at once: the second waits
    here, then finds the first one's release, so the week's noise is drawn once
    and its raw numbers stay until that release is committed. Other databases
    have no such lock; there the unique week decides (see week_release).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"release:{week}"])


def week_release(*, week: datetime.date, demo: bool = False) -> Release | None:
    """Publish one closed week, once: noisy numbers at or above k, then forget the raw ones.

    The domain (every artwork that existed by the week's end and is not a draft,
    every size) is fixed without looking at the counts, so which numbers a release
    holds says nothing about who counted. Returns None if the week was released before.
    `demo` marks the release as made-up counts (see demo_weeks_release).
    """
    try:
        # One transaction for the whole week, after it has closed: the database
        # sees counts never more often than once a week.
        with transaction.atomic():
            _week_lock(week)
            release = None
            if not Release.objects.filter(week=week).exists():
                release = _release_store(week=week, counts=week_counts(week), demo=demo)
    except IntegrityError:
        release = None  # without the lock: another process released it first
    week_discard(week)  # late counts never change a published week
    return release


def _release_store(*, week: datetime.date, counts: dict, demo: bool) -> Release:
    assets = Asset.objects.exclude(status=Asset.Status.DRAFT).filter(
        created_at__lt=_week_start(week + WEEK)
    )
    # Calibrated to everything one person may add in the week, not to one count.
    noise = calibration(bound=settings.TRACKING_WEEKLY_TOKENS, epsilon=settings.TRACKING_EPSILON)
    k = settings.TRACKING_MIN_COUNT
    released = release_week(
        counts,
        assets=assets.values_list("id", flat=True),
        sizes={Kind.DOWNLOAD.value: ["", *preset_slugs()], Kind.USING.value: [""]},
        scale=noise.scale,
        k=k,
    )
    totals = {
        kind: {
            "week": of_kind.week,
            "assets": {str(asset_id): n for asset_id, n in of_kind.assets.items()},
        }
        for kind, of_kind in released.items()
    }
    release = Release.objects.create(
        week=week,
        epsilon=noise.count_epsilon,
        person_bound=noise.bound,
        person_epsilon=noise.epsilon,
        noise_scale=noise.scale,
        min_count=k,
        totals=totals,
        demo=demo,
    )
    ReleasedSizes.objects.bulk_create(
        ReleasedSizes(release=release, asset_id=asset_id, counts=counts)
        for asset_id, counts in sorted(released[Kind.DOWNLOAD.value].sizes.items())
    )
    return release


def weeks_release(*, today: datetime.date | None = None) -> list[Release]:
    """Release every closed week not yet released, counted or not, oldest first.

    A week nobody counted in is released too (as noise), or its absence would say so.
    """
    this_week = week_of(today or timezone.localdate())
    oldest = week_of(_months_before(this_week, settings.TRACKING_RETENTION_MONTHS))
    waiting = {week for week in weeks_waiting() if week < this_week}
    last = Release.objects.aggregate(last=Max("week"))["last"]
    start = last + WEEK if last else min(waiting, default=this_week - WEEK)
    weeks = set(waiting)
    week = max(start, oldest)
    while week < this_week:
        weeks.add(week)
        week += WEEK
    released = []
    for week in sorted(weeks):
        if week < oldest:
            week_discard(week)
        elif release := week_release(week=week):
            released.append(release)
    return released


DEMO_WEEKS = 6


def demo_weeks_release(*, today: datetime.date | None = None) -> list[Release]:
    """Release the last few closed weeks with made-up counts, marked as demo data, so a first
    visit to the uptake page shows what it does. The counts go through the tally and the
    release like real ones (noise, threshold, the rest); weeks released already are left
    alone. The same counts every time: the numbers are drawn from a fixed seed."""
    rng = random.Random(28)  # noqa: S311 (made-up numbers for a demo, no secret)
    artworks = list(Asset.objects.published().order_by("created_at", "id"))
    sizes = [""] + sorted(preset_slugs())
    released = []
    for week in reversed(closed_weeks(count=DEMO_WEEKS, today=today)):
        if Release.objects.filter(week=week).exists():
            continue
        for rank, asset in enumerate(artworks):
            # Every artwork some weeks, the first ones more: a page that looks like a library.
            popular = rng.choice([0.2, 0.6, 1, 1.5]) / (1 + rank / 3)
            for size in sizes:
                for _ in range(int(rng.random() * popular * 60)):
                    tally_add(asset_slug=asset.slug, kind=Kind.DOWNLOAD, preset=size, today=week)
            for _ in range(int(rng.random() * popular * 80)):
                tally_add(asset_slug=asset.slug, kind=Kind.USING, preset="", today=week)
        if release := week_release(week=week, demo=True):
            released.append(release)
    return released


def closed_weeks(*, count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the last `count` weeks that have ended, newest first."""
    this_week = week_of(today or timezone.localdate())
    return [this_week - WEEK * back for back in range(1, count + 1)]


SHOWN, SMALL, NOT_RELEASED = "shown", "fewer than k", "not released"
# The parts of a total below the threshold, added up, so that the parts shown sum to it;
# weeks released before totals were worked out from their parts have no such number.
REST, NOT_SUMMED = "the rest", "not summed"
REST_ARTWORK = gettext_noop("Artwork below the threshold, together")
REST_SIZES = gettext_noop("Sizes below the threshold, together")
WINDOWS = (12, 26, 52)  # how many closed weeks the dashboard may show


class Cell(NamedTuple):
    """One published number, or why there is none."""

    n: int | None
    status: str
    k: int

    @property
    def text(self) -> str:
        """For the page, in the reader's language (the CSV has `status_text`)."""
        if self.n is not None:
            return gettext("about %(n)s") % {"n": self.n}
        if self.status == SMALL:
            return gettext("fewer than %(k)s") % {"k": self.k}
        if self.status == NOT_SUMMED:
            return gettext("not summed in this week")
        return gettext("not released yet")

    @property
    def status_text(self) -> str:
        return f"fewer than {self.k}" if self.status == SMALL else self.status


def _cell(release: Release | None, n: int | None) -> Cell:
    if release is None:
        return Cell(None, NOT_RELEASED, settings.TRACKING_MIN_COUNT)
    return Cell(n, SHOWN if n is not None else SMALL, release.min_count)


def _rest(release: Release | None, total: int | None, parts: list[int | None]) -> Cell:
    """The hidden parts of a total, added up: the total minus the parts shown."""
    if release is None:
        return Cell(None, NOT_RELEASED, settings.TRACKING_MIN_COUNT)
    if not release.adds_up:
        return Cell(None, NOT_SUMMED, release.min_count)
    if total is None:
        return Cell(None, SMALL, release.min_count)  # a hidden total hides its parts
    return Cell(total - sum(filter(None, parts)), REST, release.min_count)


def _rest_row(cells: list[Cell]) -> list[Cell] | None:
    """The rest, if anything is hidden in a shown total in any of the weeks."""
    return cells if any(cell.n for cell in cells) else None


def _listed(values) -> str:
    """2 → "2", [2, 3, 5] → "2, 3 or 5"."""
    values = [str(value) for value in values]
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else "".join(values)


@dataclass(frozen=True)
class ArtworkRow:
    asset_id: int
    title: str  # for the CSV and the API, in English
    total: int
    numbers: list[int | None]
    columns: list[Release | None]
    deleted: bool = False

    @property
    def text(self) -> str:
        """For the page, in the reader's language."""
        if self.deleted:
            return gettext("Deleted artwork #%(id)s") % {"id": self.asset_id}
        return self.title

    @functools.cached_property
    def cells(self) -> list[Cell]:
        # Made only for the rows shown: a year of a thousand artworks is 52,000 cells.
        return [_cell(release, n) for release, n in zip(self.columns, self.numbers, strict=True)]


@dataclass(frozen=True)
class Uptake:
    """One kind over a window of closed weeks, newest week first."""

    kind: str
    label: str
    weeks: list[datetime.date]
    columns: list[Release | None]  # the stored release of each week, if any
    week_totals: list[Cell]
    rows: list[ArtworkRow]  # artworks with a number shown, most uptake first
    rest: list[Cell] | None  # each week's artwork below the threshold, together
    folded: int  # artworks with every number below the threshold

    @property
    def released(self) -> bool:
        return any(cell.status != NOT_RELEASED for cell in self.week_totals)

    @property
    def total(self) -> int:
        """All artwork over the window, as each artwork's total is: the shown weeks added up."""
        return sum(cell.n for cell in self.week_totals if cell.n is not None)

    @property
    def demo_weeks(self) -> list[datetime.date]:
        """The weeks shown that hold made-up counts from the demo, oldest first."""
        return [release.week for release in reversed(self.columns) if release and release.demo]

    @property
    def rest_total(self) -> int:
        return sum(cell.n for cell in self.rest or [] if cell.n is not None)

    @property
    def k(self) -> str:
        """The thresholds the weeks shown were released with: "5", or "5 or 6"."""
        ks = {release.min_count for release in self.columns if release is not None}
        return _listed(sorted(ks or {settings.TRACKING_MIN_COUNT}))

    @property
    def noise(self) -> str:
        """About how much noise each number carries, as the weeks shown were released: "±25"."""
        noises = sorted({release.noise for release in self.columns if release is not None})
        return _listed(f"±{noise}" for noise in noises)


def _titles() -> dict[int, str]:
    """Every artwork's name as the numbers give it: its title, with its slug where titles repeat."""
    # Every artwork's, in one query: naming the ids a release holds instead sends the
    # database a thousand parameters, which costs more than the titles of the rest.
    artworks = list(Asset.objects.values_list("id", "title", "slug"))
    taken = Counter(title for _, title, _ in artworks) + Counter(["All artwork", REST_ARTWORK])
    return {
        asset_id: title if taken[title] == 1 else f"{title} ({slug})"
        for asset_id, title, slug in artworks
    }


def uptake_read(*, weeks: list[datetime.date], kind: str) -> Uptake:
    """What leadership sees of one kind: stored releases only, nothing computed from counts."""
    # Only this kind's part of each release is read and decoded.
    releases = Release.objects.filter(week__in=weeks).defer("totals")
    releases = {r.week: r for r in releases.annotate(kind_totals=KeyTransform(kind, "totals"))}
    columns = [releases.get(week) for week in weeks]
    # Each week's numbers by artwork id, empty where the week is not released.
    by_week = [
        (release.kind_totals or {}).get("assets", {}) if release else {} for release in columns
    ]
    titles = _titles()
    rows = []
    for key in set().union(*by_week):
        numbers = [week.get(key) for week in by_week]
        asset_id = int(key)
        deleted = asset_id not in titles
        title = f"Deleted artwork #{asset_id}" if deleted else titles[asset_id]
        total = sum(filter(None, numbers))
        rows.append(ArtworkRow(asset_id, title, total, numbers, columns, deleted))
    rows.sort(key=lambda row: (-row.total, row.title.casefold(), row.asset_id))
    published = set(Asset.objects.published().values_list("id", flat=True))
    week_totals = [
        _cell(release, (release.kind_totals or {}).get("week") if release else None)
        for release in columns
    ]
    rest = [
        _rest(release, total.n, list(numbers.values()))
        for release, total, numbers in zip(columns, week_totals, by_week, strict=True)
    ]
    return Uptake(
        kind=kind,
        label=Kind(kind).label,
        weeks=weeks,
        columns=columns,
        week_totals=week_totals,
        rows=rows,
        rest=_rest_row(rest),
        folded=len(published - {row.asset_id for row in rows}),
    )


@dataclass(frozen=True)
class SizeRow:
    size: str | None  # None for the sizes below the threshold, together
    label: str  # for the CSV and the API, in English
    text: str  # for the page, in the reader's language
    cells: list[Cell]


def uptake_sizes(*, uptake: Uptake, asset_ids: list[int]) -> dict[int, list[SizeRow]]:
    """Downloads per size of these artworks, for the breakdown opened on demand.

    Each artwork's sizes add up to its total each week: the sizes below the
    threshold come last, together.
    """
    releases = [release for release in uptake.columns if release is not None]
    index = {release.pk: uptake.columns.index(release) for release in releases}
    found: dict[int, dict[str, list[int | None]]] = {}
    rows = ReleasedSizes.objects.filter(release__in=releases, asset_id__in=asset_ids)
    for asset_id, release_id, counts in rows.values_list("asset_id", "release_id", "counts"):
        for size, n in counts.items():
            numbers = found.setdefault(asset_id, {}).setdefault(size, [None] * len(uptake.weeks))
            numbers[index[release_id]] = n
    # One shared cell per week for every hidden number: most numbers are hidden.
    hidden = [_cell(release, None) for release in uptake.columns]
    labels, texts = size_labels(), size_texts()
    totals = {row.asset_id: row.numbers for row in uptake.rows}
    breakdown = {}
    for asset_id in asset_ids:
        # A week released before a size stopped being offered may hold it: as nobody can
        # download it, it is not listed, and its number goes to the rest.
        sizes = {size: n for size, n in found.get(asset_id, {}).items() if size in labels}
        size_rows = [
            SizeRow(
                size,
                labels[size],
                texts[size],
                [
                    hidden[column]
                    if n is None
                    else Cell(n, SHOWN, uptake.columns[column].min_count)
                    for column, n in enumerate(numbers)
                ],
            )
            for size, numbers in sizes.items()
        ]
        size_rows.sort(key=lambda row: -sum(c.n or 0 for c in row.cells))
        rest = _rest_row(
            [
                _rest(release, total, [numbers[column] for numbers in sizes.values()])
                for column, (release, total) in enumerate(
                    zip(uptake.columns, totals[asset_id], strict=True)
                )
            ]
        )
        if rest:
            size_rows.append(SizeRow(None, REST_SIZES, gettext(REST_SIZES), rest))
        if size_rows:
            breakdown[asset_id] = size_rows
    return breakdown


def _months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def releases_prune(*, today: datetime.date | None = None) -> int:
    """Delete the releases of weeks that started before the retention period; return how many."""
    today = today or timezone.localdate()
    cutoff = week_of(_months_before(today, settings.TRACKING_RETENTION_MONTHS))
    _, deleted = Release.objects.filter(week__lt=cutoff).delete()
    return deleted.get("tracking.Release", 0)
