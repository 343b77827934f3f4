import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assets.models import Asset, Collection
from audit.models import AuditEntry
from audit.services import audit_record
from sharing.models import MAX_DAYS, ShareLink, secret_hash


@transaction.atomic
def share_link_create(
    *,
    created_by: AbstractBaseUser | None,
    name: str,
    collection: Collection | None = None,
    assets: Iterable[Asset] = (),
    days: int,
    password: str = "",
    include_sizes: bool = True,
    include_originals: bool = False,
) -> tuple[ShareLink, str]:
    """Make a share link; returns it with its secret, which is shown this once and never
    stored (only its hash is)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a share link lasts 1 to {MAX_DAYS} days")
    secret = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        name=name,
        secret_hash=secret_hash(secret),
        collection=collection,
        include_sizes=include_sizes,
        include_originals=include_originals,
        password=make_password(password) if password else "",
        expires_at=timezone.now() + timedelta(days=days),
        created_by=created_by,
    )
    if collection is None:
        link.assets.set(assets)
    audit_record(actor=created_by, action=AuditEntry.Action.SHARE_LINK_MADE, target=link)
    return link, secret


@transaction.atomic
def share_link_revoke(*, link: ShareLink, revoked_by: AbstractBaseUser) -> None:
    """End a link at once: its next request, even a download under way's next file, is refused."""
    ended = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if ended:
        audit_record(actor=revoked_by, action=AuditEntry.Action.SHARE_LINK_REVOKED, target=link)
