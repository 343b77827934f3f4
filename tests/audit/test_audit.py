"""The audit log: staff actions with who and when, for administrators, kept for a while."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import EMPLOYEES, MARKETING
from accounts.services import provider_user_sign_in
from assets.models import Asset, Collection
from assets.renditions.rendering import renditions_make
from assets.renditions.tasks import sweep_renditions
from audit.models import AuditEntry
from audit.services import audit_record
from tests.factories import image_bytes, make_asset, upload

pytestmark = pytest.mark.django_db


def logged() -> list[tuple[str, str, str]]:
    return [(e.actor_name, e.action, e.target) for e in AuditEntry.objects.order_by("at", "id")]


def test_publish_archive_and_delete_through_the_library_are_logged(client, marketer):
    asset = make_asset(title="Harbour", status=Asset.Status.DRAFT)
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/publish/")
    client.post(f"/library/{asset.slug}/archive/")
    client.post(f"/library/{asset.slug}/delete/")
    assert logged() == [
        ("mark", "published", "Harbour"),
        ("mark", "archived", "Harbour"),
        ("mark", "deleted", "Harbour"),
    ]


def test_review_steps_are_logged(client, marketer, brand_lead):
    reviewed = Collection.objects.create(name="Campaign", slug="campaign", requires_review=True)
    asset = make_asset(title="Poster", collection=reviewed, status=Asset.Status.DRAFT)
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/review/submit/")
    client.force_login(brand_lead)
    client.post(f"/library/{asset.slug}/review/send-back/", {"comment": "Bigger logo"})
    assert logged() == [("mark", "submitted", "Poster"), ("bea", "sent_back", "Poster")]


def test_a_new_version_and_a_restore_are_logged(client, marketer):
    asset = make_asset(title="Harbour")
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/new-version/", {"file": upload("new.jpg")})
    version = asset.versions.get()
    client.post(f"/library/{asset.slug}/versions/{version.pk}/restore/")
    assert [action for _, action, _ in logged()] == ["version_added", "version_restored"]


def test_guidelines_edited_are_logged(client, marketer):
    Collection.objects.create(name="Core", slug="core")
    client.force_login(marketer)
    client.post("/collections/core/guidelines/edit/", {"body": "Be kind.", "swatches": ""})
    assert logged() == [("mark", "guidelines_edited", "Core")]


def test_the_sweep_logs_what_it_archives():
    make_asset(title="Over", available_until=timezone.localdate() - datetime.timedelta(days=1))
    sweep_renditions()
    assert logged() == [("", "archived", "Over (its usable-until day has passed)")]


def test_staff_role_changes_from_the_identity_provider_are_logged_not_employee_sign_ins():
    provider_user_sign_in(issuer="https://id.example", subject="e", roles={EMPLOYEES})
    provider_user_sign_in(issuer="https://id.example", subject="e", roles={EMPLOYEES})
    assert logged() == []
    user = provider_user_sign_in(issuer="https://id.example", subject="m", roles={MARKETING})
    provider_user_sign_in(issuer="https://id.example", subject="m", roles={EMPLOYEES})
    assert logged() == [
        ("", "roles_changed", f"{user}: no role → Marketing"),
        ("", "roles_changed", f"{user}: Marketing → Employees"),
    ]


def test_an_employees_view_download_and_count_write_no_audit_entry(client, employee, fresh_token):
    asset = make_asset(title="Harbour", data=image_bytes("JPEG", (400, 300)))
    renditions_make(asset=asset)
    client.force_login(employee)
    assert client.get(asset.get_absolute_url()).status_code == 200
    assert client.get(f"/assets/{asset.slug}/original/").status_code == 200
    zipped = client.get(f"/assets/{asset.slug}/all-sizes.zip")
    b"".join(zipped.streaming_content)
    data = {"asset": asset.slug, "preset": "", "kind": "download", "token": fresh_token()}
    assert client.post("/count/", data).status_code == 204
    assert logged() == []


def test_the_sweep_prunes_entries_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = audit_record(actor=None, action=AuditEntry.Action.PUBLISHED, target="Old")
    old.at = timezone.now() - datetime.timedelta(days=31)
    old.save()
    audit_record(actor=None, action=AuditEntry.Action.PUBLISHED, target="Recent")
    sweep_renditions()
    assert [target for _, _, target in logged()] == ["Recent"]


def test_only_administrators_read_the_log(client, staff, marketer):
    audit_record(actor=marketer, action=AuditEntry.Action.PUBLISHED, target="Harbour")
    client.force_login(marketer)
    assert client.get("/admin/audit/auditentry/").status_code == 302
    client.force_login(staff)
    page = client.get("/admin/audit/auditentry/")
    assert page.status_code == 200
    assert "Harbour" in page.content.decode()
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


def test_an_asset_keeps_one_name_in_the_log_whatever_language_the_actor_reads(client, marketer):
    asset = make_asset(title="Harbour", title_de="Hafen", status=Asset.Status.DRAFT)
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/publish/", HTTP_ACCEPT_LANGUAGE="de")
    client.post(f"/library/{asset.slug}/archive/", HTTP_ACCEPT_LANGUAGE="en")
    assert [target for _, _, target in logged()] == ["Harbour", "Harbour"]
