import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset, make_release
from tracking.models import iso_week, week_of

THIS_WEEK = week_of(timezone.localdate())
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)
WEEK_BEFORE = LAST_WEEK - datetime.timedelta(weeks=1)


@pytest.fixture
def released(db):
    """Two published weeks; the week before last is not released yet."""
    spring = make_asset(title="Spring banner")
    autumn = make_asset(title="Autumn logo")
    quiet = [make_asset(title=f"Quiet {n}") for n in range(3)]
    make_release(
        LAST_WEEK,
        downloads={spring: {"linkedin-banner": 41, "": 23}, autumn: {"": 3, "x-header": 17}},
        using={spring: 12},
    )
    make_release(
        LAST_WEEK - datetime.timedelta(weeks=2),
        downloads={spring: {"linkedin-banner": 9}, quiet[0]: {"": 2}},
    )
    return spring, autumn


def _csv(client, **params):
    response = client.get(reverse("tracking:dashboard-csv"), params)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _page(client, **params) -> str:
    return client.get(reverse("tracking:dashboard"), params).content.decode()


def test_leadership_sees_about_n_sorted_by_uptake_with_weeks_in_the_charts_order(
    client, leader, released
):
    client.force_login(leader)
    page = _page(client)
    assert page.index("Spring banner") < page.index("Autumn logo")
    assert "about 73" in page  # 64 last week and 9 three weeks ago
    all_artwork = page.split('class="uptake-total"')[1].split("</tbody>")[0]
    assert "about 95" in all_artwork  # 84 last week and 11 three weeks ago, every artwork
    # Oldest on the left, as in the chart above the table.
    weeks = re.findall(r'<th scope="col" class="week">([^<]+)</th>', page)
    assert weeks[-3:] == [
        iso_week(WEEK_BEFORE - datetime.timedelta(weeks=1)),
        iso_week(WEEK_BEFORE),
        iso_week(LAST_WEEK),
    ]
    assert len(weeks) == 12
    bars = re.findall(r'<rect class="bar[^"]*"[^>]*><title>([^<:]+):', page)
    assert bars == weeks
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]


def test_sizes_are_named_as_the_asset_page_names_them_never_by_slug(client, leader, released):
    client.force_login(leader)
    page = _page(client)
    assert "LinkedIn: banner" in page and "X: header" in page
    assert "Profile background" not in page
    assert "linkedin-banner" not in page and "x-header" not in page
    assert "<details><summary>Spring banner</summary></details>" in page


def test_artworks_below_the_threshold_every_week_fold_into_one_line(client, leader, released):
    client.force_login(leader)
    page = _page(client)
    assert "3 artworks below the threshold every week." in page
    assert "Quiet 1" not in page


def test_a_week_not_released_yet_says_so_and_hidden_ones_read_fewer_than_k(
    client, leader, released
):
    client.force_login(leader)
    page = _page(client)
    assert '<abbr title="not released yet">' in page
    assert '<abbr title="fewer than 5">&lt;5</abbr>' in page


def test_with_nothing_released_the_page_says_so_plainly(client, leader, db):
    make_asset(title="Spring banner")
    client.force_login(leader)
    page = _page(client)
    assert "Nothing published yet" in page
    assert "<table" not in page and "Spring banner" not in page


def test_the_chart_has_week_labels_and_an_axis(client, leader, released):
    client.force_login(leader)
    page = _page(client)
    chart = page[page.index('<figure class="uptake-chart">') :]
    chart = chart[: chart.index("</figure>")]
    assert f">W{LAST_WEEK.isocalendar()[1]:02d}</text>" in chart
    assert f"to {iso_week(LAST_WEEK)}, oldest week on the left" in chart
    assert 'class="axis-line"' in chart and ">0</text>" in chart


def test_the_in_use_view_shows_the_in_use_numbers(client, leader, released):
    client.force_login(leader)
    page = _page(client, kind="using")
    assert "In use, all artwork" in page
    assert "about 12" in page and "Autumn logo" not in page


def test_the_current_week_appears_nowhere(client, leader, released):
    client.force_login(leader)
    page = _page(client, weeks=52)
    rows = _csv(client, weeks=52)
    api = client.get(reverse("tracking:api"), {"weeks": 52}).json()
    for text in (page, repr(rows), repr(api)):
        assert iso_week(THIS_WEEK) not in text
    assert api["weeks"][0] == iso_week(LAST_WEEK)


def test_the_csv_is_one_header_row_then_data_only_with_one_row_per_key(client, leader, released):
    client.force_login(leader)
    rows = _csv(client)
    assert rows[0] == ["week", "kind", "artwork", "size", "count", "status", "demo"]
    records = rows[1:]
    assert all(len(row) == 7 for row in records), "no legend or blank line after the data"
    keys = [tuple(row[:4]) for row in records]
    assert len(set(keys)) == len(keys)
    for row in records:
        assert row[4] == "" or row[4].isdigit(), row
        assert (row[4] != "") == (row[5] in ("shown", "the rest")), row
    by_key = {(row[0], row[1], row[2], row[3]): (row[4], row[5]) for row in records}
    last = iso_week(LAST_WEEK)
    assert by_key[last, "download", "All artwork", ""] == ("84", "shown")
    assert by_key[last, "download", "Spring banner", "LinkedIn: banner"] == (
        "41",
        "shown",
    )
    assert by_key[last, "download", "Autumn logo", ""] == ("20", "shown")
    assert by_key[iso_week(WEEK_BEFORE), "download", "Spring banner", ""] == ("", "not released")
    assert {row[6] for row in records} == {"no"}


def test_the_csv_links_the_json_that_holds_its_legend(client, leader, released):
    client.force_login(leader)
    response = client.get(reverse("tracking:dashboard-csv"), {"weeks": 26})
    link = response["Link"]
    assert (
        link == f'<{reverse("tracking:api")}?weeks=26>; rel="describedby"; type="application/json"'
    )
    legend = client.get(reverse("tracking:api"), {"weeks": 26}).json()["legend"]
    assert "fewer than 5" in legend and "the rest" in legend


def test_the_api_gives_the_same_records_as_the_csv(client, leader, released):
    client.force_login(leader)
    rows = _csv(client)[1:]
    api = client.get(reverse("tracking:api")).json()
    as_rows = [
        [
            r["week"],
            r["kind"],
            r["artwork"],
            r["size"] or "",
            "" if r["count"] is None else str(r["count"]),
            r["status"],
            "yes" if r["demo"] else "no",
        ]
        for r in api["records"]
    ]
    assert as_rows == rows
    assert "fewer than 5" in api["legend"]


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
    # One setting for every artwork, and the page says so where it is ticked.
    assert "Count my downloads anonymously — on every artwork, until I sign out or untick" in page
    assert "One setting for all artwork in this browser" in page
    assert "thank" not in page.lower()
    assert "I&#x27;m using this" in page or "I'm using this" in page
    assert (
        "Counting is optional. If you choose to be counted, we add one to a number for this "
        "artwork and this week. We never store who you are, and leadership only sees totals "
        "of 5 or more, after the week has ended."
    ) in page
    assert f'href="{reverse("policies:page", args=["what-this-portal-keeps"])}"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


def test_every_portal_page_loads_the_script_that_sends_waiting_counts(client, employee):
    client.force_login(employee)
    page = client.get(reverse("assets:home")).content.decode()
    script = re.search(r'<script src="[^"]*count\.[^"]*js" data-count-url="/count/"[^>]*>', page)
    # Signed in with a role: it also fetches the week's tokens, from these addresses.
    assert 'data-tokens-key-url="/tokens/key/"' in script.group(0)
    assert 'data-tokens-issue-url="/tokens/issue/"' in script.group(0)


def test_a_signed_out_page_sends_waiting_counts_but_fetches_no_tokens(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    script = re.search(r'<script src="[^"]*count\.[^"]*js" data-count-url="/count/"[^>]*>', page)
    assert "data-tokens" not in script.group(0)


def test_the_promise_on_the_asset_page_states_the_threshold_in_force(client, employee, settings):
    settings.TRACKING_MIN_COUNT = 10
    asset = make_asset()
    client.force_login(employee)
    assert "only sees totals of 10 or more" in client.get(asset.get_absolute_url()).content.decode()


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(client, leader, db):
    asset = make_asset(title='=HYPERLINK("http://example.com")')
    make_release(LAST_WEEK, downloads={asset: {"": 30}})
    client.force_login(leader)
    titles = {row[2] for row in _csv(client)[1:]}
    assert '\'=HYPERLINK("http://example.com")' in titles
    assert not any(title.startswith("=") for title in titles)


def test_the_chart_draws_in_german_too_with_svg_numbers_and_german_words(client, leader, released):
    client.force_login(leader)
    page = client.get(reverse("tracking:dashboard"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    chart = page[page.index('<figure class="uptake-chart">') :]
    chart = chart[: chart.index("</figure>")]
    # A decimal comma in an SVG coordinate is no number: the bars and labels would vanish.
    assert re.search(r'<rect class="bar" x="\d+(\.\d+)?" y="\d+(\.\d+)?"', chart)
    assert not re.search(r'(x|y|width|height)="[\d.]*,', chart)
    assert f"bis {iso_week(LAST_WEEK)}, älteste Woche links" in chart
