"""Review in collections that require it: marketing submits, a brand lead decides."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import BRAND_LEAD, MARKETING
from accounts.services import provider_user_sign_in
from assets.models import Asset, Collection, Review
from assets.services import asset_replace_file
from audit.models import AuditEntry
from tests.factories import edit_page_fields, make_asset, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed():
    return Collection.objects.create(name="Campaign", slug="campaign", requires_review=True)


@pytest.fixture
def draft(reviewed):
    return make_asset(title="Poster", collection=reviewed, status=Asset.Status.DRAFT)


def post(client, user, path: str, **data):
    client.force_login(user)
    return client.post(path, data, follow=True)


def status_of(asset: Asset) -> str:
    asset.refresh_from_db()
    return asset.status


def test_a_draft_in_a_reviewed_collection_cannot_be_published_before_approval(
    client, marketer, draft
):
    response = post(client, marketer, f"/library/{draft.slug}/publish/")
    assert "approval of this version" in response.content.decode()
    assert status_of(draft) == Asset.Status.DRAFT


def test_submitted_then_approved_it_can_be_published(client, marketer, brand_lead, draft, employee):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    client.force_login(brand_lead)
    assert [a.title for a in client.get("/review/").context["waiting"]] == ["Poster"]
    post(client, brand_lead, f"/library/{draft.slug}/review/approve/", comment="Lovely")
    post(client, marketer, f"/library/{draft.slug}/publish/")
    assert status_of(draft) == Asset.Status.PUBLISHED


def test_sent_back_needs_a_comment_and_shows_it_to_marketing(client, marketer, brand_lead, draft):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    refused = post(client, brand_lead, f"/library/{draft.slug}/review/send-back/", comment=" ")
    assert "say what to change" in refused.content.decode()
    post(client, brand_lead, f"/library/{draft.slug}/review/send-back/", comment="Logo too small")
    client.force_login(marketer)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Logo too small" in page
    assert "by bea" in page
    assert "This version was sent back." in page
    post(client, marketer, f"/library/{draft.slug}/publish/")
    assert status_of(draft) == Asset.Status.DRAFT


def test_a_new_version_needs_a_new_approval(client, marketer, brand_lead, draft):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    post(client, brand_lead, f"/library/{draft.slug}/review/approve/")
    asset_replace_file(asset=draft, file=upload(), filename="new.jpg", replaced_by=marketer)
    post(client, marketer, f"/library/{draft.slug}/publish/")
    assert status_of(draft) == Asset.Status.DRAFT
    page = post(client, marketer, f"/library/{draft.slug}/review/submit/").content.decode()
    assert "This version waits for a brand lead." in page


def test_only_a_submitted_version_can_be_approved(client, brand_lead, draft):
    response = post(client, brand_lead, f"/library/{draft.slug}/review/approve/")
    assert "not waiting for review" in response.content.decode()
    assert not draft.reviews.exists()


def test_publishing_on_upload_keeps_a_reviewed_collections_artwork_a_draft(
    client, marketer, reviewed
):
    client.force_login(marketer)
    client.post(
        "/library/upload/", {"files": [upload()], "collection": reviewed.pk, "publish": "on"}
    )
    assert Asset.objects.get().status == Asset.Status.DRAFT


def test_a_collection_without_review_publishes_as_before(client, marketer):
    asset = make_asset(status=Asset.Status.DRAFT)
    post(client, marketer, f"/library/{asset.slug}/publish/")
    assert status_of(asset) == Asset.Status.PUBLISHED


def test_employees_never_see_the_review(client, marketer, brand_lead, employee, reviewed):
    asset = make_asset(title="Live", collection=reviewed)
    Review.objects.create(asset=asset, action=Review.Action.APPROVED, by=brand_lead, comment="ok")
    client.force_login(employee)
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Review" not in page
    assert "bea" not in page


def test_a_brand_lead_sees_a_submitted_draft_page(client, marketer, brand_lead, draft):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    client.force_login(brand_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Approve" in page
    assert f"/library/{draft.slug}/publish/" not in page


def test_the_identity_provider_maps_the_brand_lead_role(django_user_model):
    user = provider_user_sign_in(issuer="https://id.example", subject="x", roles={BRAND_LEAD})
    assert list(user.groups.values_list("name", flat=True)) == [BRAND_LEAD]
    assert user.has_perm("assets.review_asset")
    assert not user.has_perm("assets.publish_asset")
    user = provider_user_sign_in(issuer="https://id.example", subject="x", roles={MARKETING})
    assert list(user.groups.values_list("name", flat=True)) == [MARKETING]
    assert Group.objects.filter(name=BRAND_LEAD).exists()


def test_a_new_version_of_published_reviewed_artwork_waits_as_a_draft(
    client, marketer, reviewed, employee
):
    live = make_asset(title="Live", collection=reviewed)
    client.force_login(marketer)
    response = client.post(
        f"/library/{live.slug}/new-version/", {"file": upload("new.jpg")}, follow=True
    )
    assert "a draft again until a brand lead approves" in response.content.decode()
    assert status_of(live) == Asset.Status.DRAFT
    client.force_login(employee)
    assert client.get(live.get_absolute_url()).status_code == 404


def test_the_library_filters_and_counts_by_review_state(client, marketer, brand_lead, reviewed):
    waiting = make_asset(title="Waiting", collection=reviewed, status=Asset.Status.DRAFT)
    make_asset(title="Untouched", collection=reviewed, status=Asset.Status.DRAFT)
    post(client, marketer, f"/library/{waiting.slug}/review/submit/")
    response = client.get("/library/?review=submitted")
    assert [a.title for a in response.context["page"].object_list] == ["Waiting"]
    (facet,) = [f for f in response.context["facets"] if f.name == "review"]
    assert {(o.value, o.count) for o in facet.options} == {("none", 1), ("submitted", 1)}


@pytest.fixture
def marketer_and_lead(marketer):
    """One person with both roles, as in a small company: marketing's work and the review."""
    marketer.groups.add(Group.objects.get(name=BRAND_LEAD))
    return marketer


def test_a_brand_lead_cannot_approve_a_version_they_submitted(client, marketer_and_lead, draft):
    post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/")
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f"/library/{draft.slug}/review/approve/" not in page
    refused = post(client, marketer_and_lead, f"/library/{draft.slug}/review/approve/")
    assert "Nothing changed: you submitted this version" in refused.content.decode()
    assert list(draft.reviews.values_list("action", flat=True)) == [Review.Action.SUBMITTED]
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["submitted"]
    post(client, marketer_and_lead, f"/library/{draft.slug}/publish/")
    assert status_of(draft) == Asset.Status.DRAFT


NO_OTHER_LEAD = (
    "No other brand lead can approve it yet: an administrator gives the Brand lead role "
    "(through the identity provider)."
)
NO_LEAD = "No brand lead can approve it yet: an administrator gives the Brand lead role"


def test_the_only_brand_lead_is_told_plainly_nobody_can_approve_their_submission(
    client, marketer_and_lead, draft, staff
):
    # The administrator (staff) could technically approve, but gives roles rather than approvals.
    page = post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/").content.decode()
    assert NO_OTHER_LEAD in page
    assert "a brand lead approves it or sends it back" not in page
    assert "so another brand lead approves it" not in page


def test_marketing_sees_that_the_only_brand_lead_cannot_approve_their_own_submission(
    client, marketer_and_lead, draft, django_user_model
):
    post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/")
    colleague = django_user_model.objects.create_user("max")
    colleague.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(colleague)
    assert NO_LEAD in client.get(draft.get_absolute_url()).content.decode()


def test_with_a_second_brand_lead_the_submitter_waits_for_them(
    client, marketer_and_lead, brand_lead, draft
):
    page = post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/").content.decode()
    assert "You submitted this version, so another brand lead approves it." in page
    assert "Submitted: a brand lead approves it or sends it back." in page
    assert "can approve it yet" not in page


def test_a_marketer_submitting_with_no_brand_lead_at_all_is_told_so(client, marketer, draft):
    page = post(client, marketer, f"/library/{draft.slug}/review/submit/").content.decode()
    assert NO_LEAD in page
    assert "No other brand lead" not in page


def test_another_brand_lead_approves_what_a_brand_lead_submitted(
    client, marketer_and_lead, brand_lead, draft
):
    post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/")
    client.force_login(brand_lead)
    assert (
        f"/library/{draft.slug}/review/approve/"
        in client.get(draft.get_absolute_url()).content.decode()
    )
    post(client, brand_lead, f"/library/{draft.slug}/review/approve/")
    post(client, marketer_and_lead, f"/library/{draft.slug}/publish/")
    assert status_of(draft) == Asset.Status.PUBLISHED


def test_a_brand_lead_may_send_back_their_own_submission_to_withdraw_it(
    client, marketer_and_lead, draft
):
    post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/")
    page = post(
        client, marketer_and_lead, f"/library/{draft.slug}/review/send-back/", comment="Wrong file"
    ).content.decode()
    assert "This version was sent back." in page


def admin_fields(client, url: str, **changes) -> dict:
    """What the admin's change form posts as it stands, with ``changes``."""
    form = client.get(url).context["adminform"].form
    fields = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            value = "on" if value else ""
        fields[field.html_name] = "" if value is None else value
    return fields | changes


def test_moving_published_artwork_into_a_reviewed_collection_makes_it_a_draft(
    client, marketer, employee, reviewed
):
    live = make_asset(title="Live")
    client.force_login(marketer)
    form = client.get(f"/library/{live.slug}/edit/").content.decode()
    assert "Campaign (requires review)" in form
    assert "this published artwork becomes a draft until a brand lead approves" in form
    response = client.post(
        f"/library/{live.slug}/edit/", edit_page_fields(live, collection=reviewed.pk), follow=True
    )
    assert "Its new collection requires review: it is a draft again" in response.content.decode()
    assert status_of(live) == Asset.Status.DRAFT
    client.force_login(employee)
    assert client.get(live.get_absolute_url()).status_code == 404


def test_moving_approved_artwork_into_a_reviewed_collection_keeps_it_published(
    client, marketer, brand_lead, draft
):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    post(client, brand_lead, f"/library/{draft.slug}/review/approve/")
    post(client, marketer, f"/library/{draft.slug}/publish/")
    other = Collection.objects.create(name="Summer", slug="summer", requires_review=True)
    client.post(f"/library/{draft.slug}/edit/", edit_page_fields(draft, collection=other.pk))
    draft.refresh_from_db()
    assert (draft.collection, draft.status) == (other, Asset.Status.PUBLISHED)


def test_moving_artwork_in_the_admin_keeps_to_the_review_rule(client, staff, reviewed):
    live = make_asset(title="Live")
    client.force_login(staff)
    url = reverse("admin:assets_asset_change", args=[live.pk])
    response = client.post(url, admin_fields(client, url, collection=reviewed.pk), follow=True)
    assert "Its new collection requires review: it is a draft again" in response.content.decode()
    live.refresh_from_db()
    assert (live.collection, live.status) == (reviewed, Asset.Status.DRAFT)


def test_the_admin_cannot_publish_a_draft_past_its_review(client, staff, draft):
    client.force_login(staff)
    url = reverse("admin:assets_asset_change", args=[draft.pk])
    assert 'name="status"' not in client.get(url).content.decode()
    response = client.post(url, admin_fields(client, url, status="published"))
    assert response.status_code == 302
    assert status_of(draft) == Asset.Status.DRAFT
    assert not AuditEntry.objects.filter(action="published").exists()


def test_switching_review_on_keeps_the_collections_published_artwork_published(
    client, staff, marketer
):
    collection = Collection.objects.create(name="Brand", slug="brand")
    live = make_asset(title="Live", collection=collection)
    client.force_login(staff)
    url = reverse("admin:assets_collection_change", args=[collection.pk])
    response = client.post(url, admin_fields(client, url, requires_review="on"), follow=True)
    assert "Artwork already published in this collection stays published." in (
        response.content.decode()
    )
    assert status_of(live) == Asset.Status.PUBLISHED
    # Until something changes it: an edit that moves nothing keeps it published, a new file
    # waits for a brand lead.
    client.force_login(marketer)
    client.post(f"/library/{live.slug}/edit/", edit_page_fields(live, title_en="Still live"))
    assert status_of(live) == Asset.Status.PUBLISHED
    client.post(f"/library/{live.slug}/new-version/", {"file": upload("new.jpg")})
    assert status_of(live) == Asset.Status.DRAFT


def test_the_queue_says_who_submitted_each_version_and_which_are_ones_own(
    client, marketer_and_lead, brand_lead, draft
):
    post(client, marketer_and_lead, f"/library/{draft.slug}/review/submit/")
    client.force_login(brand_lead)
    page = client.get("/review/").content.decode()
    assert "by mark" in page and "you submitted it" not in page
    client.force_login(marketer_and_lead)
    page = client.get("/review/").content.decode()
    assert "by mark: you submitted it, so another brand lead approves it." in page


def test_the_history_quotes_and_dates_a_comment_in_the_readers_language(
    client, marketer, brand_lead, draft
):
    post(client, marketer, f"/library/{draft.slug}/review/submit/")
    post(client, brand_lead, f"/library/{draft.slug}/review/send-back/", comment="Logo zu klein")
    draft.reviews.update(at=datetime.datetime(2026, 3, 5, 9, 30, tzinfo=datetime.UTC))
    client.force_login(marketer)
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "5. März 2026, 09:30 von bea: „Logo zu klein“" in page
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "5 mars 2026, 09:30 par bea : « Logo zu klein »" in page
