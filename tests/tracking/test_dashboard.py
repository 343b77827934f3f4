import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Count, iso_week, week_of
from tracking.tasks import release_closed_weeks

THIS_WEEK = week_of(timezone.localdate())
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)


@pytest.fixture(autouse=True)
def _no_cached_releases():
    # Releases of closed weeks are cached for good; each test has its own weeks' data.
    cache.clear()


@pytest.fixture
def counted(db):
    """Last week has numbers to show; this week has a distinctive one that must not appear."""
    asset = make_asset(title="Spring banner")
    other = make_asset(title="Autumn logo")
    Count.objects.create(
        asset=asset, preset="linkedin-banner", kind="download", week=LAST_WEEK, n=41
    )
    Count.objects.create(asset=asset, preset="", kind="download", week=LAST_WEEK, n=23)
    Count.objects.create(asset=other, preset="", kind="download", week=LAST_WEEK, n=3)
    Count.objects.create(asset=other, preset="x-header", kind="download", week=LAST_WEEK, n=17)
    Count.objects.create(asset=asset, preset="", kind="using", week=LAST_WEEK, n=12)
    Count.objects.create(asset=asset, preset="", kind="download", week=THIS_WEEK, n=7777)
    return asset


def _csv(client, **params):
    response = client.get(reverse("tracking:dashboard-csv"), params)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_leadership_sees_last_weeks_numbers_and_the_hidden_ones_as_fewer_than_k(
    client, leader, counted
):
    client.force_login(leader)
    page = client.get(reverse("tracking:dashboard")).content.decode()
    assert iso_week(LAST_WEEK) in page
    assert ">41<" in page and ">64<" in page
    assert "fewer than 5" in page
    assert "<svg" in page and "<script" not in page


def test_the_current_week_appears_nowhere(client, leader, counted):
    client.force_login(leader)
    page = client.get(reverse("tracking:dashboard"), {"weeks": 52}).content.decode()
    rows = _csv(client, weeks=52)
    api = client.get(reverse("tracking:api"), {"weeks": 52}).json()
    for text in (page, repr(rows), repr(api)):
        assert iso_week(THIS_WEEK) not in text
        assert "7777" not in text
    assert rows[0][-1] == iso_week(LAST_WEEK) == api["weeks"][-1]


def test_the_csv_and_the_api_show_the_same_suppressed_table_as_the_page(client, leader, counted):
    client.force_login(leader)
    rows = {(row[0], row[1], row[2]): row[-1] for row in _csv(client)[1:]}
    assert rows["download", "All artwork", ""] == "84"
    assert rows["download", "Spring banner", "linkedin-banner"] == "41"
    assert rows["download", "Autumn logo", "original"] == "fewer than 5"
    # Autumn's 3 alone would follow from its total of 20: the 17 is hidden with it.
    assert rows["download", "Autumn logo", "x-header"] == "hidden"
    assert rows["download", "Autumn logo", "all"] == "20"
    assert rows["download", "Spring banner", "avatar-small"] == "fewer than 5"
    api = client.get(reverse("tracking:api")).json()
    autumn = {
        row["preset"]: row["counts"][-1]
        for row in api["kinds"]["download"]
        if row["artwork"] == "Autumn logo"
    }
    assert (autumn["all"], autumn["original"], autumn["x-header"]) == (20, "fewer than 5", "hidden")


def test_a_raised_k_hides_more_and_says_so(client, leader, counted, settings):
    settings.TRACKING_MIN_COUNT = 20
    client.force_login(leader)
    rows = {(row[0], row[1], row[2]): row[-1] for row in _csv(client)[1:]}
    assert rows["download", "Autumn logo", "x-header"] == "fewer than 20"


@pytest.mark.parametrize("name", ["dashboard", "dashboard-csv", "api"])
def test_employees_and_marketing_may_not_see_uptake(client, employee, marketer, name):
    for user in (employee, marketer):
        client.force_login(user)
        assert client.get(reverse(f"tracking:{name}")).status_code == 403


def test_a_superuser_sees_uptake_and_the_menu_links_it(client, staff, db):
    client.force_login(staff)
    response = client.get(reverse("tracking:dashboard"))
    assert response.status_code == 200
    assert reverse("tracking:dashboard") in response.content.decode()


def test_the_asset_page_offers_an_unticked_box_the_promise_and_what_we_count(client, employee):
    asset = make_asset()
    client.force_login(employee)
    page = client.get(asset.get_absolute_url()).content.decode()
    box = re.search(r"<input[^>]*data-count-optin[^>]*>", page).group(0)
    assert "checked" not in box
    assert "Count this anonymously" in page
    assert "I&#x27;m using this" in page or "I'm using this" in page
    assert (
        "Counting is optional. If you choose to be counted, we add one to a number for this "
        "artwork and this week. We never store who you are, and leadership only sees totals "
        "of 5 or more, after the week has ended."
    ) in page
    assert f'href="{reverse("policies:page", args=["what-this-portal-keeps"])}"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


def test_the_promise_on_the_asset_page_states_the_threshold_in_force(client, employee, settings):
    settings.TRACKING_MIN_COUNT = 10
    asset = make_asset()
    client.force_login(employee)
    assert "only sees totals of 10 or more" in client.get(asset.get_absolute_url()).content.decode()


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(client, leader, db):
    make_asset(title='=HYPERLINK("http://example.com")')
    client.force_login(leader)
    titles = [row[1] for row in _csv(client)[1:]]
    assert '\'=HYPERLINK("http://example.com")' in titles
    assert not any(title.startswith("=") for title in titles)


def test_weeks_released_by_the_hourly_task_need_no_count_query_when_read(client, leader, counted):
    release_closed_weeks.delay()
    client.force_login(leader)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("tracking:dashboard")).content.decode()
    assert ">41<" in page
    assert not [query for query in queries if "tracking_count" in query["sql"]]
