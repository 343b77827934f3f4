from django.db import transaction
from django.utils import timezone

from assets.models import Asset, Collection
from guidelines.models import Guideline, Swatch


@transaction.atomic
def guideline_save(
    *, collection: Collection, body: str, swatches: list[Swatch], dont_examples: list[Asset]
) -> Guideline:
    """Write a collection's guidelines, keeping what they said before as a version."""
    guideline, created = Guideline.objects.select_for_update().get_or_create(collection=collection)
    before = guideline.as_text()
    guideline.body = body
    guideline.set_swatches(swatches)
    guideline.save()
    guideline.dont_examples.set(dont_examples)
    if not created and guideline.as_text() != before:
        guideline.versions.create(text=before, saved_at=guideline.updated_at)
        guideline.updated_at = timezone.now()
        guideline.save(update_fields=["updated_at"])
    return guideline
