"""The review flow in Chromium: a marketer submits, a brand lead sends back, then approves."""

import pytest
from playwright.sync_api import expect

from assets.models import Asset, Collection
from tests.factories import make_asset

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_draft_is_sent_back_fixed_approved_and_published(
    browser_as, marketer, brand_lead, employee
):
    reviewed = Collection.objects.create(name="Campaign", slug="campaign", requires_review=True)
    poster = make_asset(title="Poster", collection=reviewed, status=Asset.Status.DRAFT)
    marketing = browser_as(marketer).new_page()
    lead = browser_as(brand_lead).new_page()

    marketing.goto(poster.get_absolute_url())
    expect(marketing.get_by_text("Publishing waits for a brand lead")).to_be_visible()
    marketing.get_by_role("button", name="Submit for review").click()
    expect(marketing.locator("[data-review-state]")).to_have_text(
        "This version waits for a brand lead."
    )

    lead.goto("/review/")
    lead.get_by_role("link", name="Poster").click()
    lead.get_by_label("Comment (needed to send it back)").fill("Make the logo bigger.")
    lead.get_by_role("button", name="Send back").click()
    expect(lead.locator("[data-review-state]")).to_have_text("This version was sent back.")

    marketing.reload()
    expect(marketing.locator(".review-history")).to_contain_text("Make the logo bigger.")
    marketing.get_by_role("button", name="Submit for review").click()

    lead.goto("/review/")
    lead.get_by_role("link", name="Poster").click()
    lead.get_by_role("button", name="Approve").click()
    expect(lead.locator("[data-review-state]")).to_have_text("This version is approved.")

    marketing.reload()
    marketing.get_by_role("button", name="Publish").click()
    expect(marketing.get_by_text("is published: employees can see it now")).to_be_visible()

    reader = browser_as(employee).new_page()
    reader.goto(poster.get_absolute_url())
    expect(reader.get_by_role("heading", name="Poster")).to_be_visible()
    expect(reader.locator(".review")).to_have_count(0)
