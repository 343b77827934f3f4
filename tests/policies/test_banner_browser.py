"""The banner's close button, in a real browser: remembered there, never on the server."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import sync_playwright

from tests.factories import make_announcement

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
    reason=f"needs Debian's Chromium at {CHROMIUM}",
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_closed_banner_stays_closed_in_that_browser_only(live_server, client, employee):
    make_announcement(title="Spring frames are in").publish()
    client.force_login(employee)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    home = live_server.url + reverse("assets:home")
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        first = browser.new_context()
        first.add_cookies([cookie])
        page = first.new_page()
        page.goto(home)
        banner = page.get_by_role("region", name="Spring frames are in")
        banner.get_by_role("button", name="Close").click()
        assert banner.is_hidden()
        page.reload()
        assert page.get_by_text("Spring frames are in").is_hidden()

        # Same account, another browser: the server knows nothing of the closing.
        second = browser.new_context()
        second.add_cookies([cookie])
        other = second.new_page()
        other.goto(home)
        assert other.get_by_text("Spring frames are in").is_visible()
        browser.close()
