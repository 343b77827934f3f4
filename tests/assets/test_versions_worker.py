"""A new version through a real Celery worker on Redis and PostgreSQL: every size follows,
and no download fails on the way; restoring the earlier file brings its sizes back at once."""

import io
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from assets.models import Asset
from assets.renditions.presets import presets_for
from tests.factories import image_bytes, upload

RED, BLUE = (200, 30, 30), (30, 60, 200)


def all_current_sizes_ready(asset: Asset) -> bool:
    statuses = list(asset.current_renditions().values_list("status", flat=True))
    return len(statuses) == len(presets_for("photo")) and set(statuses) == {"ready"}


def downloaded(client: Client, asset: Asset, preset: str) -> bytes:
    response = client.get(f"/assets/{asset.slug}/sizes/{preset}/")
    assert response.status_code == 200, preset
    return b"".join(response.streaming_content)


def centre_colour(data: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_version_reaches_every_size_through_a_real_worker_with_no_gap(
    client, marketer, employee, celery_worker
):
    client.force_login(marketer)
    client.post(
        "/library/upload/",
        {
            "files": [upload("harbour.jpg", image_bytes("JPEG", (1200, 800), colour=RED))],
            "kind": "photo",
            "publish": "on",
        },
    )
    asset = Asset.objects.get()
    deadline = time.monotonic() + 60
    while not all_current_sizes_ready(asset) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all_current_sizes_ready(asset)
    old_files = set(asset.renditions.values_list("file", flat=True))
    visitor = Client()
    visitor.force_login(employee)
    before = {
        preset.slug: downloaded(visitor, asset, preset.slug) for preset in presets_for("photo")
    }

    response = client.post(
        f"/library/{asset.slug}/new-version/",
        {"file": upload("harbour-v2.jpg", image_bytes("JPEG", (1200, 800), colour=BLUE))},
    )
    assert response.status_code == 302
    asset.refresh_from_db()

    # An employee keeps downloading every size while the worker makes the new ones.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        finished = all_current_sizes_ready(asset)
        for preset in presets_for("photo"):
            url = f"/assets/{asset.slug}/sizes/{preset.slug}/"
            assert visitor.get(url).status_code == 200, url
        assert visitor.get(f"/assets/{asset.slug}/all-sizes.zip").status_code == 200
        if finished:
            break
        time.sleep(0.05)

    assert all_current_sizes_ready(asset)
    pixel = centre_colour(downloaded(visitor, asset, "avatar-large"))
    assert all(abs(a - b) <= 12 for a, b in zip(pixel, BLUE, strict=True))
    # The earlier file's sizes stay in storage with it, and are not what employees get.
    assert all(default_storage.exists(name) for name in old_files)
    assert not {downloaded(visitor, asset, slug) for slug in before} & set(before.values())
    assert asset.versions.count() == 1

    version = asset.versions.get()
    response = client.post(f"/library/{asset.slug}/versions/{version.pk}/restore/")
    assert response.status_code == 302
    asset.refresh_from_db()
    # Straight after the restore, before any worker could make anything: every size is back.
    assert all_current_sizes_ready(asset)
    assert {slug: downloaded(visitor, asset, slug) for slug in before} == before
