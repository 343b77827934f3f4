from pathlib import PurePath
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from assets.models import Asset, Collection
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
    asset.original.save(asset.extension, File(file), save=False)
    try:
        # A savepoint, so a concurrent upload of the same bytes fails alone.
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        asset.original.storage.delete(asset.original.name)
        raise DuplicateAsset(Asset.objects.get(sha256=facts.sha256)) from None
    return asset
