"""The portal's own pictures of an asset: internal renditions, never the original."""

from django import template

from assets.models import Asset

register = template.Library()


@register.inclusion_tag("assets/snippets/preview_image.html")
def preview_image(asset: Asset, preset: str, *, alt: str = "", loading: str = "lazy") -> dict:
    """An <img> of the internal preset and its -2x sibling for high-density screens, or a
    placeholder while they are being made (static/js/rendition-status.js swaps it in)."""
    served = asset.served_renditions()
    return {
        "asset": asset,
        "preset": preset,
        "made": served.get(preset),
        "src": asset.preview_url(preset, served),
        "src_2x": asset.preview_url(f"{preset}-2x", served),
        "alt": alt,
        "loading": loading,
    }
