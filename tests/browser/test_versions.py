"""Versions in Chromium: two files of one artwork side by side, each picture loaded."""

import pytest

from assets.services import asset_replace_file
from tests.browser.test_accessibility import AXE, violations
from tests.factories import image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_marketer_compares_two_versions_and_both_pictures_show(browser_as, marketer, library):
    asset = library["team"]
    asset_replace_file(
        asset=asset,
        file=upload("team-v2.jpg", image_bytes("JPEG", (800, 450))),
        filename="team-v2.jpg",
        replaced_by=marketer,
        note="Brighter sky",
    )
    context = browser_as(marketer)
    context.add_init_script(path=AXE)
    page = context.new_page()
    assert violations(page, f"/library/{asset.slug}/versions/compare/") == []
    pictures = page.locator(".compare-side img")
    assert pictures.count() == 2
    for number in range(2):
        picture = pictures.nth(number)
        picture.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
        )
    assert "Brighter sky" in page.locator(".compare-versions").inner_text()
    assert violations(page, f"/library/{asset.slug}/edit/") == []
