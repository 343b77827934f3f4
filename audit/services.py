from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone, translation

from audit.models import AuditEntry


def audit_record(*, actor: AbstractBaseUser | None, action: str, target: object) -> AuditEntry:
    """Write down one staff action. ``actor`` None means the portal itself (the sweep) or the
    identity provider; ``target`` is what was acted on, kept as text (its ``str()``)."""
    # In the portal's default language, not the actor's: one asset keeps one name in the log
    # whoever acted on it, and searching the log finds every entry.
    with translation.override(settings.LANGUAGE_CODE):
        name = str(target)[:300]
    return AuditEntry.objects.create(
        actor=actor, actor_name=actor.get_username() if actor else "", action=action, target=name
    )


def audit_prune() -> int:
    """Delete the entries older than AUDIT_RETENTION_DAYS; returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted
