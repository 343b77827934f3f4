"""The banner's close button, in a real browser: remembered there, never on the server."""

import pytest
from django.urls import reverse

from tests.factories import make_announcement


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_closed_banner_stays_closed_in_that_browser_only(browser_as, employee):
    make_announcement(title="Spring frames are in").publish()
    home = reverse("assets:home")

    first = browser_as(employee)
    page = first.new_page()
    page.goto(home)
    banner = page.get_by_role("region", name="Spring frames are in")
    banner.get_by_role("button", name="Close").click()
    assert banner.is_hidden()
    page.reload()
    assert page.get_by_text("Spring frames are in").is_hidden()

    # Same session, another browser: the server knows nothing of the closing.
    second = browser_as(employee)
    second.add_cookies(first.cookies())
    other = second.new_page()
    other.goto(home)
    assert other.get_by_text("Spring frames are in").is_visible()
