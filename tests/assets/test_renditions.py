import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from assets.models import Asset, Rendition
from assets.renditions.presets import platform_presets, presets_for
from assets.renditions.rendering import renditions_make
from assets.renditions.tasks import make_renditions, sweep_renditions
from tests.factories import image_bytes, make_asset, upload

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    return sorted(
        str(path.relative_to(settings.MEDIA_ROOT))
        for path in settings.MEDIA_ROOT.rglob("*")
        if path.is_file() and "renditions" in path.parts
    )


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    """A published photo whose renditions were made by the real task."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_asset(title="Harbour", data=image_bytes("JPEG", (3000, 2000)))


def test_an_upload_gets_every_platform_size_ready(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/library/upload/",
            {"files": [upload("Team.jpg", image_bytes("JPEG", (3000, 2000)))], "kind": "photo"},
        )
    asset = Asset.objects.get()
    made = {rendition.preset: rendition for rendition in asset.current_renditions()}
    assert set(made) == {preset.slug for preset in presets_for("photo")}
    for preset in presets_for("photo"):
        rendition = made[preset.slug]
        assert rendition.status == Rendition.Status.READY, rendition.error
        with rendition.file.open("rb") as file, Image.open(file) as image:
            assert image.size == (rendition.width, rendition.height)
            if preset.fit == "cover":
                assert image.size == (preset.width, preset.height)
            assert image.format == preset.made_for("photo").format
        assert rendition.byte_size <= preset.max_bytes


def test_marketing_sees_each_size_with_its_advice_and_spec_date(client, marketer, photo):
    client.force_login(marketer)
    page = client.get(photo.get_absolute_url()).content.decode()
    for preset in platform_presets("photo"):
        assert preset.advice.replace("'", "&#x27;") in page
        assert f"Spec checked: {preset.checked.isoformat()}" in page
        assert f"/assets/{photo.slug}/sizes/{preset.slug}/" in page


def test_an_employee_downloads_one_size_as_an_attachment(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/sizes/x-header/")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="Harbour - X - header - 1500x500.jpg"'
    )
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (1500, 500)


def test_all_sizes_download_as_one_streamed_zip(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert "LinkedIn/Harbour - LinkedIn - banner - 1584x396.jpg" in archive.namelist()


def test_running_the_task_twice_leaves_one_file_per_size(photo, settings):
    before = stored_files(settings)
    Rendition.objects.filter(asset=photo).update(status=Rendition.Status.PENDING)
    make_renditions.delay(photo.pk)
    make_renditions.delay(photo.pk)
    assert stored_files(settings) == before
    # One file per size, and a small display copy for each heavy one.
    copies = photo.current_renditions().exclude(display="").count()
    assert len(before) == len(presets_for("photo")) + copies


def test_sizes_whose_rows_went_while_they_were_drawn_leave_no_files(photo, settings):
    """An edit removed the pending rows while the worker drew them: nothing is kept."""
    before = stored_files(settings)
    Rendition.objects.filter(asset=photo).update(status=Rendition.Status.PENDING)
    removed = []

    def edit_meanwhile(execute, sql, params, many, context):
        # Just before the worker records its first size, the rows go, as an edit would.
        if not removed and sql.startswith('UPDATE "assets_rendition"') and "ready" in params:
            removed.append(True)
            with connection.cursor() as cursor:
                cursor.execute('DELETE FROM "assets_rendition" WHERE asset_id = %s', [photo.pk])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(edit_meanwhile):
        make_renditions.delay(photo.pk)
    assert removed
    assert not Rendition.objects.filter(asset=photo).exists()
    # The sizes were drawn again under the same (content-addressed) names, so every file,
    # display copies included, was one the worker had just written and nobody now wants.
    assert before
    assert stored_files(settings) == []


def test_a_task_for_a_deleted_asset_returns_quietly(photo):
    asset_id = photo.pk
    photo.delete()
    assert make_renditions.delay(asset_id).successful()


def test_a_new_focal_point_makes_new_files_and_removes_the_old(
    client, marketer, photo, settings, django_capture_on_commit_callbacks
):
    old = stored_files(settings)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/library/{photo.slug}/edit/",
            {"title_en": "Harbour", "kind": "photo", "focal_x": "0.2", "focal_y": "0.5"},
        )
    new = stored_files(settings)
    assert len(new) == len(old)
    assert not set(new) & set(old), "content-addressed names change with the focal point"
    assert all(r.status == Rendition.Status.READY for r in photo.current_renditions())


def test_a_small_source_still_renders_and_marketing_sees_a_low_resolution_warning(
    client, marketer, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tiny = make_asset(title="Tiny", data=image_bytes("JPEG", (300, 200)))
    banner = tiny.current_renditions().get(preset="youtube-banner")
    assert (banner.status, banner.width, banner.low_resolution) == ("ready", 2560, True)
    client.force_login(marketer)
    assert "Low resolution for" in client.get(tiny.get_absolute_url()).content.decode()
    client.force_login(employee)
    assert "Low resolution for" not in client.get(tiny.get_absolute_url()).content.decode()


def test_a_failed_size_shows_its_reason_to_marketing_and_can_be_retried(
    client, marketer, photo, django_capture_on_commit_callbacks
):
    rendition = photo.current_renditions().get(preset="email-signature")
    rendition.status, rendition.error = Rendition.Status.FAILED, "does not fit 100 KB"
    rendition.save()
    client.force_login(marketer)
    assert "does not fit 100 KB" in client.get(photo.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/library/{photo.slug}/retry/")
    rendition.refresh_from_db()
    assert (rendition.status, rendition.error) == (Rendition.Status.READY, "")


def test_the_sweep_finishes_renditions_whose_queue_message_was_lost(marketer):
    # Made and committed, but the message never reached a worker.
    asset = make_asset(title="Lost", data=image_bytes("JPEG", (800, 600)))
    assert asset.current_renditions().filter(status=Rendition.Status.PENDING).count() == len(
        presets_for("photo")
    )
    Rendition.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    assert sweep_renditions() == 1
    assert set(asset.current_renditions().values_list("status", flat=True)) == {"ready"}


def test_the_sweep_leaves_recent_and_claimed_work_alone():
    asset = make_asset(data=image_bytes("JPEG", (200, 200)))
    assert sweep_renditions() == 0  # just queued: give the worker time
    Rendition.objects.update(
        updated_at=timezone.now() - datetime.timedelta(minutes=10),
        claimed_until=timezone.now() + datetime.timedelta(minutes=1),
    )
    assert sweep_renditions() == 0  # a live worker holds it
    assert not asset.current_renditions().filter(status=Rendition.Status.READY).exists()


def test_a_worker_that_died_three_times_on_an_asset_marks_it_failed():
    asset = make_asset(data=image_bytes("JPEG", (200, 200)))
    Rendition.objects.update(
        attempts=Rendition.MAX_ATTEMPTS, updated_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    sweep_renditions()
    errors = set(asset.current_renditions().values_list("status", "error"))
    assert errors == {("failed", "the worker stopped while making this 3 times")}


def test_an_original_that_no_longer_decodes_fails_with_the_reason(settings):
    asset = make_asset(data=image_bytes("JPEG", (200, 200)))
    with asset.original.storage.open(asset.original.name, "wb") as file:
        file.write(b"overwritten by something else")
    renditions_make(asset=asset)
    rendition = asset.current_renditions().first()
    assert rendition.status == Rendition.Status.FAILED
    assert rendition.error.startswith("cannot ")
    assert "the image" in rendition.error


def test_an_svg_logo_gets_every_size_and_a_raster_preview(
    client, employee, django_capture_on_commit_callbacks
):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60">'
        b'<circle cx="60" cy="30" r="25" fill="#b3261e"/></svg>'
    )
    with django_capture_on_commit_callbacks(execute=True):
        logo = make_asset(filename="mark.svg", data=svg, kind=Asset.Kind.LOGO)
    assert set(logo.current_renditions().values_list("status", flat=True)) == {"ready"}
    client.force_login(employee)
    response = client.get(f"/assets/{logo.slug}/preview/")
    assert response["Content-Type"] == "image/jpeg"  # a raster, never the SVG itself


def test_the_sweep_command_reports_and_queues_unfinished_work(capsys):
    asset = make_asset(data=image_bytes("JPEG", (300, 200)))
    call_command("sweep_renditions", "--older-than", "0")
    assert capsys.readouterr().out == "Queued 1 asset(s) with unfinished renditions.\n"
    assert set(asset.current_renditions().values_list("status", flat=True)) == {"ready"}


def test_the_status_endpoint_reports_each_size_and_its_row(client, marketer, photo):
    rendition = photo.current_renditions().get(preset="email-signature")
    rendition.status, rendition.error = Rendition.Status.FAILED, "does not fit 100 KB"
    rendition.save()
    client.force_login(marketer)
    data = client.get(f"/assets/{photo.slug}/sizes.json").json()
    by_preset = {item["preset"]: item for item in data["renditions"]}
    assert data["done"] is True
    assert list(by_preset) == [preset.slug for preset in platform_presets("photo")]
    assert by_preset["email-signature"]["status"] == "failed"
    assert by_preset["email-signature"]["error"] == "does not fit 100 KB"
    assert f'href="/assets/{photo.slug}/sizes/x-header/"' in by_preset["x-header"]["row"]


def test_the_status_endpoint_says_when_sizes_are_still_being_made(client, employee):
    asset = make_asset(title="Pending", data=image_bytes("JPEG", (300, 200)))
    client.force_login(employee)
    data = client.get(f"/assets/{asset.slug}/sizes.json").json()
    assert data["done"] is False
    assert {item["status"] for item in data["renditions"]} == {"pending"}


def test_employees_get_no_failure_reasons_from_the_status_endpoint(client, employee, photo):
    photo.current_renditions().filter(preset="email-signature").update(
        status=Rendition.Status.FAILED, error="does not fit 100 KB"
    )
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/sizes.json")
    assert "does not fit" not in response.content.decode()


def test_the_asset_page_shows_each_ready_size_under_its_platform(client, employee, photo):
    client.force_login(employee)
    page = client.get(photo.get_absolute_url()).content.decode()
    assert 'id="platform-linkedin"' in page
    assert f'href="/assets/{photo.slug}/sizes/video-background/?for=zoom"' in page
    assert "data-frame-tool" in page
    assert "data-status-url" not in page, "nothing is pending, so nothing polls"
