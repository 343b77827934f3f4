"""The platform data in the reader's language.

``platforms.json`` and ``presets.json`` are written in English, and that English is the msgid:
``manage.py makemessages`` adds each phrase to the catalogues under one context (see
assets/management/commands/makemessages.py), and these functions read it back in the active
language. What machines read stays English: slugs, the uptake CSV's size labels, the API.
"""

from django.utils.translation import pgettext

from assets.renditions.platforms import Platform, load_platforms, translated

# One context keeps the data's words apart from the interface's: a slot's "banner" need not
# be translated as a banner on a page is.
CONTEXT = "platform data"


def platform_text(text: str) -> str:
    """A phrase of ``platforms.json`` or ``presets.json`` in the active language."""
    return pgettext(CONTEXT, text) if text else ""


def platforms_translated() -> tuple[Platform, ...]:
    """The platforms as ``load_platforms()`` has them, in the active language."""
    # Made again for each use: a hundred catalogue look-ups cost less than a cache per
    # language that a changed catalogue (a test's, a deploy's) would leave stale.
    return tuple(translated(platform, platform_text) for platform in load_platforms())
