"""Leadership in Chromium: the uptake page reads at a glance on a laptop and a phone, passes axe."""

import datetime
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from assets.models import Asset
from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.factories import make_asset, make_release
from tracking.models import iso_week, week_of
from tracking.services import demo_weeks_release

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def uptake(library):
    """Twelve released weeks, some numbers below the threshold, and quiet artworks."""
    this_week = week_of(timezone.localdate())
    quiet = [make_asset(title=f"Quiet poster {n}") for n in range(4)]
    for back in range(1, 13):
        make_release(
            this_week - datetime.timedelta(weeks=back),
            downloads={
                library["photo"]: {"linkedin-banner": 6 + 3 * back, "avatar-large": 14 - back},
                library["logo"]: {"": 2 + back},
                library["team"]: {"video-background": 9},
                quiet[0]: {"": 2},
            },
            using={library["photo"]: 5 + back},
        )
    return this_week


def test_leadership_reads_the_uptake_page_and_downloads_the_csv(
    browser_as, leader, uptake, screenshot
):
    context = browser_as(leader, viewport={"width": 1200, "height": 900})
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.goto("/uptake/")
    expect(page.get_by_role("heading", name="Uptake", exact=True)).to_be_visible()
    artworks = page.locator(".uptake-artwork > tr:first-child th.artwork")
    expect(artworks).to_have_text(["Harbour at dawn", "Team offsite", "Wordmark"])
    expect(page.get_by_text("4 artworks below the threshold every week.")).to_be_visible()
    # Oldest week on the left, in the table as in the chart.
    expect(page.locator("th.week").last).to_have_text(
        iso_week(uptake - datetime.timedelta(weeks=1))
    )
    size = page.get_by_role("row", name="LinkedIn: banner")
    expect(size).to_be_hidden()
    page.get_by_text("Harbour at dawn").click()
    expect(size).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    screenshot(page, "dashboard")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "uptake.csv"
    table = Path(download.value.path()).read_text()
    assert iso_week(uptake - datetime.timedelta(weeks=1)) in table and iso_week(uptake) not in table
    assert table.splitlines()[0] == "week,kind,artwork,size,count,status,demo"
    assert all(line.count(",") >= 6 for line in table.splitlines()), "data only, no legend"


def test_the_chart_and_the_table_run_the_same_way_with_the_same_numbers(browser_as, leader, uptake):
    page = browser_as(leader, viewport={"width": 1200, "height": 900}).new_page()
    page.goto("/uptake/")
    bars = page.locator(".uptake-chart rect title").all_text_contents()
    weeks = page.locator("th.week").all_text_contents()
    totals = page.locator(".uptake-total td:not(.total):not(.trend)").all_text_contents()
    assert [bar.split(":")[0] for bar in bars] == weeks
    assert [bar.split("about ")[-1] for bar in bars] == totals


def test_a_first_visit_after_the_demo_shows_weeks_marked_demo_data(
    browser_as, leader, library, screenshot
):
    # The demo's artwork has been in the library for a while, as load_demo makes it.
    Asset.objects.update(created_at=F("created_at") - datetime.timedelta(weeks=10))
    released = demo_weeks_release()
    page = browser_as(leader, viewport={"width": 1200, "height": 900}).new_page()
    page.goto("/uptake/")
    first, last = iso_week(released[0].week), iso_week(released[-1].week)
    expect(page.locator(".uptake-demo")).to_have_text(
        f"Demo data {first} to {last} hold made-up counts, loaded with the demo library: "
        "nobody downloaded these."
    )
    expect(page.locator("th.week .demo-tag")).to_have_count(6)
    expect(page.locator(".uptake-artwork").first).to_be_visible()
    screenshot(page, "dashboard-demo")


def test_on_a_phone_the_numbers_are_readable_and_the_artwork_stays_in_view(
    browser_as, leader, uptake, screenshot
):
    page = browser_as(leader, viewport={"width": 375, "height": 740}).new_page()
    page.goto("/uptake/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    cell = page.locator(".uptake-artwork td").nth(2)
    assert float(cell.evaluate("c => getComputedStyle(c).fontSize").removesuffix("px")) >= 15
    # The chart shrinks to the phone's width: its week labels still render at a readable size.
    label = page.locator(".uptake-chart text.axis").last
    assert label.bounding_box()["height"] >= 9
    page.locator(".table-scroll").evaluate("box => { box.scrollLeft = 600; }")
    name = page.locator(".uptake-artwork > tr:first-child th.artwork").first
    box = name.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, "the artwork column stays in view"
    page.locator(".table-scroll").scroll_into_view_if_needed()
    screenshot(page, "dashboard-phone")


def test_with_nothing_released_the_page_is_short_and_says_so(browser_as, leader, library):
    page = browser_as(leader, viewport={"width": 1200, "height": 900}).new_page()
    page.goto("/uptake/")
    expect(page.get_by_role("heading", name="Nothing published yet")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollHeight") < 1200


def test_the_charts_axis_numbers_read_whole_on_a_phone_in_german(browser_as, leader, library):
    last_week = week_of(timezone.localdate()) - datetime.timedelta(weeks=1)
    make_release(last_week, downloads={library["photo"]: {"": 15000}})
    context = browser_as(leader, viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    page.goto("/uptake/")
    chart = page.locator(".uptake-chart svg").bounding_box()
    lefts = page.eval_on_selector_all(
        ".uptake-chart text[text-anchor=end]", "els => els.map(e => e.getBBox().x)"
    )
    assert ">20000<" in page.locator(".uptake-chart svg").inner_html()
    assert chart["width"] < 390 and min(lefts) >= 0
