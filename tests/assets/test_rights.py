"""Rights per asset: credit, licence, allowed uses, an embargo and a last usable day."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from assets.models import Asset
from assets.renditions.rendering import renditions_make
from assets.renditions.tasks import sweep_renditions
from tests.factories import edit_page_fields, image_bytes, make_asset

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
YESTERDAY = TODAY - datetime.timedelta(days=1)


def test_marketing_sets_the_rights_on_the_edit_page(client, marketer):
    asset = make_asset(title="Harbour")
    client.force_login(marketer)
    response = client.post(
        f"/library/{asset.slug}/edit/",
        edit_page_fields(
            asset,
            credit_photographer="Ada Lens",
            credit_agency="North Pictures",
            licence="Royalty-free, two years",
            allowed_uses=["internal", "social"],
            not_before=TOMORROW.isoformat(),
            available_until=(TODAY + datetime.timedelta(days=60)).isoformat(),
        ),
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.credit == "Ada Lens / North Pictures"
    assert asset.allowed_uses == ["internal", "social"]
    assert asset.not_before == TOMORROW
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Royalty-free, two years" in page
    assert "Internal, Social media" in page
    assert "employees do not see it yet" in page


def test_a_usable_until_day_before_the_embargo_ends_is_refused(client, marketer):
    asset = make_asset()
    client.force_login(marketer)
    response = client.post(
        f"/library/{asset.slug}/edit/",
        edit_page_fields(asset, not_before=TOMORROW.isoformat(), available_until=TODAY.isoformat()),
    )
    assert response.status_code == 200
    assert "comes before the embargo ends" in response.content.decode()


def test_an_embargoed_asset_is_invisible_to_employees_until_its_day(client, employee):
    asset = make_asset(title="Launch", not_before=TOMORROW)
    make_asset(title="Out already", not_before=TODAY)
    client.force_login(employee)
    home = [a.title for a in client.get("/").context["page"].object_list]
    assert home == ["Out already"]
    assert list(client.get("/?q=launch").context["page"].object_list) == []
    for path in ("", "original/", "all-sizes.zip"):
        assert client.get(f"{asset.get_absolute_url()}{path}").status_code == 404
    api = client.get("/api/v1/assets/").json()
    assert [item["title"] for item in api["results"]] == ["Out already"]


def test_marketing_still_sees_an_embargoed_asset(client, marketer):
    asset = make_asset(title="Launch", not_before=TOMORROW)
    client.force_login(marketer)
    assert client.get(asset.get_absolute_url()).status_code == 200
    assert b"Launch" in client.get("/library/").content


def test_an_embargoed_asset_is_not_counted(client, fresh_token):
    asset = make_asset(not_before=TOMORROW)
    data = {"asset": asset.slug, "preset": "", "kind": "download", "token": fresh_token()}
    assert client.post("/count/", data).status_code == 400


def test_employees_see_the_credit_and_the_last_usable_day_but_not_the_licence(client, employee):
    asset = make_asset(
        credit_photographer="Ada Lens",
        licence="Secret terms",
        available_until=TODAY + datetime.timedelta(days=10),
    )
    client.force_login(employee)
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Ada Lens" in page
    assert "Usable until" in page
    assert "Secret terms" not in page


def test_the_zip_readme_names_the_credit_and_the_last_usable_day(client, employee):
    until = TODAY + datetime.timedelta(days=10)
    asset = make_asset(
        title="Harbour",
        data=image_bytes("JPEG", (400, 300)),
        credit_photographer="Ada Lens",
        credit_agency="North Pictures",
        available_until=until,
    )
    renditions_make(asset=asset)
    client.force_login(employee)
    response = client.get(f"/assets/{asset.slug}/all-sizes.zip")
    readme = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("README.txt")
    assert "Credit: Ada Lens / North Pictures" in readme.decode()
    assert f"Usable until: {until}" in readme.decode()


def test_the_sweep_archives_what_is_past_its_last_usable_day():
    over = make_asset(title="Over", available_until=YESTERDAY)
    today = make_asset(title="Last day", available_until=TODAY)
    sweep_renditions()
    over.refresh_from_db()
    today.refresh_from_db()
    assert over.status == Asset.Status.ARCHIVED
    assert today.status == Asset.Status.PUBLISHED


def test_the_library_shows_what_stops_being_usable_within_30_days(client, marketer):
    make_asset(title="Soon over", available_until=TODAY + datetime.timedelta(days=5))
    make_asset(title="Far off", available_until=TODAY + datetime.timedelta(days=45))
    client.force_login(marketer)
    expiring = [a.title for a in client.get("/library/").context["expiring"]]
    assert expiring == ["Soon over"]
