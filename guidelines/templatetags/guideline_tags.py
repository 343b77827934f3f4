from django import template

from assets.models import Collection
from guidelines.models import Guideline

register = template.Library()


@register.simple_tag
def guideline_for(collection: Collection | None) -> Guideline | None:
    """A collection's guidelines, if written; a tag so the assets app needs no import."""
    if collection is None:
        return None
    return Guideline.objects.filter(collection=collection).first()
