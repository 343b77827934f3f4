from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from assets.models import Asset, Collection, Rendition, Tag
from assets.services import renditions_request


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "requires_review"]
    prepopulated_fields = {"slug": ["name"]}


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
    readonly_fields = [
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
        super().save_model(request, obj, form, change)
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
