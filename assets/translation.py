"""Asset text per language (django-modeltranslation): a column per language, English the
fallback. The search document of each language is written from these (assets/search.py)."""

from modeltranslation.translator import TranslationOptions, register

from assets.models import Asset


@register(Asset)
class AssetTranslation(TranslationOptions):
    fields = ("title", "description", "usage_notes", "alt_text", "ring_text")
    required_languages = ("en",)
