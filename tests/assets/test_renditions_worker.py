"""Renditions through a real Celery worker on Redis and PostgreSQL."""

import time

import pytest

from assets.models import Rendition
from assets.renditions.presets import presets_for
from tests.factories import image_bytes, upload


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_reaches_every_size_ready_through_a_real_worker(client, marketer, celery_worker):
    client.force_login(marketer)
    client.post(
        "/library/upload/",
        {"files": [upload("Team.jpg", image_bytes("JPEG", (2400, 1600)))], "kind": "photo"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = list(Rendition.objects.values_list("status", flat=True))
        if len(statuses) == len(presets_for("photo")) and set(statuses) == {"ready"}:
            break
        time.sleep(0.2)
    assert sorted(Rendition.objects.values_list("preset", "status")) == sorted(
        (preset.slug, "ready") for preset in presets_for("photo")
    )
