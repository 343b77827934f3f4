"""A collection's guidelines text per language; English is the fallback."""

from modeltranslation.translator import TranslationOptions, register

from guidelines.models import Guideline


@register(Guideline)
class GuidelineTranslation(TranslationOptions):
    fields = ("body",)
