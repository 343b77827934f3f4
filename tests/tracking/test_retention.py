import datetime
import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_asset, make_release
from tracking.models import Release, week_of
from tracking.tasks import prune_counts


def _weeks_ago(weeks: int) -> datetime.date:
    return week_of(timezone.localdate()) - datetime.timedelta(weeks=weeks)


def _releases_in_weeks(*ages: int):
    asset = make_asset()
    for age in ages:
        make_release(_weeks_ago(age), downloads={asset: {"": 9}})


def _ages_left() -> list[int]:
    this_week = week_of(timezone.localdate())
    return sorted(
        (this_week - week).days // 7 for week in Release.objects.values_list("week", flat=True)
    )


def test_prune_counts_deletes_releases_older_than_the_retention_and_keeps_the_rest(db, capsys):
    _releases_in_weeks(1, 2, 100, 103, 106, 150)
    call_command("prune_counts")
    assert _ages_left() == [1, 2, 100, 103]
    assert "Deleted 2 weekly releases older than 24 months." in capsys.readouterr().out


def test_a_shorter_retention_prunes_more(db, settings):
    settings.TRACKING_RETENTION_MONTHS = 1
    _releases_in_weeks(1, 3, 6)
    call_command("prune_counts")
    assert _ages_left() == [1, 3]


def test_the_periodic_task_prunes_and_is_scheduled(db):
    _releases_in_weeks(2, 200)
    assert prune_counts.delay().get() == 1
    assert _ages_left() == [2]
    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    assert "tracking.tasks.prune_counts" in [entry["task"] for entry in schedule]


def test_the_portal_refuses_to_start_with_k_below_five():
    env = os.environ | {"TRACKING_MIN_COUNT": "4"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "TRACKING_MIN_COUNT must be at least 5, not 4." in result.stderr
