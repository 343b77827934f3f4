from functools import partial
from pathlib import PurePath
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from assets.intake.validation import ImageFacts, ImageRefused, check_frame, inspect_image
from assets.models import (
    Asset,
    AssetVersion,
    Collection,
    Rendition,
    Review,
    delete_file_unless_used,
    original_upload_to,
)
from assets.renditions import tasks
from audit.models import AuditEntry
from audit.services import audit_record


class DuplicateAsset(ImageRefused):
    """The same bytes are already in the library."""

    def __init__(self, existing: Asset, message: str = "") -> None:
        super().__init__(
            message
            or _("the same file is already in the library as “%(title)s”")
            % {"title": existing.title}
        )
        self.existing = existing

    @property
    def where_url(self) -> str:
        """Where a person sees the file that is already there."""
        return self.existing.get_absolute_url()


class DuplicateVersion(DuplicateAsset):
    """The same bytes are an earlier file of another asset: stored once, so not taken again."""

    def __init__(self, version: AssetVersion) -> None:
        super().__init__(
            version.asset,
            _(
                "the same file is in the version history of “%(title)s” (added on %(day)s); "
                "restore it there, or upload a different file"
            )
            % {
                "title": version.asset.title,
                "day": date_format(localtime(version.added_at), "DATE_FORMAT"),
            },
        )

    @property
    def where_url(self) -> str:
        return reverse("assets:edit", args=[self.existing.slug]) + "#versions"


def _refuse_if_in_library(sha256: str, *, besides: Asset | None = None) -> None:
    """Raise DuplicateAsset if another asset has these bytes, as its file or an earlier one."""
    others = Asset.objects.exclude(pk=besides.pk) if besides else Asset.objects.all()
    if existing := others.filter(sha256=sha256).first():
        raise DuplicateAsset(existing)
    earlier = AssetVersion.objects.select_related("asset").filter(sha256=sha256)
    if besides:
        earlier = earlier.exclude(asset=besides)
    if version := earlier.first():
        raise DuplicateVersion(version)


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
    kind: str = "",
    title: str = "",
    publish: bool = False,
) -> Asset:
    """Validate an upload and add it to the library.

    ``kind`` empty means the kind guessed from the file (validation.guess_kind).
    Raises ImageRefused (or DuplicateAsset) with a reason for the person uploading.
    """
    facts = inspect_image(filename, file, with_kind_guess=not kind)
    _check_fits_kind(kind, file)
    _refuse_if_in_library(facts.sha256)

    title = title or title_from_filename(filename)
    asset = Asset(
        title=title,
        slug=unique_slug(title),
        kind=kind or facts.kind_guess,
        collection=collection,
        # A collection that requires review keeps its new artwork a draft until approved.
        status=Asset.Status.PUBLISHED
        if publish and not (collection and collection.requires_review)
        else Asset.Status.DRAFT,
        width=facts.width,
        height=facts.height,
        byte_size=facts.byte_size,
        sha256=facts.sha256,
        format=facts.format,
        uploaded_by=uploaded_by,
    )
    try:
        _save_with_original(asset, facts, file)
    except IntegrityError:
        if existing := Asset.objects.filter(sha256=facts.sha256).first():
            raise DuplicateAsset(existing) from None
        raise ImageRefused(
            "another upload took the same title at the same moment; try again"
        ) from None
    return asset


def _save_with_original(asset: Asset, facts: ImageFacts, file: BinaryIO) -> None:
    """Store the file as the asset's original, save the row and request its sizes.

    What is stored is the upload itself, unless validation cleaned it (sanitized SVG, no
    trailing bytes, no location or device metadata): then only the cleaned bytes. If saving
    the row fails, the stored file goes too, so no orphan is left.
    """
    content = ContentFile(facts.clean) if facts.clean is not None else File(file)
    asset.original.save(asset.extension, content, save=False)
    try:
        # A savepoint, so a concurrent upload of the same bytes fails alone.
        with transaction.atomic():
            asset.save()
            renditions_request(asset=asset)
    except BaseException:
        asset.original.storage.delete(asset.original.name)
        raise


def _check_fits_kind(kind: str, file: BinaryIO) -> None:
    """Whatever becomes an asset's current file (upload, new version, restore) meets its kind
    here: a frame overlay needs its transparent hole, or it would cover the person's photo."""
    if kind == Asset.Kind.FRAME:
        check_frame(file)


class SameFile(ImageRefused):
    """A new version must differ from the file it replaces."""


def _keep_current_file(asset: Asset) -> AssetVersion:
    version = asset.versions.create(
        file=asset.original.name,
        width=asset.width,
        height=asset.height,
        byte_size=asset.byte_size,
        sha256=asset.sha256,
        format=asset.format,
        added_at=asset.file_added_at,
        added_by=asset.file_added_by,
        note=asset.file_note,
    )
    # Its finished sizes go into the history with it: restoring it brings them back at once.
    asset.current_renditions().filter(status=Rendition.Status.READY).update(kept_with=version)
    return version


@transaction.atomic
def asset_replace_file(
    *,
    asset: Asset,
    file: BinaryIO,
    filename: str,
    replaced_by: AbstractBaseUser | None,
    note: str = "",
) -> Asset:
    """Make a new upload the asset's current file, keeping the old one as a version.

    The asset keeps its row, so its page, URL, slug, tags and counts stay. New
    renditions are queued; until each is ready the previous one is served. Nobody
    is told. Raises ImageRefused (SameFile, DuplicateAsset) with a reason for marketing.
    """
    facts = inspect_image(filename, file)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    _check_fits_kind(asset.kind, file)
    if facts.sha256 == asset.sha256:
        raise SameFile("this file is the same as the current one, so nothing changed")
    if earlier := asset.versions.filter(sha256=facts.sha256).first():
        raise SameFile(
            f"this file is the version added on {earlier.added_at:%Y-%m-%d}; "
            "restore it from the version history instead"
        )
    _refuse_if_in_library(facts.sha256, besides=asset)

    _keep_current_file(asset)
    asset.width, asset.height, asset.byte_size = facts.width, facts.height, facts.byte_size
    asset.sha256, asset.format = facts.sha256, facts.format
    asset.replaced_at, asset.replaced_by = timezone.now(), replaced_by
    asset.file_note = note
    # An approval was of the file going into the history, not of this one.
    asset.draft_unless_approved()
    try:
        _save_with_original(asset, facts, file)
    except IntegrityError:
        raise ImageRefused(
            "another upload of the same file came in at the same moment; try again"
        ) from None
    audit_record(actor=replaced_by, action=AuditEntry.Action.VERSION_ADDED, target=asset)
    return asset


@transaction.atomic
def asset_version_restore(*, version: AssetVersion, restored_by: AbstractBaseUser | None) -> Asset:
    """Put an earlier file back as the current one; the file it replaces becomes a version.

    The sizes kept with the earlier file whose recipe has not changed since are ready at
    once; only the others (a preset added or changed, another focal point or crop, a new
    engine, a size never kept) are made again, served meanwhile as ``served_renditions`` says.
    """
    asset = Asset.objects.select_for_update().get(pk=version.asset_id)
    if existing := Asset.objects.filter(sha256=version.sha256).exclude(pk=asset.pk).first():
        raise DuplicateAsset(existing)
    # The kind may have changed since this file was current.
    with version.file.open("rb") as earlier:
        _check_fits_kind(asset.kind, earlier)
    _keep_current_file(asset)
    asset.original.name = version.file.name
    asset.width, asset.height, asset.byte_size = version.width, version.height, version.byte_size
    asset.sha256, asset.format = version.sha256, version.format
    asset.replaced_at, asset.replaced_by = timezone.now(), restored_by
    asset.file_note = version.note
    asset.draft_unless_approved()
    asset.save()
    # Its file and sizes are the asset's again, so deleting the row leaves them alone.
    version.sizes.update(kept_with=None)
    version.delete()
    renditions_request(asset=asset)
    audit_record(actor=restored_by, action=AuditEntry.Action.VERSION_RESTORED, target=asset)
    return asset


@transaction.atomic
def asset_original_clean(*, asset: Asset, dry_run: bool = False) -> bool:
    """Clean an original stored before uploads were cleaned, as an upload is cleaned today.

    Returns whether its bytes changed (with ``dry_run``: would change); False too if the asset
    is gone meanwhile. The row then describes the cleaned file and the old file is deleted
    after the commit. Its sizes stay current: they are made from the pixels, ICC profile and
    orientation, which cleaning keeps, so only a file whose recorded size was wrong has them
    made again. Raises ImageRefused, with the file left as it is, if today's check refuses it.
    """
    asset = Asset.objects.select_for_update().filter(pk=asset.pk).first()
    if asset is None:
        return False  # deleted meanwhile
    facts = _cleaned_facts(asset.original, asset.sha256)
    if facts is None:
        return False
    if existing := Asset.objects.filter(sha256=facts.sha256).exclude(pk=asset.pk).first():
        raise ImageRefused(
            f"cleaned, it is the same file as the asset “{existing.title}” ({existing.slug}); "
            "delete one of the two and run this again"
        )
    if dry_run:
        return True
    earlier_keys, earlier_facts = asset.rendition_keys(), (asset.width, asset.height, asset.format)
    try:
        _store_cleaned(asset, asset.original, facts)
    except IntegrityError:
        raise ImageRefused(
            "an upload of the same file came in at the same moment; run this again"
        ) from None
    if (asset.width, asset.height, asset.format) == earlier_facts:
        # A size's recipe names its source by SHA-256. The sizes made from the old file are
        # the new file's (the same pixels), so they are carried over rather than made again.
        for preset, key in asset.rendition_keys().items():
            asset.renditions.filter(preset=preset, source_key=earlier_keys[preset]).update(
                source_key=key, source_sha256=asset.sha256
            )
    else:
        renditions_request(asset=asset)
    return True


@transaction.atomic
def asset_version_clean(*, version: AssetVersion, dry_run: bool = False) -> bool:
    """The same for a file in an asset's version history (which has no sizes)."""
    # The asset's lock, as a new version and a restore take it: neither moves the file meanwhile.
    Asset.objects.select_for_update().filter(pk=version.asset_id).first()
    version = AssetVersion.objects.filter(pk=version.pk).first()
    if version is None:
        return False  # restored or deleted meanwhile
    facts = _cleaned_facts(version.file, version.sha256)
    if facts is None:
        return False
    if not dry_run:
        _store_cleaned(version, version.file, facts)
    return True


def _cleaned_facts(file: FieldFile, sha256: str) -> ImageFacts | None:
    """A stored file through the upload check: its facts if cleaning changes its bytes, None
    if it is clean already. Raises ImageRefused, or OSError if storage cannot read it."""
    with file.open("rb") as stored:
        facts = inspect_image(file.name, stored)
    # The row's SHA-256 is that of the stored bytes: the same after cleaning, nothing changed.
    if facts.clean is None or facts.sha256 == sha256:
        return None
    return facts


def _store_cleaned(row: Asset | AssetVersion, file: FieldFile, facts: ImageFacts) -> None:
    earlier = file.name
    row.width, row.height, row.byte_size = facts.width, facts.height, facts.byte_size
    row.sha256, row.format = facts.sha256, facts.format
    file.name = file.storage.save(original_upload_to(row, earlier), ContentFile(facts.clean))
    try:
        row.save()
    except BaseException:
        file.storage.delete(file.name)
        raise
    # Only once the row names the new file: until the commit, the old one is still in place.
    transaction.on_commit(partial(delete_file_unless_used, file.storage, earlier))


@transaction.atomic
def asset_set_kind(*, asset: Asset, kind: str) -> None:
    """Change the kind (its layout rule), and so every size. Raises ImageRefused if the file
    cannot be of that kind."""
    with asset.original.open("rb") as original:
        _check_fits_kind(kind, original)
    asset.kind = kind
    asset.save(update_fields=["kind", "updated_at"])
    renditions_request(asset=asset)


class ReviewRefused(Exception):
    """A publish or review step that the asset's review state does not allow; the message
    says why, for the person who tried."""


@transaction.atomic
def asset_publish(*, asset: Asset, by: AbstractBaseUser | None) -> None:
    if not asset.may_be_published:
        raise ReviewRefused(_("its collection requires a brand lead's approval of this version"))
    asset.publish()
    renditions_request(asset=asset)
    audit_record(actor=by, action=AuditEntry.Action.PUBLISHED, target=asset)


@transaction.atomic
def asset_delete(*, asset: Asset, by: AbstractBaseUser) -> None:
    audit_record(actor=by, action=AuditEntry.Action.DELETED, target=asset)
    asset.delete()


@transaction.atomic
def asset_review_submit(*, asset: Asset, by: AbstractBaseUser) -> Review:
    # Locked: two clicks, or a brand lead deciding meanwhile, see one state each.
    asset = (
        Asset.objects.select_for_update(of=("self",)).select_related("collection").get(pk=asset.pk)
    )
    if not asset.needs_review or asset.is_published:
        raise ReviewRefused(_("only a draft in a collection that requires review is submitted"))
    if asset.review_state in (Review.Action.SUBMITTED, Review.Action.APPROVED):
        raise ReviewRefused(_("this version is submitted already"))
    audit_record(actor=by, action=AuditEntry.Action.SUBMITTED, target=asset)
    return asset.reviews.create(action=Review.Action.SUBMITTED, by=by)


@transaction.atomic
def asset_review_decide(
    *, asset: Asset, by: AbstractBaseUser, approve: bool, comment: str = ""
) -> Review:
    """A brand lead approves the submitted version, or sends it back saying why.

    Approval needs a second person: whoever submitted a version may send it back (that
    withdraws it and publishes nothing) but not approve it, even as the only brand lead.
    """
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    submitted = asset.current_review()
    if submitted is None or submitted.action != Review.Action.SUBMITTED:
        raise ReviewRefused(_("this version is not waiting for review"))
    if approve and submitted.by_id == by.pk:
        raise ReviewRefused(_("you submitted this version, so another brand lead approves it"))
    if not approve and not comment.strip():
        raise ReviewRefused(_("say what to change when sending it back"))
    action = Review.Action.APPROVED if approve else Review.Action.SENT_BACK
    done = AuditEntry.Action.APPROVED if approve else AuditEntry.Action.SENT_BACK
    audit_record(actor=by, action=done, target=asset)
    return asset.reviews.create(action=action, by=by, comment=comment.strip())


@transaction.atomic
def renditions_request(*, asset: Asset) -> None:
    """Make sure every preset has a rendition of the asset as it is now, and queue the work.

    Call it after anything a rendition depends on changed (file, kind, focal point,
    background, keep box, crop override); the sweep does the same for changes made
    elsewhere (admin, data migration, a deploy with a new engine or preset version).
    Earlier ready renditions keep being served (``Asset.served_renditions``) until
    the new one of their size is ready.
    """
    if asset.renditions_add_missing():
        _enqueue_after_commit(asset.pk)


@transaction.atomic
def renditions_retry(*, asset: Asset) -> None:
    asset.current_renditions().filter(status=Rendition.Status.FAILED).update(
        status=Rendition.Status.PENDING, error="", attempts=0, updated_at=timezone.now()
    )
    _enqueue_after_commit(asset.pk)


@transaction.atomic
def renditions_remake(*, asset: Asset, renditions: list[Rendition]) -> int:
    """Make again the ready sizes whose files have gone missing from storage; returns how
    many are queued. A size kept with an earlier file is dropped instead: restoring that
    file makes it again."""
    missing = Rendition.objects.filter(
        pk__in=[made.pk for made in renditions], status=Rendition.Status.READY
    )
    missing.filter(kept_with__isnull=False).delete()
    queued = missing.update(
        status=Rendition.Status.PENDING,
        file="",
        error="",
        attempts=0,
        claimed_until=None,
        updated_at=timezone.now(),
    )
    _enqueue_after_commit(asset.pk)
    return queued


def _enqueue_after_commit(asset_id: int) -> None:
    # robust: with the broker down the upload still succeeds; the sweep queues it later.
    def enqueue_renditions() -> None:
        tasks.make_renditions.delay(asset_id)

    transaction.on_commit(enqueue_renditions, robust=True)
