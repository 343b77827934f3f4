import io

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from assets.models import Asset, Collection
from audit.models import AuditEntry
from audit.services import audit_record
from guidelines.models import Guideline, Swatch

# The internal page preview at most 1600 px on its long side, made by the rendition engine
# (upright, sRGB, no metadata): a "don't" is shown from it, marked, and never from the original.
DONT_PREVIEW = "preview-2x"
# In the cache key: bump it when the mark changes, so old marked copies are not served.
DONT_MARK_VERSION = 1
DONT_RED = (200, 20, 30)
DONT_CACHE_SECONDS = 7 * 24 * 60 * 60


@transaction.atomic
def guideline_save(
    *,
    collection: Collection,
    bodies: dict[str, str],
    swatches: list[Swatch],
    dont_examples: list[Asset],
    edited_by: AbstractBaseUser | None = None,
) -> Guideline:
    """Write a collection's guidelines (their text by language), keeping what they said before
    as a version."""
    guideline, created = Guideline.objects.select_for_update().get_or_create(collection=collection)
    before = guideline.as_text()
    for language, body in bodies.items():
        setattr(guideline, f"body_{language}", body)
    guideline.set_swatches(swatches)
    guideline.save()
    guideline.dont_examples.set(dont_examples)
    if not created and guideline.as_text() != before:
        guideline.versions.create(text=before, saved_at=guideline.updated_at)
        guideline.updated_at = timezone.now()
        guideline.save(update_fields=["updated_at"])
    if created or guideline.as_text() != before:
        audit_record(actor=edited_by, action=AuditEntry.Action.GUIDELINES_EDITED, target=collection)
    return guideline


def dont_example_image(*, asset: Asset) -> bytes | None:
    """The JPEG a "don't" example is shown as, or None until its preview is made.

    Anyone who may read the guidelines sees it, and the example is a draft: so never its
    original, only the reduced preview with a red band saying "Don't" and a red strike across
    it, encoded again. Cached under the preview's recipe, which changes with the file.
    """
    made = asset.served_rendition(DONT_PREVIEW)
    if made is None:
        return None
    key = f"guidelines:dont:{DONT_MARK_VERSION}:{made.source_key}"
    if (cached := cache.get(key)) is not None:
        return cached
    with made.file.open("rb") as file, Image.open(file) as preview:
        marked = _marked_as_dont(preview)
    cache.set(key, marked, DONT_CACHE_SECONDS)
    return marked


def _marked_as_dont(preview: Image.Image) -> bytes:
    image = preview.convert("RGB")
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.line([(0, 0), (width, height)], fill=DONT_RED, width=max(4, min(width, height) // 40))
    band = max(24, height // 9)
    draw.rectangle([0, 0, width, band], fill=DONT_RED)
    font = ImageFont.load_default(size=band * 0.6)
    draw.text((width / 2, band / 2), "DON'T", fill="white", font=font, anchor="mm")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()
