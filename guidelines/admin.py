from django.contrib import admin

from assets.models import content_languages
from guidelines.models import Guideline, GuidelineVersion


class GuidelineVersionInline(admin.TabularInline):
    model = GuidelineVersion
    fields = ["saved_at", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    # Edited in the portal, where every save keeps a version; the admin only reads.
    list_display = ["collection", "updated_at"]
    readonly_fields = [
        "collection",
        "body",
        *(f"body_{code}" for code, _ in content_languages()),
        "swatches",
        "dont_examples",
        "created_at",
        "updated_at",
    ]
    inlines = [GuidelineVersionInline]

    def has_add_permission(self, request) -> bool:
        return False
