"""Renditions through a real Celery worker on Redis and PostgreSQL."""

import time

import pytest

from assets.models import Asset, Rendition
from assets.renditions.presets import presets_for
from assets.renditions.tasks import sweep_renditions
from portal.celery import app as celery_app
from tests.conftest import worker_on
from tests.factories import image_bytes, make_asset, upload


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


def wait_until_ready(assets: list[Asset], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    pending = Rendition.objects.filter(asset__in=assets).exclude(status=Rendition.Status.READY)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_uploads_sizes_are_made_before_the_work_the_sweep_queued(celery_queue):
    # A whole library's sizes lost their message: the sweep queues them all again.
    library = [
        make_asset(title=f"Old {n}", data=image_bytes("JPEG", (1200, 800))) for n in range(3)
    ]
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(celery_queue)
    assert sweep_renditions(older_than=0) == 3
    upload_ = make_asset(title="New", data=image_bytes("JPEG", (1200, 800)))

    with worker_on(celery_queue):
        wait_until_ready([*library, upload_])

    finished = {
        asset.title: max(asset.renditions.values_list("updated_at", flat=True))
        for asset in [*library, upload_]
    }
    assert min(finished, key=finished.get) == "New"
