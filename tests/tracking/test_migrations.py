"""Weeks released before the calibration was stored keep what they were released with."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracking.models import Release

BEFORE = [("tracking", "0003_weekly_releases_replace_raw_counts")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_week_released_before_the_bound_keeps_its_threshold_and_noise():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldRelease = executor.loader.project_state(BEFORE).apps.get_model("tracking", "Release")
    OldRelease.objects.create(
        week=datetime.date(2026, 3, 2),
        epsilon=1.0,
        min_count=6,
        totals={"download": {"week": 40, "assets": {}}, "using": {"week": None, "assets": {}}},
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    release = Release.objects.get()
    assert (release.min_count, release.epsilon, release.noise_scale) == (6, 1.0, 2.0)
    assert release.person_bound is None and not release.adds_up
    assert release.noise == 3
