from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from policies.forms import AnnouncementForm
from policies.models import Announcement, PolicyPage, PolicyPageVersion


class PolicyPageVersionInline(admin.TabularInline):
    model = PolicyPageVersion
    fields = ["language", "saved_at", "title", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PolicyPage)
class PolicyPageAdmin(TranslationAdmin):
    list_display = ["title", "slug", "order", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at"]
    inlines = [PolicyPageVersionInline]


@admin.register(Announcement)
class AnnouncementAdmin(TranslationAdmin):
    # The portal's form: a stale admin page cannot save over a publish either.
    form = AnnouncementForm
    list_display = ["title", "collection", "asset", "created_at", "published_at", "email_status"]
    list_filter = ["published_at"]
    search_fields = ["title", "text"]
    raw_id_fields = ["asset"]
    readonly_fields = [
        "created_by", "created_at", "published_at", "site_url",
        "email_status", "email_claimed_at", "emailed_at", "email_error",
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # What staff were shown stays as it was; publishing happens in the portal, once.
        if obj and obj.is_published:
            return [*Announcement.CONTENT_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
