from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One staff action: who, when, what, on what. For administrators only.

    Staff actions only: an employee's download, view or count is never written here (the
    tracking app, which sees those, may not import this one).
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        DELETED = "deleted", _("Deleted")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")
        GUIDELINES_EDITED = "guidelines_edited", _("Guidelines edited")
        VERSION_ADDED = "version_added", _("Version added")
        VERSION_RESTORED = "version_restored", _("Version restored")
        SHARE_LINK_MADE = "share_link_made", _("Share link made")
        SHARE_LINK_REVOKED = "share_link_revoked", _("Share link revoked")
        ROLES_CHANGED = "roles_changed", _("Roles changed by the identity provider")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written, so the entry still says who once the account is gone.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target = models.CharField(_("on what"), max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target}"
