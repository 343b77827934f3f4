from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from assets.models import MOVED_TO_DRAFT, Asset, Collection, Rendition, Tag
from assets.services import renditions_request


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "requires_review"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj: Collection, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and obj.requires_review and "requires_review" in form.changed_data:
            # Review applies from now on: switching it on recalls nothing from employees.
            self.message_user(
                request,
                _(
                    "Artwork already published in this collection stays published. From now "
                    "on a brand lead approves each new version, and artwork moved in, before "
                    "it is published."
                ),
                messages.WARNING,
            )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Asset)
class AssetAdmin(TranslationAdmin):
    list_display = ["title", "collection", "kind", "status", "available_until", "updated_at"]
    list_filter = ["status", "kind", "collection"]
    search_fields = ["title", "description", "tags__name"]
    autocomplete_fields = ["tags"]
    # As on the edit page: a bare "campaign.example.com" is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Publishing and archiving happen in the library, where the review rule and the audit
    # log apply (assets.services.asset_publish): no second way round them here.
    readonly_fields = [
        "status",
        "original",
        "width",
        "height",
        "byte_size",
        "sha256",
        "format",
        "created_at",
        "updated_at",
        "uploaded_by",
    ]

    def has_add_permission(self, request) -> bool:
        # New artwork goes through the upload page, where it is validated.
        return False

    def save_model(self, request, obj: Asset, form, change: bool) -> None:
        # A move is saved with the edit page's rule: never unapproved in a reviewed collection.
        drafted = "collection" in form.changed_data and obj.draft_unless_approved()
        super().save_model(request, obj, form, change)
        if drafted:
            self.message_user(request, MOVED_TO_DRAFT, messages.WARNING)
        # A new focal point, kind or background needs new sizes, as on the edit page.
        renditions_request(asset=obj)


@admin.register(Rendition)
class RenditionAdmin(admin.ModelAdmin):
    """Renditions are made by the worker: the admin shows them and lets a stuck one be deleted."""

    list_display = ["asset", "preset", "status", "attempts", "width", "height", "byte_size"]
    list_filter = ["status", "preset"]
    search_fields = ["asset__title", "preset"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
