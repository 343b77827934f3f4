import datetime

import pytest
from django.utils import timezone

from assets.models import Asset, Collection, Tag
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [asset.title for asset in response.context["page"].object_list]


def test_employees_see_published_assets_newest_first(client, employee):
    make_asset(title="Older")
    make_asset(title="Newer")
    make_asset(title="Still a draft", status=Asset.Status.DRAFT)
    make_asset(title="Retired", status=Asset.Status.ARCHIVED)
    client.force_login(employee)
    assert titles(client.get("/")) == ["Newer", "Older"]


def test_assets_past_their_end_date_disappear_for_employees(client, employee):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_asset(title="Last campaign", available_until=yesterday)
    make_asset(title="Ends today", available_until=timezone.localdate())
    client.force_login(employee)
    assert titles(client.get("/")) == ["Ends today"]
    expired = Asset.objects.get(title="Last campaign")
    assert client.get(expired.get_absolute_url()).status_code == 404


def test_filters_by_collection_tag_and_kind(client, employee):
    basics = Collection.objects.create(name="Basics", slug="basics")
    dark = Tag.objects.create(name="dark", slug="dark")
    make_asset(title="Dark logo", kind=Asset.Kind.LOGO, collection=basics, tags=[dark])
    make_asset(title="Light logo", kind=Asset.Kind.LOGO, collection=basics)
    make_asset(title="Office", kind=Asset.Kind.PHOTO)
    client.force_login(employee)
    assert titles(client.get("/?collection=basics")) == ["Light logo", "Dark logo"]
    assert titles(client.get("/?tag=dark")) == ["Dark logo"]
    assert titles(client.get("/?kind=photo")) == ["Office"]
    assert titles(client.get("/?collection=basics&kind=photo")) == []


def test_search_matches_title_description_and_tags(client, employee):
    make_asset(title="Harbour", description="Sunrise over the water")
    make_asset(title="Skyline", tags=[Tag.objects.create(name="sunrise", slug="sunrise")])
    make_asset(title="Desk")
    client.force_login(employee)
    assert sorted(titles(client.get("/?q=sunrise"))) == ["Harbour", "Skyline"]
    assert titles(client.get("/?q=harbour water")) == ["Harbour"]


def test_the_home_page_is_paginated(client, employee):
    for number in range(26):
        make_asset(title=f"Asset {number}")
    client.force_login(employee)
    first = client.get("/?kind=photo")
    assert len(titles(first)) == 24
    second = client.get("/?kind=photo&page=2")
    assert titles(second) == ["Asset 1", "Asset 0"]
    assert "kind=photo&amp;page=2" in first.content.decode()


def test_a_link_past_the_last_page_shows_the_last_page(client, employee):
    for number in range(26):
        make_asset(title=f"Asset {number}")
    client.force_login(employee)
    assert titles(client.get("/?page=9")) == ["Asset 1", "Asset 0"]
    assert titles(client.get("/?page=9&q=asset")) == ["Asset 1", "Asset 0"]
    assert len(titles(client.get("/?page=nine"))) == 24
    nothing = client.get("/?page=2&q=nothing-like-it")
    assert nothing.status_code == 200
    assert "No artwork matches." in nothing.content.decode()


def test_a_filter_that_no_longer_exists_is_left_out_and_the_others_still_apply(client, employee):
    make_asset(title="Office", kind=Asset.Kind.PHOTO)
    make_asset(title="Logo", kind=Asset.Kind.LOGO)
    client.force_login(employee)
    assert titles(client.get("/?kind=photo&collection=gone")) == ["Office"]


def test_the_asset_page_shows_usage_notes_and_a_download(client, employee):
    asset = make_asset(title="Banner", usage_notes="Use on LinkedIn only.")
    client.force_login(employee)
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Use on LinkedIn only." in page
    assert f"/assets/{asset.slug}/original/" in page


def test_drafts_and_archived_assets_are_not_found_for_employees(client, employee):
    draft = make_asset(status=Asset.Status.DRAFT)
    archived = make_asset(status=Asset.Status.ARCHIVED)
    client.force_login(employee)
    for asset in (draft, archived):
        assert client.get(asset.get_absolute_url()).status_code == 404
        assert client.get(f"/assets/{asset.slug}/original/").status_code == 404


def test_the_original_downloads_as_an_attachment_with_a_safe_type(client, employee):
    asset = make_asset(title="Logo")
    client.force_login(employee)
    response = client.get(f"/assets/{asset.slug}/original/")
    assert response["Content-Disposition"] == 'attachment; filename="logo.jpg"'
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == asset.original.open("rb").read()


def test_marketing_sees_every_status_in_the_library(client, marketer):
    make_asset(title="Draft one", status=Asset.Status.DRAFT)
    make_asset(title="Live one")
    make_asset(title="Old one", status=Asset.Status.ARCHIVED)
    client.force_login(marketer)
    assert sorted(titles(client.get("/library/"))) == ["Draft one", "Live one", "Old one"]
    assert titles(client.get("/library/?status=draft")) == ["Draft one"]


def test_publishing_and_archiving_change_what_employees_see(client, marketer, employee):
    asset = make_asset(title="Poster", status=Asset.Status.DRAFT)
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/publish/")
    client.force_login(employee)
    assert titles(client.get("/")) == ["Poster"]
    client.force_login(marketer)
    client.post(f"/library/{asset.slug}/archive/")
    client.force_login(employee)
    assert titles(client.get("/")) == []


def test_editing_an_asset_saves_its_fields_and_tags(client, marketer):
    asset = make_asset(title="Old title")
    client.force_login(marketer)
    response = client.post(
        f"/library/{asset.slug}/edit/",
        {
            "title_en": "New title",
            "kind": "logo",
            "focal_x": "0.25",
            "focal_y": "0.75",
            "background": "#112233",
            "tag_names": "dark, square, dark",
        },
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.title, asset.kind, asset.focal_x, asset.focal_y) == (
        "New title",
        "logo",
        0.25,
        0.75,
    )
    assert sorted(asset.tags.values_list("name", flat=True)) == ["dark", "square"]


def test_the_edit_page_saves_the_text_in_all_three_languages(client, marketer, employee):
    asset = make_asset(title="Old title")
    client.force_login(marketer)
    form = client.get(f"/library/{asset.slug}/edit/").content.decode()
    assert 'name="title_de"' in form and 'name="description_fr"' in form
    client.post(
        f"/library/{asset.slug}/edit/",
        {
            "title_en": "Spring crossings",
            "title_de": "Frühlingsfahrten",
            "title_fr": "Traversées de printemps",
            "description_de": "Fähren in der Aprilsonne.",
            "alt_text_fr": "Un ferry blanc sur une mer bleue.",
            "kind": "photo",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    client.force_login(employee)
    german = client.get(asset.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Frühlingsfahrten" in german and "Fähren in der Aprilsonne." in german
    french = client.get(asset.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Traversées de printemps" in french
    asset.refresh_from_db()
    assert asset.alt_text_fr == "Un ferry blanc sur une mer bleue."
    english = client.get(asset.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Spring crossings" in english and "Frühlingsfahrten" not in english


def test_a_focal_point_outside_the_image_is_refused(client, marketer):
    asset = make_asset()
    client.force_login(marketer)
    response = client.post(
        f"/library/{asset.slug}/edit/",
        {"title_en": "T", "kind": "photo", "focal_x": "1.5", "focal_y": "0.5"},
    )
    assert response.status_code == 200
    assert "less than or equal to 1" in response.content.decode()


def test_deleting_an_asset_removes_its_file_after_the_commit(
    client, marketer, django_capture_on_commit_callbacks
):
    asset = make_asset()
    storage, name = asset.original.storage, asset.original.name
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/library/{asset.slug}/delete/")
    assert not Asset.objects.exists()
    assert storage.exists(name), "the file must outlive an uncommitted delete"
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


def test_the_filters_list_only_tags_and_collections_on_published_artwork(client, employee):
    embargoed = Collection.objects.create(name="Project Falcon", slug="project-falcon")
    secret = Tag.objects.create(name="falcon-launch", slug="falcon-launch")
    shown = Collection.objects.create(name="Summer", slug="summer")
    seen = Tag.objects.create(name="beach", slug="beach")
    make_asset(title="Draft", status=Asset.Status.DRAFT, collection=embargoed, tags=[secret])
    make_asset(title="Live", collection=shown, tags=[seen])
    client.force_login(employee)
    html = client.get("/").content.decode()
    assert "Summer" in html and "beach" in html
    assert "Project Falcon" not in html
    assert "falcon" not in html
    # Naming the hidden collection in the address does not bring its name back.
    assert "Project Falcon" not in client.get("/?collection=project-falcon").content.decode()


def test_marketing_filters_list_the_names_on_drafts_too(client, marketer):
    embargoed = Collection.objects.create(name="Project Falcon", slug="project-falcon")
    make_asset(title="Draft", status=Asset.Status.DRAFT, collection=embargoed)
    client.force_login(marketer)
    assert "Project Falcon" in client.get("/library/").content.decode()
