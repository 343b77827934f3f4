"""The portal's own pictures of an asset: internal renditions, never the original."""

from django import template
from django.urls import reverse

from assets.models import Asset

register = template.Library()


def preview_url(asset: Asset, preset: str) -> str:
    made = asset.served_rendition(preset)
    if made is None:
        return ""
    # The recipe in the query string: a browser's cached copy is dropped when the file changes.
    return f"{reverse('assets:preview-image', args=[asset.slug, preset])}?v={made.source_key[:12]}"


@register.inclusion_tag("assets/snippets/preview_image.html")
def preview_image(asset: Asset, preset: str, *, alt: str = "", loading: str = "lazy") -> dict:
    """An <img> of the internal preset and its -2x sibling for high-density screens, or a
    placeholder while they are being made (static/js/rendition-status.js swaps it in)."""
    made = asset.served_rendition(preset)
    return {
        "asset": asset,
        "preset": preset,
        "made": made,
        "src": preview_url(asset, preset),
        "src_2x": preview_url(asset, f"{preset}-2x"),
        "alt": alt,
        "loading": loading,
    }
