"""A share link in Chromium: marketing makes one, someone outside opens it signed out."""

import pytest
from playwright.sync_api import expect

from sharing.services import share_link_create
from tests.browser.test_accessibility import AXE, violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_marketer_makes_a_share_link_and_an_agency_opens_it_without_an_account(
    browser_as, chromium, live_server, marketer, library
):
    page = browser_as(marketer).new_page()
    page.goto("/library/share-links/")
    page.get_by_label("Who it is for").fill("Nordlys agency")
    page.get_by_label("A whole collection").select_option(label="Banners")
    page.get_by_label("Password (optional)").fill("tern-gull-skerry")
    page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("The new share link").input_value()
    expect(page.get_by_role("table")).to_contain_text("Nordlys agency")

    outside = chromium.new_context()
    requests: list[str] = []
    outside.on("request", lambda request: requests.append(request.url))
    agency = outside.new_page()
    agency.goto(link)
    agency.get_by_label("Password").fill("tern-gull-skerry")
    agency.get_by_role("button", name="Open").click()
    expect(agency.get_by_role("heading", name="Wordmark")).to_be_visible()
    expect(agency.get_by_role("heading", name="Team offsite")).to_be_visible()
    expect(agency.get_by_role("heading", name="Harbour at dawn")).to_have_count(0)
    with agency.expect_download() as download:
        agency.get_by_role("link", name="LinkedIn").first.click()
    assert download.value.path().stat().st_size > 0

    assert outside.cookies() == []
    assert not [url for url in requests if "/count" in url or "privacypass" in url]
    outside.close()


def test_share_pages_have_no_accessibility_violations(
    browser_as, chromium, live_server, marketer, library
):
    _, secret = share_link_create(
        created_by=marketer, name="Nordlys agency", assets=[library["photo"]], days=14
    )
    marketing = browser_as(marketer)
    marketing.add_init_script(path=AXE)
    page = marketing.new_page()
    assert violations(page, "/library/share-links/") == []
    outside = chromium.new_context(base_url=live_server.url)
    outside.add_init_script(path=AXE)
    assert violations(outside.new_page(), f"/share/{secret}/") == []
    outside.close()


def test_the_new_link_and_the_live_links_fit_a_phone_in_german(browser_as, marketer, library):
    share_link_create(
        created_by=marketer, name="Agentur Nordlys, Frühjahr", assets=[library["photo"]], days=14
    )
    page = browser_as(marketer, viewport={"width": 390, "height": 844}, locale="de-DE").new_page()
    page.goto("/library/share-links/")
    page.get_by_label("Für wen der Link ist").fill("Freischaffende Fotografin")
    page.get_by_label("Harbour at dawn").check()
    page.get_by_role("button", name="Link erstellen").click()
    link = page.get_by_label("Der neue Link zum Teilen")
    # The whole link can be seen and copied, and the table ends inside the page.
    assert link.evaluate(
        "box => box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight"
    )
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    end = page.get_by_role("button", name="Jetzt beenden").first.bounding_box()
    assert end["x"] + end["width"] <= 390
