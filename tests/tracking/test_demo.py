"""The demo's weeks of made-up counts: released like real ones, and said to be demo data."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Release, iso_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def artwork(settings):
    settings.DEBUG = True  # demo data is for DEBUG on; pytest-django runs with it off
    old = timezone.now() - datetime.timedelta(weeks=10)
    return [make_asset(title=f"Artwork {n}", created_at=old) for n in range(4)]


def test_the_demo_releases_six_past_weeks_marked_as_demo_data(artwork, client, leader):
    call_command("release_demo_weeks")
    releases = list(Release.objects.all())
    assert len(releases) == 6 and all(release.demo for release in releases)
    client.force_login(leader)
    page = client.get(reverse("tracking:dashboard")).content.decode()
    first, last = min(r.week for r in releases), max(r.week for r in releases)
    assert f"{iso_week(first)} to {iso_week(last)} hold made-up counts" in page
    assert page.count('<span class="demo-tag">Demo data</span>') == 6
    assert "about " in page.split('class="uptake-total"')[1], "the page is not empty"


def test_the_demo_weeks_are_demo_in_the_csv_and_the_json(artwork, client, leader):
    call_command("release_demo_weeks")
    client.force_login(leader)
    response = client.get(reverse("tracking:dashboard-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    demo_weeks = {iso_week(release.week) for release in Release.objects.all()}
    assert {row["demo"] for row in rows if row["week"] in demo_weeks} == {"yes"}
    assert {row["demo"] for row in rows if row["week"] not in demo_weeks} <= {"no"}
    api = client.get(reverse("tracking:api")).json()
    assert [r["demo"] for r in api["releases"] if r] == [True] * 6


def test_a_second_demo_run_adds_nothing_and_never_touches_a_real_week(artwork):
    call_command("release_demo_weeks")
    Release.objects.order_by("week").first().delete()
    before = {r.week: r.totals for r in Release.objects.all()}
    call_command("release_demo_weeks")  # releases the deleted week again, and only it
    after = {r.week: r.totals for r in Release.objects.all()}
    assert len(after) == 6 and all(after[week] == totals for week, totals in before.items())


def test_made_up_counts_are_refused_when_debug_is_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("release_demo_weeks")
    assert not Release.objects.exists()
