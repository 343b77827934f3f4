"""The worker's side of renditions: claim the work, render, store, record what happened.

Apart from services.py, so that tasks.py can call it while services.py enqueues tasks.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from assets.models import Asset, Rendition
from assets.renditions.engine import RenderedImage, RenderError, render_presets
from assets.renditions.presets import get_preset


def _claim_seconds() -> int:
    # Longer than a task may live (the hard limit kills it), so a live worker
    # never loses its claim and a dead one's claim soon runs out.
    return settings.CELERY_TASK_TIME_LIMIT + 10


def renditions_make(*, asset: Asset) -> None:
    """Make every pending rendition of the asset from one decode of its original.

    Work is claimed first, so two workers given the same asset never make the
    same file; a claim left by a dead worker runs out and the sweep hands it on.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            asset.current_renditions()
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .filter(status=Rendition.Status.PENDING)
            .select_for_update(skip_locked=True)
        )
        Rendition.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_until=now + timedelta(seconds=_claim_seconds()),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    if not rows:
        return
    try:
        with asset.original.open("rb") as source:
            results = render_presets(
                source,
                [get_preset(row.preset) for row in rows],
                kind=asset.engine_kind,
                focal_x=asset.focal_x,
                focal_y=asset.focal_y,
                background=asset.engine_background,
                keep=asset.keep_fractions,
                crops=asset.crop_fractions,
            )
    except RenderError as error:
        _finish(rows, status=Rendition.Status.FAILED, error=str(error))
        return
    except BaseException:
        # Let the retry (or another worker) claim the work straight away.
        Rendition.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_until=None)
        raise
    saved = [
        _save_files(row, result) if isinstance(result, RenderedImage) else None
        for row, result in zip(rows, results, strict=True)
    ]
    # The files first, then one short transaction records every size: no row lock is held
    # while storage uploads, and no size is ready while an earlier one of it is still kept.
    unwanted = []
    with transaction.atomic():
        ready = []
        for row, result, names in zip(rows, results, saved, strict=True):
            if names is None:
                _finish([row], status=Rendition.Status.FAILED, error=result.reason)
            elif _mark_ready(row, result, *names):
                ready.append(row)
            else:
                unwanted.extend(name for name in names if name)
        Rendition.objects.supersede_earlier(ready)
    storage = Rendition.file.field.storage
    for name in unwanted:  # the asset changed or went while we worked
        if not Rendition.objects.filter(Q(file=name) | Q(display=name)).exists():
            storage.delete(name)


def _save_files(row: Rendition, result: RenderedImage) -> tuple[str, str]:
    """Store the rendition and its display copy (if any); their names, "" for no copy."""
    storage = row.file.storage
    row.format = result.format
    name = row.file.field.generate_filename(row, row.extension)
    # The name is content-addressed: a file left by a killed worker is the same
    # image, so replace it rather than keep a second copy.
    storage.delete(name)
    stored = storage.save(name, ContentFile(result.data))
    display = ""
    if result.display is not None:
        extension = Asset.EXTENSIONS[result.display_format]
        display_name = row.display.field.generate_filename(row, f"display.{extension}")
        storage.delete(display_name)
        display = storage.save(display_name, ContentFile(result.display))
    return stored, display


def _mark_ready(row: Rendition, result: RenderedImage, stored: str, display: str) -> bool:
    """Record the stored files; False if the row was no longer wanted."""
    return bool(
        Rendition.objects.filter(pk=row.pk, status=Rendition.Status.PENDING).update(
            status=Rendition.Status.READY,
            file=stored,
            width=result.width,
            height=result.height,
            byte_size=len(result.data),
            format=result.format,
            display=display,
            display_format=result.display_format,
            low_resolution=result.low_resolution,
            error="",
            claimed_until=None,
            updated_at=timezone.now(),
        )
    )


def _finish(rows: list[Rendition], *, status: str, error: str) -> None:
    Rendition.objects.filter(
        pk__in=[row.pk for row in rows], status=Rendition.Status.PENDING
    ).update(status=status, error=error[:300], claimed_until=None, updated_at=timezone.now())


def renditions_give_up(*, asset: Asset, reason: str) -> None:
    asset.current_renditions().filter(status=Rendition.Status.PENDING).update(
        status=Rendition.Status.FAILED,
        error=f"could not be made after {Rendition.MAX_ATTEMPTS} attempts: {reason}"[:300],
        claimed_until=None,
        updated_at=timezone.now(),
    )


def renditions_heal() -> set[int]:
    """Add the missing current renditions of every asset whose recipe changed unseen.

    What a change outside the edit page leaves behind: an admin edit, a data migration,
    a deploy with a new engine or preset version. Returns the assets with work to queue.
    """
    made: dict[int, set[str]] = {}
    for asset_id, key in Rendition.objects.values_list("asset_id", "source_key").iterator():
        made.setdefault(asset_id, set()).add(key)
    healed = set()
    for asset in Asset.objects.iterator():
        if not set(asset.rendition_keys().values()) <= made.get(asset.pk, set()):
            with transaction.atomic():
                if asset.renditions_add_missing():
                    healed.add(asset.pk)
    return healed


def renditions_unfinished(*, age: timedelta) -> set[int]:
    """The assets whose pending renditions nobody has worked on for ``age``, to queue again.

    The database, not the queue, is the record of what is left to do: a lost message or a
    restarted Redis only delays the work until the next sweep. Work a dead worker left
    Rendition.MAX_ATTEMPTS times is marked failed instead.
    """
    now = timezone.now()
    stale = Rendition.objects.stale(age)
    stale.filter(attempts__gte=Rendition.MAX_ATTEMPTS).update(
        status=Rendition.Status.FAILED,
        error=f"the worker stopped while making this {Rendition.MAX_ATTEMPTS} times",
        claimed_until=None,
        updated_at=now,
    )
    asset_ids = set(stale.values_list("asset_id", flat=True))
    # Touch them, so the next sweep waits its turn before queuing them again.
    Rendition.objects.filter(asset_id__in=asset_ids, status=Rendition.Status.PENDING).update(
        updated_at=now
    )
    return asset_ids
