"""Each closed week is released once, from the raw numbers in Redis, which then go."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Release, ReleasedSizes, week_of
from tracking.services import weeks_release
from tracking.tally import tally_add, week_counts, weeks_waiting
from tracking.tasks import release_closed_weeks

THIS_WEEK = week_of(timezone.localdate())
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)


def _old_asset(**fields):
    """An artwork that existed weeks ago, so the weeks being released include it."""
    return make_asset(created_at=timezone.now() - datetime.timedelta(weeks=8), **fields)


def _add(asset, n: int, *, day=LAST_WEEK, kind="download", preset="") -> None:
    for _ in range(n):
        assert tally_add(asset_slug=asset.slug, kind=kind, preset=preset, today=day)


@pytest.fixture
def last_week(db):
    """Last week's raw numbers waiting in Redis, one large and one small."""
    big, small = _old_asset(title="Big"), _old_asset(title="Small")
    _add(big, 400, preset="linkedin-banner")
    _add(small, 1)
    _add(big, 2, day=THIS_WEEK)
    return big, small


def test_the_command_releases_the_closed_week_and_forgets_its_raw_numbers(last_week, capsys):
    big, _ = last_week
    call_command("release_closed_weeks")
    assert f"Released {LAST_WEEK.isocalendar()[0]}-W" in capsys.readouterr().out
    release = Release.objects.get()
    assert release.week == LAST_WEEK
    shown = release.totals["download"]["assets"][str(big.pk)]
    assert abs(shown - 400) < 6 * release.noise, "about 400"
    assert week_counts(LAST_WEEK) == {}
    assert weeks_waiting() == {THIS_WEEK}  # the running week waits on


def test_a_week_is_released_once_and_never_worked_out_again(last_week, settings, capsys):
    release_closed_weeks.delay()
    first = Release.objects.get()
    settings.TRACKING_MIN_COUNT = 50
    _add(last_week[1], 30)  # a late count for a week already published
    call_command("release_closed_weeks")
    assert "Every closed week is already released." in capsys.readouterr().out
    again = Release.objects.get()
    assert (again.pk, again.totals, again.min_count) == (first.pk, first.totals, 5)
    assert week_counts(LAST_WEEK) == {}, "the late count is dropped, not kept"


def test_the_hourly_task_releases_each_closed_week_and_is_scheduled(last_week, settings):
    assert release_closed_weeks.delay().get() == 1
    assert release_closed_weeks.delay().get() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    assert "tracking.tasks.release_closed_weeks" in [entry["task"] for entry in schedule]


def test_after_downtime_every_missed_week_is_released_counted_or_not(db):
    asset = _old_asset()
    three_back = THIS_WEEK - datetime.timedelta(weeks=3)
    _add(asset, 10, day=three_back)
    released = weeks_release()
    assert [release.week for release in released] == [
        three_back,
        three_back + datetime.timedelta(weeks=1),
        LAST_WEEK,
    ]


def test_small_numbers_are_not_stored_and_sizes_hold_only_shown_ones(last_week):
    big, small = last_week
    weeks_release()
    release = Release.objects.get()
    shown = release.totals["download"]["assets"]
    assert all(n >= 5 for n in shown.values())
    sizes = ReleasedSizes.objects.get(release=release, asset_id=big.pk).counts
    assert set(sizes) >= {"linkedin-banner"} and all(n >= 5 for n in sizes.values())


def test_the_current_week_is_never_released(db):
    asset = make_asset()
    _add(asset, 50, day=THIS_WEEK)
    weeks_release()
    assert not Release.objects.filter(week=THIS_WEEK).exists()
    assert week_counts(THIS_WEEK) == {("download", asset.pk, ""): 50}
