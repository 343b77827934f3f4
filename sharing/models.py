import hashlib

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, Collection

DEFAULT_DAYS = 14
MAX_DAYS = 90


def secret_hash(secret: str) -> str:
    """What is stored of a link's secret: a leaked table row opens no link."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ShareLinkQuerySet(models.QuerySet):
    def live(self) -> "ShareLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A link that gives people outside the company (agencies, freelancers) some artwork.

    It names no visitor and counts nothing: only who in marketing made it and when it ends.
    """

    name = models.CharField(
        _("name"), max_length=120, help_text=_("Who it is for, e.g. “Nordlys agency, spring”.")
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assets = models.ManyToManyField(Asset, blank=True, related_name="+")
    include_sizes = models.BooleanField(_("platform sizes"), default=True)
    include_originals = models.BooleanField(_("original files"), default=False)
    # Django's hasher format, or empty for no password.
    password = models.CharField(max_length=128, blank=True, editable=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["expires_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    def password_matches(self, raw: str) -> bool:
        return check_password(raw, self.password)

    def shared_assets(self) -> QuerySet[Asset]:
        """What the link shows now: what was shared and is still published (never a draft,
        nor anything archived or past its end since)."""
        published = Asset.objects.published()
        if self.collection_id:
            return published.filter(collection_id=self.collection_id)
        return published.filter(pk__in=self.assets.values("pk"))
