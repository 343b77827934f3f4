"""The opt-in count in Chromium: it waits in the browser, survives leaving the page, and is
withdrawn by unticking; signing out leaves nothing for the next person."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tracking.models import week_of
from tracking.tally import week_counts

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LATER = 21_000  # ms: past the longest random delay


def _waiting() -> dict:
    return week_counts(week_of(timezone.localdate()))


def _queue(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('portal.count-queue') || '[]')")


@pytest.fixture
def asset_page(browser_as, employee, library, real_services):
    context = browser_as(employee, viewport={"width": 1200, "height": 820})
    counts = []
    context.on("request", lambda r: counts.append(r) if r.url.endswith("/count/") else None)
    page = context.new_page()
    page.clock.install()
    page.goto(library["photo"].get_absolute_url())
    page.get_by_label("Count this anonymously").check()
    return page, counts, library["photo"]


def _download_banner(page) -> None:
    with page.expect_download():
        page.locator('a[data-count-preset="linkedin-banner"]').first.click()


def test_a_count_waits_and_is_sent_from_the_next_page_once_without_cookies(asset_page):
    page, counts, photo = asset_page
    _download_banner(page)
    _download_banner(page)  # the same size twice in a week counts once
    assert len(_queue(page)) == 1
    page.goto("/")  # leaving the page before the moment comes
    with page.expect_response(lambda r: r.url.endswith("/count/")) as sent:
        page.clock.run_for(LATER)
    assert sent.value.status == 204
    assert "cookie" not in {name.lower() for name in sent.value.request.all_headers()}
    assert _waiting() == {("download", photo.pk, "linkedin-banner"): 1}
    assert _queue(page) == [] and len(counts) == 1


def test_unticking_withdraws_counts_not_sent_yet(asset_page):
    page, counts, _ = asset_page
    _download_banner(page)
    page.get_by_label("Count this anonymously").uncheck()
    page.clock.run_for(LATER)
    assert _queue(page) == [] and counts == [] and _waiting() == {}


def test_signing_out_clears_the_choice_and_the_waiting_counts(asset_page, browser_as, employee):
    page, counts, photo = asset_page
    _download_banner(page)
    page.get_by_role("button", name="I'm using this").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('portal.count'))")
    assert stored == [] and _queue(page) == []
    page.clock.run_for(LATER)
    assert counts == [] and _waiting() == {}
    # The next person on this browser finds the box unticked.
    page.context.add_cookies(browser_as(employee).cookies())
    page.goto(photo.get_absolute_url())
    expect(page.get_by_label("Count this anonymously")).not_to_be_checked()
    expect(page.get_by_role("button", name="I'm using this")).to_be_enabled()
