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
        bodies={"en": "## Typography\nSet headings in the system font, bold."},
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


def test_a_marketer_sets_a_colour_with_the_picker_or_its_hex_field_row_by_row(
    browser_as, marketer, spring
):
    page = browser_as(marketer, viewport={"width": 1100, "height": 900}).new_page()
    page.goto("/collections/spring/guidelines/edit/")
    expect(page.get_by_label("Colours")).to_be_hidden()  # the rows write it
    expect(page.get_by_label("Name")).to_have_count(2)
    expect(page.get_by_label("HEX").first).to_have_value("#1A4FD8")
    expect(page.get_by_label("Colour", exact=True).first).to_have_value("#1a4fd8")

    page.get_by_role("button", name="Add a colour").click()
    page.get_by_label("Name").nth(2).fill("Sea")
    page.get_by_label("HEX").nth(2).fill("#13807A")
    expect(page.get_by_label("Colour", exact=True).nth(2)).to_have_value("#13807a")
    page.get_by_label("C M Y K").nth(2).fill("85 0 40 50")
    page.get_by_label("Colour", exact=True).nth(1).fill("#f2e3c6")  # the picker, on Paper
    expect(page.get_by_label("HEX").nth(1)).to_have_value("#F2E3C6")
    page.get_by_role("button", name="Save").click()

    page.goto("/collections/spring/guidelines/")
    for value in ("#1A4FD8", "#F2E3C6", "#13807A"):
        expect(page.get_by_role("button", name=value)).to_be_visible()
