"""Leadership in Chromium: the uptake dashboard reads well, passes axe, and gives its CSV."""

import datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, RUN_AXE
from tracking.models import Count, iso_week, week_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def uptake(library):
    """Six closed weeks of counts, some below the threshold, and this week's, never shown."""
    cache.clear()  # closed weeks' releases are cached for good; these weeks are this test's
    this_week = week_of(timezone.localdate())
    for back in range(1, 7):
        week = this_week - datetime.timedelta(weeks=back)
        for asset, preset, n in [
            (library["photo"], "linkedin-banner", 6 + 3 * back),
            (library["photo"], "avatar-frame", 12 - back),
            (library["logo"], "", 2 + back),
            (library["team"], "video-background", 9),
        ]:
            Count.objects.create(asset=asset, preset=preset, kind="download", week=week, n=n)
        Count.objects.create(asset=library["photo"], kind="using", week=week, n=5 + back)
    Count.objects.create(asset=library["photo"], kind="download", week=this_week, n=7777)
    return this_week


def test_leadership_reads_the_dashboard_and_downloads_the_csv(
    browser_as, leader, uptake, screenshot
):
    context = browser_as(leader, viewport={"width": 1200, "height": 820})
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.goto("/uptake/")
    expect(page.get_by_role("heading", name="Uptake")).to_be_visible()
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    assert "7777" not in page.content()
    assert page.evaluate(RUN_AXE) == []
    screenshot(page, "dashboard")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "uptake.csv"
    table = Path(download.value.path()).read_text()
    assert iso_week(uptake - datetime.timedelta(weeks=1)) in table
    assert "7777" not in table and iso_week(uptake) not in table
