"""The employee's kit: one file per platform slot, people's file names, the ZIP and its README,
the public signature banner, and the frame-overlay kind."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assets.models import Asset, Rendition
from assets.renditions.platforms import load_platforms
from assets.renditions.presets import get_preset, internal_presets
from assets.services import renditions_request
from tests.assets.imagegen import frame_overlay, picture, to_bytes
from tests.factories import image_bytes, make_asset, upload
from tracking.models import week_of
from tracking.tally import week_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_asset(
            title="Harbour", data=to_bytes(picture(3000, 2000), "JPEG", quality=85).getvalue()
        )


def downloads_on(page: str) -> list[str]:
    return re.findall(r'<a class="button[^"]*" href="([^"]+)" download', page)


def edit(client, photo: Asset, **fields):
    """Marketing saves the asset's edit page: its title and kind, the focal point centred,
    and ``fields``."""
    form = {"title_en": photo.title, "kind": photo.kind, "focal_x": "0.5", "focal_y": "0.5"}
    return client.post(reverse("assets:edit", args=[photo.slug]), form | fields)


def test_each_platform_slot_gets_one_download_and_the_original_is_a_quiet_link(
    client, employee, photo
):
    client.force_login(employee)
    page = client.get(photo.get_absolute_url()).content.decode()
    wanted = [
        f"/assets/{photo.slug}/sizes/{slot.preset.slug}/?for={platform.slug}"
        for platform in load_platforms()
        for slot in platform.slots
        if slot.personal != "frame"  # made with the person's own photo, in the browser
    ]
    assert downloads_on(page) == [f"/assets/{photo.slug}/all-sizes.zip", *wanted]
    assert f'class="quiet-link" href="/assets/{photo.slug}/original/"' in page


def test_employees_see_the_steps_but_not_where_the_specs_were_read(client, employee, photo):
    client.force_login(employee)
    page = client.get(photo.get_absolute_url()).content.decode()
    linkedin = next(platform for platform in load_platforms() if platform.slug == "linkedin")
    assert f'href="{linkedin.link.url}"' in page
    assert linkedin.slots[1].steps[0] in page
    assert "Spec checked" not in page
    assert "chuckreynolds" not in page


def test_marketing_sees_where_each_size_and_step_comes_from_on_the_edit_page(
    client, marketer, photo
):
    client.force_login(marketer)
    page = client.get(f"/library/{photo.slug}/edit/").content.decode()
    assert "checked 2026-12-01" in page
    assert "LinkedIn Help a568217" in page


def test_one_download_is_named_for_the_platform_it_was_offered_for(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/sizes/avatar-large/?for=slack")
    assert response["Content-Disposition"] == (
        'attachment; filename="Harbour - Slack - profile photo - 1024x1024.jpg"'
    )


def test_the_zip_has_platform_folders_with_peoples_names_and_a_readme(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/all-sizes.zip")
    assert response["Content-Disposition"] == 'attachment; filename="Harbour - every platform.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names[0] == "README.txt"
    assert "LinkedIn/Harbour - LinkedIn - banner - 1584x396.jpg" in names
    assert "X/Harbour - X - profile photo - 400x400.jpg" in names
    assert not [name for name in names if "harbour" in name or "frame" in name]
    readme = archive.read("README.txt").decode()
    assert "your choice: nobody checks" in readme
    for name in names[1:]:
        assert name.split("/", 1)[1] in readme
    assert "Open your LinkedIn profile: https://www.linkedin.com/in/me/" in readme
    with Image.open(io.BytesIO(archive.read("X/Harbour - X - header - 1500x500.jpg"))) as header:
        assert header.size == (1500, 500)


def zip_of(client, asset) -> zipfile.ZipFile:
    response = client.get(f"/assets/{asset.slug}/all-sizes.zip")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_two_artworks_downloaded_for_the_same_slot_never_share_a_file_name(
    client, employee, photo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        other = make_asset(title="Spring sailings", data=image_bytes("JPEG", (3000, 2000)))
    client.force_login(employee)
    names = {
        client.get(f"/assets/{asset.slug}/sizes/linkedin-banner/?for=linkedin")[
            "Content-Disposition"
        ]
        for asset in (photo, other)
    }
    assert names == {
        'attachment; filename="Harbour - LinkedIn - banner - 1584x396.jpg"',
        'attachment; filename="Spring sailings - LinkedIn - banner - 1584x396.jpg"',
    }


def test_characters_windows_refuses_in_file_names_are_left_out_of_the_title(
    client, employee, photo
):
    photo.title = 'Spring: "sailings" <2027> / North|South?*'
    photo.save()
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/sizes/x-header/?for=x")
    assert response["Content-Disposition"] == (
        'attachment; filename="Spring sailings 2027 NorthSouth - X - header - 1500x500.jpg"'
    )
    names = zip_of(client, photo).namelist()
    assert "X/Spring sailings 2027 NorthSouth - X - header - 1500x500.jpg" in names


def test_the_zip_holds_one_call_background_that_the_readme_gives_to_every_call_app(
    client, employee, photo
):
    client.force_login(employee)
    archive = zip_of(client, photo)
    backgrounds = [name for name in archive.namelist() if "1920x1080" in name]
    assert backgrounds == ["Video calls/Harbour - call background - 1920x1080.jpg"]
    readme = archive.read("README.txt").decode()
    assert (
        "Where it goes: your background in Microsoft Teams, Zoom and Google Meet; "
        "this one file serves them all." in readme
    )
    assert "How to set it in Zoom:" in readme
    assert "Open Zoom settings: https://zoom.us/profile/setting" in readme


def test_the_zip_has_a_plain_profile_photo_for_linkedin_and_facebook_beside_the_frame_line(
    client, employee, photo
):
    client.force_login(employee)
    archive = zip_of(client, photo)
    for platform in ("LinkedIn", "Facebook"):
        name = f"{platform}/Harbour - {platform} - profile photo - 1024x1024.jpg"
        with Image.open(io.BytesIO(archive.read(name))) as profile:
            assert profile.size == (1024, 1024)
    readme = archive.read("README.txt").decode()
    assert (
        "Or put the frame over your own photo on the portal page and use that as your "
        "LinkedIn profile photo." in readme
    )


def test_the_zip_readme_says_where_each_file_goes_in_plain_words(client, employee, photo):
    client.force_login(employee)
    readme = zip_of(client, photo).read("README.txt").decode()
    assert "Where it goes: the banner in your email signature." in readme
    assert "Where it goes: your LinkedIn banner." in readme
    assert "signature signature" not in readme


def test_a_signature_banner_is_served_to_mail_readers_by_default_without_cookies_or_counting(
    client, photo
):
    response = client.get(f"/assets/{photo.slug}/signature-image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert not response.cookies
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as banner:
        assert banner.size == (1200, 300)
    assert week_counts(week_of(timezone.localdate())) == {}


def test_artwork_marketing_offers_no_signature_for_has_no_banner_and_no_signature_tool(
    client, employee, photo
):
    photo.signature_public = False
    photo.save()
    assert client.get(f"/assets/{photo.slug}/signature-image/").status_code == 404
    client.force_login(employee)
    assert client.get(f"/assets/{photo.slug}/signature-image/").status_code == 404
    assert "data-signature-tool" not in client.get(photo.get_absolute_url()).content.decode()


def test_a_draft_has_no_public_signature_banner(client, photo):
    photo.status = Asset.Status.DRAFT
    photo.save()
    assert client.get(f"/assets/{photo.slug}/signature-image/").status_code == 404


def test_the_edit_page_says_the_banner_is_served_without_sign_in_and_takes_its_link(
    client, marketer, photo
):
    client.force_login(marketer)
    html = client.get(reverse("assets:edit", args=[photo.slug])).content.decode()
    assert "Offer as an email-signature banner" in html
    assert "no sign-in, no cookie, never counted" in html
    edit(
        client,
        photo,
        text_area=photo.text_area,
        signature_public="on",
        signature_link="https://example.com/spring",
    )
    photo.refresh_from_db()
    assert photo.signature_link == "https://example.com/spring"
    page = client.get(photo.get_absolute_url()).content.decode()
    assert 'data-link-url="https://example.com/spring"' in page


def test_the_signature_address_is_the_same_for_everyone_and_survives_new_renditions(
    client, employee, marketer, photo, django_capture_on_commit_callbacks
):
    client.force_login(employee)
    address = f"http://testserver/assets/{photo.slug}/signature-image/"
    assert f'data-image-url="{address}"' in client.get(photo.get_absolute_url()).content.decode()
    photo.focal_x = 0.2
    with django_capture_on_commit_callbacks(execute=True):
        photo.save()
        renditions_request(asset=photo)
    client.force_login(marketer)
    assert f'data-image-url="{address}"' in client.get(photo.get_absolute_url()).content.decode()
    assert client.get(address).status_code == 200


def test_a_frame_overlay_is_made_into_its_own_size_with_its_hole_kept(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    data = to_bytes(frame_overlay(800), "PNG").getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/library/upload/",
            {"files": [upload("Frame.png", data)], "kind": "frame", "publish": "on"},
        )
    asset = Asset.objects.get()
    made = asset.current_renditions().exclude(preset__in=[p.slug for p in internal_presets()])
    assert list(made.values_list("preset", "status")) == [("frame-overlay", "ready")]
    with made.get().file.open("rb") as file, Image.open(file) as overlay:
        assert overlay.size == (1024, 1024)
        assert overlay.getpixel((512, 512))[3] == 0  # the hole, for the person's photo
        assert overlay.getpixel((512, 20)) == (200, 40, 90, 255)  # the ring, as drawn
    page = client.get(asset.get_absolute_url()).content.decode()
    assert f'data-image-url="/assets/{asset.slug}/sizes/frame-overlay/"' in page
    assert client.get(f"/assets/{asset.slug}/preview/").status_code == 200


def test_an_opaque_image_is_refused_as_a_frame_with_what_to_do(client, marketer):
    client.force_login(marketer)
    page = client.post(
        "/library/upload/", {"files": [upload("Flat.jpg", image_bytes())], "kind": "frame"}
    ).content.decode()
    assert "needs a see-through middle" in page
    assert not Asset.objects.exists()


def test_marketing_cannot_turn_an_opaque_photo_into_a_frame(client, marketer, photo):
    client.force_login(marketer)
    response = edit(client, photo, kind="frame", text_area="bottom")
    assert "needs a see-through middle" in response.content.decode()
    photo.refresh_from_db()
    assert photo.kind == Asset.Kind.PHOTO


def test_a_logo_gets_the_built_in_ring_with_marketings_ring_text(
    client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        logo = make_asset(
            title="Mark",
            kind=Asset.Kind.LOGO,
            filename="mark.png",
            data=image_bytes("PNG", (400, 400), mode="RGBA"),
        )
    logo.ring_text = "Spring sailings"
    logo.save()
    client.force_login(employee)
    page = client.get(logo.get_absolute_url()).content.decode()
    assert 'data-mode="ring"' in page
    assert 'data-ring-text="Spring sailings"' in page
    assert Rendition.objects.filter(asset=logo, preset="avatar-large", status="ready").exists()


def test_marketings_text_box_lands_on_the_same_part_of_the_picture_in_each_banner(photo):
    photo.text_box = {"x": 0.5, "y": 0.5, "w": 0.25, "h": 0.125}
    # A 3000x2000 photo: the LinkedIn banner keeps the full width and the middle 750 rows.
    assert photo.text_slot(get_preset("linkedin-banner")) == (0.5, 0.5, 0.25, 0.3333)


def test_without_a_text_box_or_for_a_logo_the_text_goes_in_the_safe_zone(photo):
    zone = get_preset("linkedin-banner").safe_zone
    assert photo.text_slot(get_preset("linkedin-banner")) == (zone.x, zone.y, zone.w, zone.h)
    photo.text_box, photo.kind = {"x": 0.5, "y": 0.5, "w": 0.25, "h": 0.125}, Asset.Kind.LOGO
    assert photo.text_slot(get_preset("linkedin-banner")) == (zone.x, zone.y, zone.w, zone.h)


def test_the_edit_page_keeps_the_text_box_marketing_drew_and_its_style(client, marketer, photo):
    client.force_login(marketer)
    response = edit(
        client,
        photo,
        text_box='{"x": 0.4, "y": 0.6, "w": 0.5, "h": 0.3}',
        text_align="start",
        text_max_lines="2",
        text_light_colour="#fff4d0",
        text_dark_colour="#0b2545",
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.text_box == {"x": 0.4, "y": 0.6, "w": 0.5, "h": 0.3}
    assert (photo.text_align, photo.text_max_lines) == ("start", 2)
    page = client.get(photo.get_absolute_url()).content.decode()
    # The 3:2 photo's banner keeps its middle rows: the box's lower part is cut off there.
    assert 'data-zone="0.4,0.7667,0.5,0.2333"' in page


def test_a_text_box_outside_the_picture_is_refused(client, marketer, photo):
    client.force_login(marketer)
    response = edit(client, photo, text_box='{"x": 0.8, "y": 0.6, "w": 0.5, "h": 0.3}')
    assert "A box must lie inside the picture." in response.content.decode()


def test_the_upload_results_cannot_turn_an_opaque_photo_into_a_frame(client, marketer, photo):
    client.force_login(marketer)
    response = client.post(
        f"/library/{photo.slug}/kind/", {"kind": "frame"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]["kind"]
    assert "needs a see-through middle" in error["message"]
    photo.refresh_from_db()
    assert photo.kind == Asset.Kind.PHOTO
