"""Brand guidelines in Chromium: a swatch copies its value by click and by keyboard."""

import pytest
from playwright.sync_api import expect

from assets.models import Collection
from guidelines.models import parse_swatches
from guidelines.services import guideline_save
from tests.browser.test_accessibility import AXE, violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def spring() -> Collection:
    collection = Collection.objects.create(name="Spring", slug="spring")
    guideline_save(
        collection=collection,
        body="## Typography\nSet headings in the system font, bold.",
        swatches=parse_swatches(
            "Sky | #1A4FD8 | 90 65 0 0 | Pantone 2728 C\nPaper | #FFFFFF | 0 0 0 0"
        ),
        dont_examples=[],
    )
    return collection


def test_an_employee_copies_a_colour_with_one_click_and_by_keyboard(
    browser_as, employee, spring, screenshot
):
    context = browser_as(employee, viewport={"width": 1100, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    page.goto("/collections/spring/guidelines/")

    page.get_by_role("button", name="#1A4FD8").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text(
        "Copied Sky HEX: #1A4FD8"
    )
    assert page.evaluate("navigator.clipboard.readText()") == "#1A4FD8"
    screenshot(page, "guidelines")

    page.get_by_role("button", name="C90 M65 Y0 K0").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text(
        "Copied Sky CMYK: C90 M65 Y0 K0"
    )
    assert page.evaluate("navigator.clipboard.readText()") == "C90 M65 Y0 K0"
    assert refused == []  # the strict CSP blocked nothing the page needs


def test_guideline_pages_have_no_accessibility_violations(browser_as, marketer, spring):
    context = browser_as(marketer)
    context.add_init_script(path=AXE)
    page = context.new_page()
    for path in [
        "/collections/spring/guidelines/",
        "/collections/spring/guidelines/history/",
        "/collections/spring/guidelines/edit/",
        "/?collection=spring",
    ]:
        assert violations(page, path) == [], path
