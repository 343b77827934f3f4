"""clean_originals: the files an earlier release stored as they were uploaded, cleaned as an
upload is cleaned today, and what employees then download."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from assets.models import Asset, AssetVersion, Rendition, original_upload_to
from assets.services import renditions_request
from tests.assets.imagegen import to_bytes
from tests.assets.test_designer_files import (
    GPS_IFD,
    ORIENTATION,
    SRGB,
    TIFFS,
    assert_a_clean_tiff,
    exif_bytes,
    inkscape_svg,
    pixels,
    quadrants,
    stored,
)

pytestmark = pytest.mark.django_db

PAYLOAD = b"PK\x03\x04<html><script>alert(1)</script></html>"
SECRETS = (b"PhoneMaker", b"SN-4711", b"maker secrets")


def camera_jpeg(corner: tuple | None = None) -> bytes:
    """A phone photo, turned (orientation 6), with its location, serial, maker note and
    profile, and a payload after its end."""
    photo = stored(quadrants(corner=corner), 6)
    exif = exif_bytes(6, private=True)
    return to_bytes(photo, "JPEG", quality=90, exif=exif, icc_profile=SRGB).read() + PAYLOAD


def png_polyglot() -> bytes:
    return to_bytes(quadrants(), "PNG", exif=exif_bytes(1, private=True)).read() + PAYLOAD


def animated_png() -> bytes:
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "blue")]
    return to_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:]).read()


def stored_as_uploaded(title: str, data: bytes, format: str, size: tuple[int, int]) -> Asset:
    """An asset as an earlier release added it: the upload's bytes under its SHA-256."""
    asset = Asset(
        title=title,
        slug=slugify(title),
        status=Asset.Status.PUBLISHED,
        width=size[0],
        height=size[1],
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        format=format,
    )
    asset.original.name = default_storage.save(original_upload_to(asset, ""), ContentFile(data))
    asset.save()
    return asset


def version_as_uploaded(asset: Asset, data: bytes, format: str) -> AssetVersion:
    version = AssetVersion(
        asset=asset,
        width=120,
        height=80,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        format=format,
        added_at=timezone.now(),
    )
    version.file.name = default_storage.save(original_upload_to(version, ""), ContentFile(data))
    version.save()
    return version


def downloaded(client, employee, asset: Asset) -> bytes:
    client.force_login(employee)
    response = client.get(reverse("assets:original", args=[asset.slug]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def photo() -> Asset:
    return stored_as_uploaded("Harbour", camera_jpeg(), "JPEG", (120, 80))


def test_an_old_photo_is_served_without_its_location_serial_maker_note_or_payload(
    photo, clean_originals_run, client, employee
):
    output, status = clean_originals_run()

    assert status == 0, output
    assert [secret for secret in SECRETS if secret not in camera_jpeg()] == []
    kept = downloaded(client, employee, photo)
    with Image.open(io.BytesIO(kept)) as image:
        exif = image.getexif()
        assert image.info["icc_profile"] == SRGB
    assert exif[ORIENTATION] == 6 and exif.get_ifd(GPS_IFD) == {}
    assert [secret for secret in SECRETS if secret in kept] == []
    assert kept.endswith(b"\xff\xd9") and PAYLOAD not in kept
    assert pixels(kept) == pixels(camera_jpeg())  # the scan was not re-encoded


def test_the_row_describes_the_cleaned_file(photo, clean_originals_run):
    clean_originals_run()

    photo.refresh_from_db()
    with photo.original.open("rb") as file:
        kept = file.read()
    assert photo.original.name == f"originals/{photo.sha256[:2]}/{photo.sha256}.jpg"
    assert (photo.sha256, photo.byte_size) == (hashlib.sha256(kept).hexdigest(), len(kept))
    assert (photo.width, photo.height, photo.format) == (120, 80, "JPEG")


def test_an_old_png_ends_at_iend_and_loses_its_exif_chunk(clean_originals_run, client, employee):
    asset = stored_as_uploaded("Poster", png_polyglot(), "PNG", (120, 80))
    assert b"eXIf" in png_polyglot() and b"SN-4711" in png_polyglot()

    clean_originals_run()

    kept = downloaded(client, employee, asset)
    assert kept.endswith(b"IEND\xaeB`\x82") and PAYLOAD not in kept
    assert [secret for secret in SECRETS if secret in kept] == []
    assert pixels(kept) == pixels(png_polyglot())


def test_an_old_tiff_loses_its_location_and_has_its_size_recorded_upright(
    clean_originals_run, client, employee
):
    tiff = TIFFS["tiff-8-bit-rgb-strips"]()
    # The release that first took TIFFs turned the recorded size of a turned one on its side.
    asset = stored_as_uploaded("Print", tiff, "TIFF", (80, 120))

    clean_originals_run()

    assert_a_clean_tiff(downloaded(client, employee, asset), tiff, icc=SRGB)
    asset.refresh_from_db()
    assert (asset.width, asset.height) == (120, 80)
    # Sizes planned for the wrong shape are made again.
    assert asset.current_renditions().filter(status=Rendition.Status.PENDING).exists()


def test_an_old_svg_is_sanitized_once(clean_originals_run):
    asset = stored_as_uploaded("Logo", inkscape_svg(), "SVG", (100, 100))

    first, _ = clean_originals_run()
    second, _ = clean_originals_run()

    assert first.startswith("cleaned logo (originals/")
    assert second == "Nothing to do: all 1 stored file(s) are clean.\n"
    asset.refresh_from_db()
    with asset.original.open("rb") as file:
        assert b"sodipodi" not in file.read()


def test_an_old_version_is_cleaned_and_restored_clean(
    photo, clean_originals_run, client, marketer, employee
):
    earlier = camera_jpeg(corner=(0, 0, 0))
    version = version_as_uploaded(photo, earlier, "JPEG")

    clean_originals_run()
    client.force_login(marketer)
    response = client.post(reverse("assets:restore-version", args=[photo.slug, version.pk]))

    assert response.status_code == 302
    kept = downloaded(client, employee, photo)
    assert [secret for secret in SECRETS if secret in kept] == [] and PAYLOAD not in kept
    assert pixels(kept) == pixels(earlier)


def test_the_old_files_are_gone_from_storage(
    photo, clean_originals_run, django_capture_on_commit_callbacks
):
    version = version_as_uploaded(photo, png_polyglot(), "PNG")
    old = [photo.original.name, version.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        clean_originals_run()

    assert [name for name in old if default_storage.exists(name)] == []


def test_a_file_refused_today_is_left_untouched_and_named(photo, clean_originals_run):
    animation = stored_as_uploaded("Spinner", animated_png(), "PNG", (40, 40))

    output, status = clean_originals_run()

    assert status == 1
    assert (
        f"left spinner ({animation.original.name}): animated images are not supported; "
        "upload a still image" in output
    )
    assert "1 cleaned, 0 already clean, 1 left." in output  # it carried on
    with animation.original.open("rb") as file:
        assert file.read() == animated_png()


def test_a_second_run_has_nothing_to_do(photo, clean_originals_run):
    version_as_uploaded(photo, png_polyglot(), "PNG")
    clean_originals_run()
    photo.refresh_from_db()
    name = photo.original.name

    output, status = clean_originals_run()

    assert (output, status) == ("Nothing to do: all 2 stored file(s) are clean.\n", 0)
    photo.refresh_from_db()
    assert photo.original.name == name


def test_a_dry_run_lists_what_would_change_and_changes_nothing(photo, clean_originals_run):
    output, status = clean_originals_run("--dry-run")

    assert status == 0
    assert output == (
        f"would clean harbour ({photo.original.name})\n"
        "1 would be cleaned, 0 already clean, 0 left. Nothing was changed.\n"
    )
    with Asset.objects.get().original.open("rb") as file:
        assert file.read() == camera_jpeg()


def test_the_sizes_made_from_the_old_file_stay_current_and_are_not_made_again(
    photo, clean_originals_run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renditions_request(asset=photo)
    made = {r.preset: r.file.name for r in photo.current_renditions()}
    assert made and all(made.values())

    clean_originals_run()

    photo.refresh_from_db()
    current = photo.current_renditions()
    assert {r.preset: r.file.name for r in current} == made
    assert {r.status for r in current} == {Rendition.Status.READY}


def test_the_same_camera_file_uploaded_again_is_found_as_a_duplicate(
    photo, clean_originals_run, client, marketer
):
    clean_originals_run()
    client.force_login(marketer)

    response = client.post(
        reverse("assets:upload"),
        {"files": [SimpleUploadedFile("IMG_0001.jpg", camera_jpeg())], "kind": "photo"},
        follow=True,
    )

    assert "already in the library as “Harbour”" in response.content.decode()
    assert Asset.objects.count() == 1


def test_two_old_files_that_clean_to_the_same_bytes_leave_one_named(photo, clean_originals_run):
    twin = stored_as_uploaded("Harbour again", camera_jpeg() + b"other payload", "JPEG", (120, 80))

    output, status = clean_originals_run()

    assert status == 1
    assert (
        f"left harbour-again ({twin.original.name}): cleaned, it is the same file as the asset "
        "“Harbour” (harbour); delete one of the two and run this again" in output
    )


def test_on_s3_the_bucket_keeps_only_the_cleaned_file(
    s3_bucket, clean_originals_run, django_capture_on_commit_callbacks
):
    photo = stored_as_uploaded("Harbour", camera_jpeg(), "JPEG", (120, 80))

    with django_capture_on_commit_callbacks(execute=True):
        _, status = clean_originals_run()

    photo.refresh_from_db()
    assert status == 0
    assert [item.key for item in s3_bucket.objects.all()] == [photo.original.name]
    kept = s3_bucket.Object(photo.original.name).get()["Body"].read()
    assert [secret for secret in SECRETS if secret in kept] == [] and PAYLOAD not in kept
