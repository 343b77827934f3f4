import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_asset

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_staff_can_open_every_model_in_the_admin(client, staff, app_label, model_name):
    make_asset(title="Listed")
    client.force_login(staff)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


def test_every_library_model_is_in_the_admin():
    for model in ("asset", "collection", "tag", "rendition"):
        assert ("assets", model) in REGISTERED


def test_the_admin_names_the_portals_parts_in_the_administrators_language(client, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Audit-Protokoll" in page and "Bildmaterial-Bibliothek" in page
    assert "Asset library" not in page and "Audit log" not in page
