"""Sizes that heal: whatever changed a recipe, new sizes follow and old ones serve meanwhile."""

import dataclasses
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from assets.models import Asset, Rendition
from assets.renditions.presets import load_presets, platform_presets
from assets.renditions.tasks import sweep_renditions
from tests.factories import image_bytes, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_asset(title="Harbour", data=image_bytes("JPEG", (1200, 800)))


def made_before_a_version_bump(asset: Asset) -> None:
    """Leave the asset's renditions as the previous preset versions named them: what a deploy
    bumping every preset's version finds in the database."""
    for preset in asset.presets():
        older = dataclasses.replace(preset, version=preset.version - 1 or 1000)
        asset.renditions.filter(preset=preset.slug).update(source_key=asset.rendition_key(older))


def downloaded(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def test_after_a_preset_version_bump_the_sweep_makes_current_sizes_while_old_files_serve(
    client, employee, photo, django_capture_on_commit_callbacks
):
    made_before_a_version_bump(photo)
    old_files = {r.preset: r.file.name for r in photo.renditions.all()}
    assert not photo.current_renditions().exists()
    client.force_login(employee)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert sweep_renditions() == 1
    # Queued, not yet made: every download, the ZIP and the previews still work.
    assert photo.current_renditions().filter(status="pending").count() == len(photo.presets())
    served = photo.served_renditions()
    assert {slug: r.file.name for slug, r in served.items()} == old_files
    for preset in platform_presets("photo"):
        with Image.open(
            io.BytesIO(downloaded(client, f"/assets/{photo.slug}/sizes/{preset.slug}/"))
        ) as image:
            assert image.size == preset.size
    archive = zipfile.ZipFile(io.BytesIO(downloaded(client, f"/assets/{photo.slug}/all-sizes.zip")))
    assert "X/Harbour - X - header - 1500x500.jpg" in archive.namelist()
    page = client.get(photo.get_absolute_url()).content.decode()
    assert f"/assets/{photo.slug}/sizes/x-header/?for=x" in page, "the earlier file is offered"

    for callback in queued:
        callback()
    assert set(photo.current_renditions().values_list("status", flat=True)) == {"ready"}
    assert photo.renditions.count() == len(photo.presets()), "the old ones are gone once replaced"
    for preset in platform_presets("photo"):
        with Image.open(
            io.BytesIO(downloaded(client, f"/assets/{photo.slug}/sizes/{preset.slug}/"))
        ) as image:
            assert image.size == preset.size


def test_a_focal_point_changed_behind_the_portals_back_heals_on_the_next_sweep(
    photo, django_capture_on_commit_callbacks
):
    # As a data migration does it: no form, no signal.
    Asset.objects.filter(pk=photo.pk).update(focal_x=0.1)
    photo.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_renditions()
    assert set(photo.current_renditions().values_list("status", flat=True)) == {"ready"}
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_renditions() == 0, "nothing left to heal"


def test_an_admin_edit_of_the_kind_makes_new_sizes(
    client, staff, photo, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    form = {"title_en": photo.title, "slug": photo.slug, "kind": "illustration"}
    form |= {"status": photo.status, "focal_x": "0.5", "focal_y": "0.5", "crop_overrides": "{}"}
    # The admin always sends its selects and fields with defaults.
    form |= {"text_area": photo.text_area, "text_align": photo.text_align}
    form |= {"text_max_lines": photo.text_max_lines, "text_light_colour": "#ffffff"}
    form |= {"text_dark_colour": "#111111"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/assets/asset/{photo.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    photo.refresh_from_db()
    assert photo.kind == "illustration"
    assert set(photo.current_renditions().values_list("status", flat=True)) == {"ready"}


def test_the_asset_page_heals_an_asset_left_without_current_sizes_and_polling_can_end(
    client, employee, photo, django_capture_on_commit_callbacks
):
    made_before_a_version_bump(photo)
    client.force_login(employee)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(photo.get_absolute_url())
    status = client.get(f"/assets/{photo.slug}/sizes.json").json()
    assert status["done"] and {row["status"] for row in status["renditions"]} == {"ready"}


def test_refresh_renditions_queues_what_is_missing_for_the_named_assets(
    photo, capsys, django_capture_on_commit_callbacks
):
    other = make_asset(title="Other", data=image_bytes("JPEG", (400, 300)))
    made_before_a_version_bump(photo)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_renditions", photo.slug)
    assert f"queued {photo.slug}" in capsys.readouterr().out
    assert set(photo.current_renditions().values_list("status", flat=True)) == {"ready"}
    assert set(other.current_renditions().values_list("status", flat=True)) == {"pending"}


def test_refresh_renditions_all_reports_assets_that_were_already_current(photo, capsys):
    call_command("refresh_renditions", "--all")
    out = capsys.readouterr().out
    assert f"current {photo.slug}" in out and "Queued new sizes for 0 asset(s)." in out


@pytest.mark.parametrize("arguments", [[], ["--all", "x"], ["no-such-asset"]])
def test_refresh_renditions_refuses_unclear_arguments(arguments):
    with pytest.raises(CommandError):
        call_command("refresh_renditions", *arguments)


def test_a_current_size_that_failed_keeps_serving_the_earlier_file(client, employee, photo):
    earlier = photo.renditions.get(preset="x-header")
    made_before_a_version_bump(photo)
    Rendition.objects.create(
        asset=photo,
        preset="x-header",
        source_key=photo.rendition_key(next(p for p in load_presets() if p.slug == "x-header")),
        status=Rendition.Status.FAILED,
        error="broken",
    )
    assert photo.served_rendition("x-header") == earlier
    client.force_login(employee)
    assert client.get(f"/assets/{photo.slug}/sizes/x-header/").status_code == 200


def edit_form(asset: Asset, **changes) -> dict:
    form = {"title_en": asset.title, "kind": asset.kind, "focal_x": "0.5", "focal_y": "0.5"}
    return form | changes


def test_a_keep_box_saved_on_the_edit_page_makes_new_sizes(
    client, marketer, photo, django_capture_on_commit_callbacks
):
    before = set(photo.current_renditions().values_list("source_key", flat=True))
    client.force_login(marketer)
    keep = '{"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.5}'
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/library/{photo.slug}/edit/", edit_form(photo, kind="illustration", keep_box=keep)
        )
    photo.refresh_from_db()
    assert photo.keep_box == {"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.5}
    after = set(photo.current_renditions().values_list("source_key", flat=True))
    assert not before & after
    assert set(photo.current_renditions().values_list("status", flat=True)) == {"ready"}


@pytest.mark.parametrize(
    "overrides",
    [
        '{"x-header": {"x": 0.8, "y": 0, "w": 0.5, "h": 0.1}}',
        '{"nowhere": {"x": 0, "y": 0, "w": 1, "h": 1}}',
    ],
)
def test_a_crop_box_outside_the_picture_or_for_no_size_is_refused(
    client, marketer, photo, overrides
):
    client.force_login(marketer)
    response = client.post(
        f"/library/{photo.slug}/edit/", edit_form(photo, crop_overrides=overrides)
    )
    assert response.status_code == 200
    photo.refresh_from_db()
    assert photo.crop_overrides == {}
