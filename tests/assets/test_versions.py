"""New versions of an asset's file: same page, link, tags and counts; old files kept, restorable."""

import dataclasses
import datetime
import html
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from assets.models import Asset, Rendition, Tag
from assets.renditions.presets import get_preset, presets_for
from assets.renditions.rendering import renditions_make
from policies.models import Announcement
from tests.assets.imagegen import frame_overlay, picture, to_bytes
from tests.factories import image_bytes, make_asset, upload
from tests.hostile_corpus import corpus
from tracking.models import week_of
from tracking.tally import tally_add, week_counts

pytestmark = pytest.mark.django_db

RED, BLUE = (200, 30, 30), (30, 60, 200)


@pytest.fixture
def harbour(django_capture_on_commit_callbacks, marketer) -> Asset:
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(
            title="Harbour",
            data=image_bytes("JPEG", (900, 600), colour=RED),
            tags=[Tag.objects.create(name="sea", slug="sea")],
            uploaded_by=marketer,
        )
    return asset


def frame_png() -> bytes:
    return to_bytes(frame_overlay(800), "PNG").getvalue()


def new_version(client, asset: Asset, data: bytes, name: str = "harbour-v2.jpg"):
    return client.post(
        f"/library/{asset.slug}/new-version/", {"file": upload(name, data)}, follow=True
    )


def downloaded(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def colour_of(data: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def near(pixel, colour, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_a_new_version_keeps_the_page_link_slug_tags_and_counts(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    today = datetime.date.today()
    tally_add(asset_slug=harbour.slug, preset="avatar-small", kind="download", today=today)
    counts_before = week_counts(week_of(today))
    assert counts_before[("download", harbour.pk, "avatar-small")] >= 1
    url, pk = harbour.get_absolute_url(), harbour.pk
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    assert response.redirect_chain[-1][0] == url
    assert "New version saved" in response.content.decode()
    harbour.refresh_from_db()
    assert (harbour.pk, harbour.slug, harbour.get_absolute_url()) == (pk, "harbour", url)
    assert list(harbour.tags.values_list("slug", flat=True)) == ["sea"]
    assert (harbour.width, harbour.height) == (1200, 800)
    assert near(colour_of(downloaded(client, f"{url}original/")), BLUE)
    assert week_counts(week_of(today)) == counts_before


def test_employees_see_updated_and_the_date_but_not_who(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    harbour.refresh_from_db()
    client.force_login(employee)
    html = client.get(harbour.get_absolute_url()).content.decode()
    assert f"Updated {harbour.replaced_at:%b}" in html
    assert "by mark" not in html
    assert "Version history" not in html


def test_marketing_sees_the_history_with_who_added_each_file_and_when(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    html = client.get(f"/library/{harbour.slug}/edit/").content.decode()
    history = html[html.index('id="versions"') :]
    assert "<strong>Current</strong>" in history and "1200×800 JPEG" in history
    assert "900×600 JPEG" in history
    assert history.count("by mark") == 2
    assert "Restore this version" in history


def test_a_replacement_identical_to_the_current_file_is_refused(client, marketer, harbour):
    client.force_login(marketer)
    with harbour.original.open("rb") as file:
        same = file.read()
    html = new_version(client, harbour, same).content.decode()
    assert "this file is the same as the current one" in html
    assert harbour.versions.count() == 0


def test_a_replacement_goes_through_the_same_checks_as_an_upload(client, marketer, harbour):
    client.force_login(marketer)
    html = new_version(client, harbour, b"not an image at all", name="fake.jpg").content.decode()
    assert "The new version was not taken:" in html
    harbour.refresh_from_db()
    assert harbour.versions.count() == 0 and harbour.width == 900


def test_a_replacement_that_is_another_asset_is_refused(client, marketer, harbour):
    other = make_asset(title="Lighthouse", data=image_bytes("JPEG", (300, 200)))
    client.force_login(marketer)
    with other.original.open("rb") as file:
        html = new_version(client, harbour, file.read()).content.decode()
    assert "already in the library as “Lighthouse”" in html


def test_restoring_puts_the_old_file_back_and_keeps_the_replaced_one(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    first_name, first_sha = harbour.original.name, harbour.sha256
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    version = harbour.versions.get()
    assert default_storage.exists(first_name), "the old file is kept"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/library/{harbour.slug}/versions/{version.pk}/restore/", follow=True
        )
    assert "The earlier file is current again" in response.content.decode()
    harbour.refresh_from_db()
    assert (harbour.original.name, harbour.sha256) == (first_name, first_sha)
    assert default_storage.exists(first_name), "restoring deletes no file"
    assert near(colour_of(downloaded(client, f"/assets/{harbour.slug}/original/")), RED)
    assert list(harbour.versions.values_list("width", flat=True)) == [1200]
    assert set(harbour.current_renditions().values_list("status", flat=True)) == {"ready"}


def test_a_new_version_is_refused_when_it_is_already_in_the_history(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    with harbour.original.open("rb") as file:
        first = file.read()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    html = new_version(client, harbour, first).content.decode()
    assert "restore it from the version history instead" in html


def test_until_new_sizes_are_ready_the_previous_ones_are_served_then_never_again(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    old_files = set(harbour.renditions.values_list("file", flat=True))
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    client.force_login(employee)
    # Queued, not made yet: every size still downloads, and it is the previous picture.
    for preset in presets_for("photo"):
        assert downloaded(client, f"/assets/{harbour.slug}/sizes/{preset.slug}/")
    avatar = downloaded(client, f"/assets/{harbour.slug}/sizes/avatar-large/")
    assert near(colour_of(avatar), RED)

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    # The previous file's sizes are kept with it in the history, and no employee gets one.
    for preset in (preset for preset in presets_for("photo") if not preset.overlay):
        size = downloaded(client, f"/assets/{harbour.slug}/sizes/{preset.slug}/")
        assert near(colour_of(size), BLUE), preset.slug
    entries = zip_entries(client, harbour)
    assert entries and all(near(colour_of(data), BLUE, 20) for data in entries.values())
    assert all(default_storage.exists(name) for name in old_files)


def every_size(client, asset: Asset) -> dict[str, bytes]:
    return {
        preset.slug: downloaded(client, f"/assets/{asset.slug}/sizes/{preset.slug}/")
        for preset in presets_for(asset.kind)
    }


def restore(client, asset: Asset) -> str:
    version = asset.versions.get()
    response = client.post(f"/library/{asset.slug}/versions/{version.pk}/restore/", follow=True)
    return html.unescape(response.content.decode())


def test_restoring_brings_back_every_unchanged_size_at_once_with_the_same_bytes(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    client.force_login(employee)
    before, zip_before = every_size(client, harbour), zip_entries(client, harbour)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))

    # Nothing that runs after the commit (no worker) runs: the sizes are there already.
    with django_capture_on_commit_callbacks(execute=False):
        page = restore(client, harbour)
    assert f"All {len(presets_for('photo'))} sizes are back at once." in page
    harbour.refresh_from_db()
    assert not harbour.current_renditions().exclude(status=Rendition.Status.READY).exists()
    client.force_login(employee)
    assert every_size(client, harbour) == before
    assert zip_entries(client, harbour) == zip_before


def test_restoring_makes_again_only_the_size_whose_crop_changed_since(
    client, marketer, employee, django_capture_on_commit_callbacks
):
    # A picture with something in it, so that another crop makes another file.
    with django_capture_on_commit_callbacks(execute=True):
        harbour = make_asset(title="Harbour", data=to_bytes(picture(900, 600), "JPEG").getvalue())
    client.force_login(employee)
    before = every_size(client, harbour)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
        client.post(
            f"/library/{harbour.slug}/edit/",
            {
                "title_en": harbour.title,
                "kind": "photo",
                "focal_x": "0.5",
                "focal_y": "0.5",
                "crop_overrides": '{"x-header": {"x": 0, "y": 0, "w": 1, "h": 0.3}}',
            },
        )

    total = len(presets_for("photo"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = restore(client, harbour)
    assert f"{total - 1} of its {total} sizes are back at once; 1 is being made again" in page
    harbour.refresh_from_db()
    pending = harbour.current_renditions().exclude(status=Rendition.Status.READY)
    assert list(pending.values_list("preset", flat=True)) == ["x-header"]
    client.force_login(employee)
    # Meanwhile it is the restored picture's earlier header, never the replaced file's.
    assert every_size(client, harbour) == before

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    assert not pending.exists()
    after = every_size(client, harbour)
    assert after.pop("x-header") != before.pop("x-header")
    assert after == before


def test_restoring_makes_again_a_size_whose_preset_changed_since(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    # What a deploy that changed the header preset finds: the earlier file's header was made
    # under the preset's previous version.
    version = harbour.versions.get()
    as_it_was = Asset.objects.get(pk=harbour.pk)
    as_it_was.sha256 = version.sha256
    header = get_preset("x-header")
    older = dataclasses.replace(header, version=header.version - 1 or 1000)
    version.sizes.filter(preset="x-header").update(source_key=as_it_was.rendition_key(older))

    total = len(presets_for("photo"))
    with django_capture_on_commit_callbacks(execute=True):
        page = restore(client, harbour)
    assert f"{total - 1} of its {total} sizes are back at once; 1 is being made again" in page
    harbour.refresh_from_db()
    assert set(harbour.current_renditions().values_list("status", flat=True)) == {"ready"}
    client.force_login(employee)
    assert near(colour_of(downloaded(client, f"/assets/{harbour.slug}/sizes/x-header/")), RED)


def test_restoring_after_a_new_focal_point_makes_every_size_again(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
        client.post(
            f"/library/{harbour.slug}/edit/",
            {"title_en": harbour.title, "kind": "photo", "focal_x": "0.2", "focal_y": "0.5"},
        )
    total = len(presets_for("photo"))
    with django_capture_on_commit_callbacks(execute=False):
        page = restore(client, harbour)
    assert f"0 of its {total} sizes are back at once; {total} are being made again" in page


def test_the_history_says_how_many_sizes_each_earlier_file_keeps(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    page = html.unescape(client.get(f"/library/{harbour.slug}/edit/").content.decode())
    total = len(presets_for("photo"))
    assert f"{total} sizes kept: restoring brings them back at once" in page


def test_nobody_is_notified_of_a_new_version(
    client, marketer, harbour, settings, django_capture_on_commit_callbacks
):
    settings.ALL_STAFF_EMAIL = "staff@example.com"
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    assert mail.outbox == []
    assert not Announcement.objects.exists()


def test_deleting_an_asset_deletes_every_version_file(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    names = [harbour.versions.get().file.name, Asset.objects.get().original.name]
    names += [
        name for row in harbour.renditions.all() for name in (row.file.name, row.display.name)
    ]
    assert harbour.versions.get().sizes.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/library/{harbour.slug}/delete/")
    assert not any(default_storage.exists(name) for name in names if name)


def test_import_assets_replace_makes_a_new_version(harbour, tmp_path, capsys):
    path = tmp_path / "harbour-v2.png"
    path.write_bytes(image_bytes("PNG", (900, 600), colour=BLUE))
    call_command("import_assets", "--replace", "harbour", str(path))
    assert f"replaced {path} -> harbour" in capsys.readouterr().out
    harbour.refresh_from_db()
    assert harbour.format == "PNG" and harbour.versions.get().format == "JPEG"


def test_import_assets_replace_reports_a_refused_file(harbour, tmp_path, capsys):
    path = tmp_path / "same.jpg"
    with harbour.original.open("rb") as file:
        path.write_bytes(file.read())
    with pytest.raises(CommandError) as refused:
        call_command("import_assets", "--replace", "harbour", str(path))
    assert refused.value.returncode == 1
    assert "rejected" in capsys.readouterr().out


def test_import_assets_replace_takes_exactly_one_file(harbour, tmp_path):
    paths = [tmp_path / "a.jpg", tmp_path / "b.jpg"]
    for path in paths:
        path.write_bytes(image_bytes("JPEG", (40, 40)))
    with pytest.raises(CommandError) as refused:
        call_command("import_assets", "--replace", "harbour", *map(str, paths))
    assert refused.value.returncode == 2


def test_import_assets_replace_needs_a_known_asset(db, tmp_path):
    path = tmp_path / "a.jpg"
    path.write_bytes(image_bytes("JPEG", (40, 40)))
    with pytest.raises(CommandError) as refused:
        call_command("import_assets", "--replace", "no-such-asset", str(path))
    assert refused.value.returncode == 2


REFUSED = [hostile for hostile in corpus() if hostile.refused]


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize("hostile", REFUSED, ids=lambda hostile: hostile.id)
def test_a_new_version_is_refused_for_the_same_reason_as_an_upload(client, marketer, hostile):
    # No sizes made: a refusal comes before any of them would matter.
    harbour = make_asset(title="Harbour", data=image_bytes("JPEG", (900, 600)))
    client.force_login(marketer)
    response = client.post(
        f"/library/{harbour.slug}/new-version/",
        {"file": SimpleUploadedFile(hostile.filename, hostile.data)},
        follow=True,
    )
    assert hostile.refused in html.unescape(response.content.decode())
    harbour.refresh_from_db()
    assert harbour.versions.count() == 0 and harbour.width == 900


def test_a_new_version_of_a_profile_frame_without_a_transparent_hole_is_refused(client, marketer):
    frame = make_asset(title="Frame", filename="frame.png", data=frame_png(), kind=Asset.Kind.FRAME)
    client.force_login(marketer)
    html = new_version(client, frame, image_bytes("JPEG", (800, 800)), "flat.jpg").content
    assert "needs a see-through middle" in html.decode()
    frame.refresh_from_db()
    assert (frame.format, frame.versions.count()) == ("PNG", 0)


def test_an_opaque_earlier_file_is_not_restored_into_a_profile_frame(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, frame_png(), "frame.png")
        client.post(f"/library/{harbour.slug}/kind/", {"kind": "frame"})
    opaque = harbour.versions.get()
    response = client.post(f"/library/{harbour.slug}/versions/{opaque.pk}/restore/", follow=True)
    assert "needs a see-through middle" in response.content.decode()
    harbour.refresh_from_db()
    assert (harbour.kind, harbour.format) == (Asset.Kind.FRAME, "PNG")


def test_the_history_shows_each_version_as_a_picture_with_its_date_and_who_added_it(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    version = harbour.versions.get()
    page = client.get(f"/library/{harbour.slug}/edit/").content.decode()
    address = f"/library/{harbour.slug}/versions/{version.pk}/thumbnail/"
    assert f'src="{address}"' in page
    assert f"Added {version.added_at:%-d %b %Y}" in page
    assert f"by {marketer.get_username()}" in page
    response = client.get(address)
    assert response["Content-Type"] == "image/jpeg"
    # The earlier file's own picture: red, where the current file is blue.
    assert near(colour_of(response.content), RED, tolerance=20)
    assert Image.open(io.BytesIO(response.content)).size == (400, 300)


def test_employees_cannot_see_pictures_of_earlier_versions(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    version = harbour.versions.get()
    client.force_login(employee)
    response = client.get(f"/library/{harbour.slug}/versions/{version.pk}/thumbnail/")
    assert response.status_code == 403


def zip_entries(client, asset: Asset) -> dict[str, bytes]:
    response = client.get(f"/assets/{asset.slug}/all-sizes.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "README.txt"}


def test_a_zip_is_built_from_one_file_even_while_the_sizes_switch_to_a_new_one(
    client, marketer, employee, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=False):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    harbour.refresh_from_db()
    # Another worker holds the claim on half of the new sizes; this one makes the rest, so
    # half of the sizes served are of the new file and half of the old one.
    pending = list(harbour.current_renditions().values_list("pk", flat=True))
    held = pending[: len(pending) // 2]
    Rendition.objects.filter(pk__in=held).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    renditions_make(asset=harbour)
    client.force_login(employee)
    response = client.get(f"/assets/{harbour.slug}/all-sizes.zip")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "would mix old and new files" in response.content.decode()

    Rendition.objects.filter(pk__in=held).update(claimed_until=None)
    renditions_make(asset=harbour)
    entries = zip_entries(client, harbour)
    assert entries and all(near(colour_of(data), BLUE, 20) for data in entries.values())


def test_a_zip_of_an_artwork_whose_sizes_are_settled_is_one_file_as_before(
    client, employee, harbour
):
    client.force_login(employee)
    entries = zip_entries(client, harbour)
    assert entries and all(near(colour_of(data), RED, 20) for data in entries.values())


def test_a_file_in_another_assets_history_is_refused_as_an_upload_saying_where(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    with harbour.original.open("rb") as file:
        first = file.read()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    response = client.post(
        "/library/upload/",
        {"files": [upload("old harbour.jpg", first)], "kind": "photo"},
        headers={"accept": "application/json"},
    )
    (refusal,) = response.json()["refused"]
    assert "in the version history of “Harbour”" in refusal["reason"]
    assert refusal["existing_url"] == f"/library/{harbour.slug}/edit/#versions"
    assert Asset.objects.count() == 1


def test_a_file_in_another_assets_history_is_refused_as_a_new_version_with_a_link(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    with harbour.original.open("rb") as file:
        first = file.read()
    lighthouse = make_asset(title="Lighthouse", data=image_bytes("JPEG", (300, 200)))
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    page = new_version(client, lighthouse, first).content.decode()
    assert "in the version history of “Harbour”" in html.unescape(page)
    assert f'<a href="/library/{harbour.slug}/edit/#versions">See where it is</a>' in page
    assert lighthouse.versions.count() == 0


def test_marketing_downloads_an_earlier_file_as_it_was_uploaded(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    with harbour.original.open("rb") as file:
        first = file.read()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    version = harbour.versions.get()
    assert downloaded(client, f"/library/{harbour.slug}/versions/{version.pk}/file/") == first


def test_a_note_goes_with_its_file_into_the_history_and_can_be_changed_there(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/library/{harbour.slug}/new-version/",
            {"file": upload("v2.jpg", image_bytes("JPEG", (900, 600))), "note": "New tagline"},
        )
        new_version(client, harbour, image_bytes("JPEG", (900, 600), colour=BLUE))
    noted = harbour.versions.get(note="New tagline")
    client.post(f"/library/{harbour.slug}/versions/{noted.pk}/note/", {"note": "Spring tagline"})
    client.post(f"/library/{harbour.slug}/versions/current/note/", {"note": "Blue sea"})
    page = client.get(f"/library/{harbour.slug}/edit/").content.decode()
    assert 'value="Spring tagline"' in page and 'value="Blue sea"' in page


def test_marketing_compares_two_versions_side_by_side(
    client, marketer, harbour, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    version = harbour.versions.get()
    page = client.get(f"/library/{harbour.slug}/versions/compare/").content.decode()
    picture = f"/library/{harbour.slug}/versions/{version.pk}/preview/"
    assert f'src="{picture}"' in page and "/preview/preview/" in page
    assert "900×600 JPEG" in page and "1200×800 JPEG" in page
    larger = client.get(picture)
    assert near(colour_of(larger.content), RED, tolerance=20)
    assert max(Image.open(io.BytesIO(larger.content)).size) > 400


@pytest.fixture
def added_on_5_march(client, marketer, harbour, settings, django_capture_on_commit_callbacks):
    """Harbour's earlier file, added on 5 March 2026 at 09:30 UTC: 10:30 in the portal's time
    zone here (Berlin). Marketing is signed in."""
    settings.TIME_ZONE = "Europe/Berlin"
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        new_version(client, harbour, image_bytes("JPEG", (1200, 800), colour=BLUE))
    harbour.versions.update(added_at=datetime.datetime(2026, 3, 5, 9, 30, tzinfo=datetime.UTC))
    return harbour.versions.get()


def test_the_compare_choices_name_a_file_by_the_portals_local_time_like_its_caption(
    client, harbour, added_on_5_march
):
    page = client.get(f"/library/{harbour.slug}/versions/compare/").content.decode()
    option = f'<option value="{added_on_5_march.pk}" selected>Added 5 Mar 2026, 10:30</option>'
    assert option in page
    assert "added 5 Mar 2026, 10:30" in page


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "5 Mar 2026, 10:30"), ("de", "5. März 2026, 10:30"), ("fr", "5 mars 2026, 10:30")],
)
def test_marketing_reads_when_a_file_was_added_as_its_language_writes_dates(
    client, harbour, added_on_5_march, language, written
):
    for url in (f"/library/{harbour.slug}/edit/", f"/library/{harbour.slug}/versions/compare/"):
        page = html.unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert written in page
