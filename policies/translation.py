"""Policy pages and announcements per language; English is the fallback."""

from modeltranslation.translator import TranslationOptions, register

from policies.models import Announcement, PolicyPage


@register(PolicyPage)
class PolicyPageTranslation(TranslationOptions):
    # Each language's text has its own date: its change log is its own.
    fields = ("title", "body", "updated_at")
    required_languages = ("en",)


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("en",)
