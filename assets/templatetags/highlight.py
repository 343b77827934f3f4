"""Search results' matched words, marked: the database marks them, this makes them HTML."""

from django import template
from django.utils.safestring import SafeString

from assets.search import START, marked

register = template.Library()


@register.filter(name="marked")
def marked_filter(text: str) -> SafeString:
    """The text escaped, its matched words in <mark>."""
    return marked(text)


@register.filter
def marked_excerpt(text: str) -> SafeString | str:
    """The same for an excerpt, or nothing when no word in it matched."""
    return marked(text) if START in text else ""
