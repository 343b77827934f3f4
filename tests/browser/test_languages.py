"""German on a phone: long words break at syllables instead of pushing the page sideways."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    """How far the page reaches past the viewport's right edge, in CSS pixels."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("where", ["home", "asset"])
def test_german_pages_fit_a_390_pixel_phone(browser_as, employee, library, where):
    context = browser_as(employee, viewport=PHONE, locale="de-DE")
    page = context.new_page()
    page.goto("/" if where == "home" else library["photo"].get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("footer")).to_contain_text("Sprache")
    assert overflow(page) <= 0


def test_the_picker_in_the_footer_switches_the_page_to_french(browser_as, employee, library):
    context = browser_as(employee, viewport=PHONE, locale="de-DE")
    page = context.new_page()
    page.goto(library["photo"].get_absolute_url())
    page.select_option("#language-choice", "fr")
    page.get_by_role("button", name="Ändern").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.wait_for_url(f"**{library['photo'].get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Harbour at dawn")
    expect(page.get_by_role("link", name="Télécharger").first).to_be_visible()
    assert overflow(page) <= 0


def test_the_scripts_speak_german_too(browser_as, employee, library):
    context = browser_as(employee, viewport=PHONE, locale="de-DE")
    page = context.new_page()
    page.goto(library["photo"].get_absolute_url())
    assert page.evaluate("gettext('Copied.')") == "Kopiert."
