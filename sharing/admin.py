from django.contrib import admin

from sharing.models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    # Made and ended in the portal (the secret is shown once, there); the admin only reads.
    list_display = ["name", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = [
        "name",
        "collection",
        "assets",
        "include_sizes",
        "include_originals",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
