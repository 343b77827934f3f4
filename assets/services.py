from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from assets import tasks
from assets.imaging import RenderedImage, RenderError, render_presets
from assets.models import Asset, Collection, Rendition
from assets.presets import get_preset, load_presets
from assets.validation import ImageRefused, inspect_image


class DuplicateAsset(ImageRefused):
    """The same bytes are already in the library."""

    def __init__(self, existing: Asset) -> None:
        super().__init__(f"the same file is already in the library as “{existing.title}”")
        self.existing = existing


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename.replace("\\", "/")).stem
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize()[:200] or "Untitled"


def unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "asset"
    slug, number = base, 2
    while Asset.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def asset_create(
    *,
    file: BinaryIO,
    filename: str,
    uploaded_by: AbstractBaseUser | None,
    collection: Collection | None = None,
    kind: str = Asset.Kind.PHOTO,
    title: str = "",
    publish: bool = False,
) -> Asset:
    """Validate an upload and add it to the library.

    Raises ImageRefused (or DuplicateAsset) with a reason for the person uploading.
    """
    facts = inspect_image(filename, file)
    existing = Asset.objects.filter(sha256=facts.sha256).first()
    if existing:
        raise DuplicateAsset(existing)

    title = title or title_from_filename(filename)
    asset = Asset(
        title=title,
        slug=unique_slug(title),
        kind=kind,
        collection=collection,
        status=Asset.Status.PUBLISHED if publish else Asset.Status.DRAFT,
        width=facts.width,
        height=facts.height,
        byte_size=facts.byte_size,
        sha256=facts.sha256,
        format=facts.format,
        uploaded_by=uploaded_by,
    )
    content = ContentFile(facts.clean_svg) if facts.clean_svg else File(file)
    asset.original.save(asset.extension, content, save=False)
    try:
        # A savepoint, so a concurrent upload of the same bytes fails alone.
        with transaction.atomic():
            asset.save()
            renditions_request(asset=asset)
    except BaseException as error:
        asset.original.storage.delete(asset.original.name)  # no row, so no file either
        if isinstance(error, IntegrityError):
            if existing := Asset.objects.filter(sha256=facts.sha256).first():
                raise DuplicateAsset(existing) from None
            raise ImageRefused(
                "another upload took the same title at the same moment; try again"
            ) from None
        raise
    return asset


@transaction.atomic
def asset_publish(*, asset: Asset) -> None:
    asset.publish()
    renditions_request(asset=asset)


@transaction.atomic
def renditions_request(*, asset: Asset) -> None:
    """Make sure every preset has a rendition of the asset as it is now, and queue the work.

    Renditions of an earlier focal point, kind or preset version are removed
    (their files after the commit).
    """
    keys = {preset.slug: asset.rendition_key(preset) for preset in load_presets()}
    asset.renditions.exclude(source_key__in=keys.values()).delete()
    made = set(asset.renditions.values_list("preset", flat=True))
    Rendition.objects.bulk_create(
        [
            Rendition(asset=asset, preset=slug, source_key=key)
            for slug, key in keys.items()
            if slug not in made
        ],
        ignore_conflicts=True,
    )
    if asset.renditions.filter(status=Rendition.Status.PENDING).exists():
        _enqueue_after_commit(asset.pk)


@transaction.atomic
def renditions_retry(*, asset: Asset) -> None:
    asset.current_renditions().filter(status=Rendition.Status.FAILED).update(
        status=Rendition.Status.PENDING, error="", attempts=0, updated_at=timezone.now()
    )
    _enqueue_after_commit(asset.pk)


@transaction.atomic
def renditions_remake(*, asset: Asset, renditions: list[Rendition]) -> None:
    """Make again the ready sizes whose files have gone missing from storage."""
    Rendition.objects.filter(
        pk__in=[made.pk for made in renditions], status=Rendition.Status.READY
    ).update(
        status=Rendition.Status.PENDING,
        file="",
        error="",
        attempts=0,
        claimed_until=None,
        updated_at=timezone.now(),
    )
    _enqueue_after_commit(asset.pk)


def _enqueue_after_commit(asset_id: int) -> None:
    # robust: with the broker down the upload still succeeds; the sweep queues it later.
    def enqueue_renditions() -> None:
        tasks.make_renditions.delay(asset_id)

    transaction.on_commit(enqueue_renditions, robust=True)


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
                kind=asset.kind,
                focal_x=asset.focal_x,
                focal_y=asset.focal_y,
                background=asset.background or None,
            )
    except RenderError as error:
        _finish(rows, status=Rendition.Status.FAILED, error=str(error))
        return
    except BaseException:
        # Let the retry (or another worker) claim the work straight away.
        Rendition.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_until=None)
        raise
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, RenderedImage):
            _store(row, result)
        else:
            _finish([row], status=Rendition.Status.FAILED, error=result.reason)


def _store(row: Rendition, result: RenderedImage) -> None:
    storage = row.file.storage
    row.format = result.format
    name = row.file.field.generate_filename(row, row.extension)
    # The name is content-addressed: a file left by a killed worker is the same
    # image, so replace it rather than keep a second copy.
    storage.delete(name)
    stored = storage.save(name, ContentFile(result.data))
    updated = Rendition.objects.filter(pk=row.pk, status=Rendition.Status.PENDING).update(
        status=Rendition.Status.READY,
        file=stored,
        width=result.width,
        height=result.height,
        byte_size=len(result.data),
        format=result.format,
        low_resolution=result.low_resolution,
        error="",
        claimed_until=None,
        updated_at=timezone.now(),
    )
    if not updated and not Rendition.objects.filter(file=stored).exists():
        storage.delete(stored)  # the asset changed or went while we worked


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


def renditions_sweep(*, age: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the assets whose pending renditions nobody is working on.

    The database, not the queue, is the record of what is left to do: a lost
    message or a restarted Redis only delays the work until the next sweep.
    Returns how many assets were queued.
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
    for asset_id in asset_ids:
        tasks.make_renditions.delay(asset_id)
    return len(asset_ids)
