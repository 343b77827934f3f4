"""Pages show the portal's own small renditions, never an original."""

import io
import re

import pytest
from django.test.utils import override_script_prefix
from PIL import Image

from assets.models import Rendition
from tests.factories import camera_jpeg, image_bytes, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_asset(title="Harbour", data=camera_jpeg(3000, 2000))


def image_sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]+)"', html) + re.findall(r'srcset="([^"]+)"', html)


def test_home_cards_show_a_thumbnail_with_a_high_density_variant(client, employee, photo):
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert f"/assets/{photo.slug}/preview/thumbnail/?v=" in page
    assert re.search(r'srcset="[^"]+thumbnail/\?v=\w+ 1x, [^"]+thumbnail-2x/\?v=\w+ 2x"', page)
    assert not [src for src in image_sources(page) if "/original/" in src]


def test_a_portal_served_under_a_path_links_its_cards_and_thumbnails_under_it(
    client, employee, photo
):
    client.force_login(employee)
    at_root = client.get("/").content.decode()
    with override_script_prefix("/brand/"):
        under = client.get("/").content.decode()
    assert f'href="/assets/{photo.slug}/"' in at_root
    assert f'src="/assets/{photo.slug}/preview/thumbnail/?v=' in at_root
    assert f'href="/brand/assets/{photo.slug}/"' in under
    assert f'src="/brand/assets/{photo.slug}/preview/thumbnail/?v=' in under
    assert f"/brand/assets/{photo.slug}/preview/thumbnail-2x/?v=" in under


def test_no_page_points_an_image_at_the_original(client, marketer, photo):
    client.force_login(marketer)
    for url in ["/", "/library/", photo.get_absolute_url(), f"/library/{photo.slug}/edit/"]:
        sources = image_sources(client.get(url).content.decode())
        assert sources, url
        assert not [src for src in sources if "/original/" in src], url


def test_a_thumbnail_is_small_and_shown_inline(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/preview/thumbnail/")
    data = b"".join(response.streaming_content)
    assert "attachment" not in response.get("Content-Disposition", "")
    assert len(data) < 60_000
    assert Image.open(io.BytesIO(data)).size == (400, 300)


def test_the_page_preview_keeps_the_pictures_shape(client, employee, photo):
    client.force_login(employee)
    data = b"".join(client.get(f"/assets/{photo.slug}/preview/").streaming_content)
    assert Image.open(io.BytesIO(data)).size == (800, 533)


def test_a_platform_mock_shows_a_small_copy_not_the_full_file(client, employee, photo):
    client.force_login(employee)
    page = client.get(photo.get_absolute_url()).content.decode()
    assert f"/assets/{photo.slug}/preview/youtube-banner/?v=" in page
    response = client.get(f"/assets/{photo.slug}/preview/youtube-banner/")
    data = b"".join(response.streaming_content)
    full = photo.served_rendition("youtube-banner")
    assert Image.open(io.BytesIO(data)).size == (800, 450)
    assert len(data) < full.byte_size / 3


def test_a_light_platform_size_is_shown_as_it_is(
    client, employee, django_capture_on_commit_callbacks
):
    # A flat logo's banner weighs a few KB: a smaller copy would save the page nothing.
    with django_capture_on_commit_callbacks(execute=True):
        logo = make_asset(
            title="Mark", kind="logo", filename="mark.png", data=image_bytes("PNG", (1200, 600))
        )
    client.force_login(employee)
    page = client.get(logo.get_absolute_url()).content.decode()
    assert f"/assets/{logo.slug}/preview/x-header/?v=" in page

    response = client.get(f"/assets/{logo.slug}/preview/x-header/")

    assert "attachment" not in response.get("Content-Disposition", "")
    full = logo.served_rendition("x-header")
    with full.file.open("rb") as file:
        assert b"".join(response.streaming_content) == file.read()


def test_a_card_waits_with_a_placeholder_until_its_thumbnail_is_ready(client, employee):
    asset = make_asset(title="Fresh", data=image_bytes("JPEG", (800, 600)))
    assert not asset.renditions.filter(status=Rendition.Status.READY).exists()
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert 'data-preview="thumbnail" data-preview-pending' in page


def test_the_status_endpoint_gives_the_previews_once_ready(client, employee, photo):
    client.force_login(employee)
    data = client.get(f"/assets/{photo.slug}/sizes.json").json()
    assert set(data["images"]) == {"thumbnail", "thumbnail-2x", "preview", "preview-2x"}
    assert 'id="platform-linkedin"' in data["previews"]
