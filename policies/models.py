import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, Collection, content_languages
from policies.text import PressureCheck, check_pressure, diff_lines, render_markdown


def languages() -> list[str]:
    return [code for code, _ in content_languages()]


def _stripped(texts: tuple) -> tuple:
    return tuple((text or "").strip() for text in texts)


@dataclass(frozen=True)
class Change:
    """One entry of a page's change log: what the text became on `date`."""

    date: datetime
    title_before: str
    title_after: str
    diff: list[str]


class PolicyPage(models.Model):
    # This page's facts are generated from the settings at render time, so the
    # page cannot promise anything the code does not do.
    KEPT_SLUG = "what-this-portal-keeps"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text=_("Markdown: ## for headings, - for lists, [text](url)."))
    order = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers come first."))
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Save, keeping the text this save replaces as a version with its date, in each
        language on its own: a German change is in the German change log only."""
        columns = [f"{name}_{language}" for language in languages() for name in ("title", "body")]
        dates = [f"updated_at_{language}" for language in languages()]
        with transaction.atomic():
            previous = (
                PolicyPage.objects.select_for_update()
                .filter(pk=self.pk)
                .values(*columns, *dates)
                .first()
                if self.pk
                else None
            )
            for language in languages() if previous else []:
                before = (previous[f"title_{language}"], previous[f"body_{language}"])
                after = (getattr(self, f"title_{language}"), getattr(self, f"body_{language}"))
                # Compared without the blanks around it: a form strips them.
                if _stripped(before) == _stripped(after) or not any(after):
                    continue
                if any(before):
                    self.versions.create(
                        language=language,
                        title=before[0] or "",
                        body=before[1] or "",
                        saved_at=previous[f"updated_at_{language}"] or self.updated_at_en,
                    )
                setattr(self, f"updated_at_{language}", timezone.now())
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("policies:page", args=[self.slug])

    def generated_markdown(self) -> str:
        if self.slug != self.KEPT_SLUG:
            return ""
        return render_to_string(
            "policies/generated/what_this_portal_keeps.txt",
            {
                "min_count": settings.TRACKING_MIN_COUNT,
                "epsilon": settings.TRACKING_EPSILON,
                "epsilon_factor": f"{math.exp(settings.TRACKING_EPSILON):.1f}",
                "retention_months": settings.TRACKING_RETENTION_MONTHS,
                "announcement_days": settings.ANNOUNCEMENT_DAYS,
                "weekly_tokens": settings.TRACKING_WEEKLY_TOKENS,
                "session_days": settings.SESSION_COOKIE_AGE // 86400,
                "lockout_failures": settings.AXES_FAILURE_LIMIT,
                "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                "audit_days": settings.AUDIT_RETENTION_DAYS,
            },
        )

    def html(self) -> SafeString:
        return render_markdown(f"{self.body}\n\n{self.generated_markdown()}")

    @property
    def shown_language(self) -> str:
        """The language the reader sees the text in: theirs, or English until it is translated."""
        language = (get_language() or "en").split("-")[0]
        if language in languages() and getattr(self, f"body_{language}", ""):
            return language
        return settings.MODELTRANSLATION_DEFAULT_LANGUAGE

    @property
    def translated(self) -> bool:
        """False when the reader's language has no version of this page yet."""
        language = (get_language() or "en").split("-")[0]
        return language not in languages() or self.shown_language == language

    @property
    def changed_at(self) -> datetime:
        """When the shown language's text was last saved."""
        return getattr(self, f"updated_at_{self.shown_language}") or self.updated_at_en

    @property
    def first_saved_at(self) -> datetime:
        oldest = self.versions.filter(language=self.shown_language).last()
        return oldest.saved_at if oldest else self.updated_at

    def changes(self) -> list[Change]:
        """Newest first: each save of the shown language's text, with the lines it removed and
        added."""
        language = self.shown_language
        texts = [
            (
                self.changed_at,
                getattr(self, f"title_{language}") or self.title,
                getattr(self, f"body_{language}"),
            )
        ] + [
            (version.saved_at, version.title, version.body)
            for version in self.versions.filter(language=language)
        ]
        changes = []
        for (date, title, body), (_earlier, old_title, old_body) in zip(
            texts, texts[1:], strict=False
        ):
            changes.append(Change(date, old_title, title, diff_lines(old_body, body)))
        return changes


class PolicyPageVersion(models.Model):
    """The text a page had in one language before a save replaced it."""

    page = models.ForeignKey(PolicyPage, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=10, default="en", choices=content_languages())
    title = models.CharField(max_length=120)
    body = models.TextField()
    saved_at = models.DateTimeField(help_text=_("When this text was saved."))

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.saved_at:%Y-%m-%d})"


def all_staff_addresses() -> dict[str, str]:
    """The announcement email's lists by language: English for everyone without a list in
    their own language. Empty when no email is configured."""
    addresses = {settings.LANGUAGE_CODE: settings.ALL_STAFF_EMAIL}
    addresses |= settings.ALL_STAFF_EMAIL_BY_LANGUAGE
    return {language: address for language, address in addresses.items() if address}


class AlreadyPublished(Exception):
    pass


ARTWORK_ANNOUNCED_ONCE = _(
    "This artwork has already been announced. An artwork is announced at most once, ever."
)
COLLECTION_ANNOUNCED_ONCE = _(
    "This collection has already been announced. An artwork is announced at most once, ever."
)
ASSET_ANNOUNCED_ONCE = _(
    "This asset has already been announced. An artwork is announced at most once, ever."
)


class AnnouncementQuerySet(models.QuerySet):
    def live(self) -> "AnnouncementQuerySet":
        """Published within the last ANNOUNCEMENT_DAYS days: shown as a banner."""
        since = timezone.now() - timedelta(days=settings.ANNOUNCEMENT_DAYS)
        # Prefetched, not joined: most pages have no banner, and a join with the asset's sixty
        # columns cost each of them a millisecond to build and read.
        return self.filter(published_at__gte=since).prefetch_related("collection", "asset")

    def email_unsent(self, *, age: timedelta) -> "AnnouncementQuerySet":
        """Email asked for at least `age` ago and never claimed: its queue message was lost."""
        return self.filter(
            email_status=Announcement.EmailStatus.REQUESTED,
            published_at__lt=timezone.now() - age,
        )


class Announcement(models.Model):
    class EmailStatus(models.TextChoices):
        NONE = "", _("No email")
        REQUESTED = "requested", _("Waiting to be sent")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # What the edit form and the admin may change, and only while it is a draft: the title
    # and text in every language, and what it names.
    CONTENT_FIELDS = (
        *(f"{name}_{code}" for name in ("title", "text") for code, _ in content_languages()),
        "collection",
        "asset",
    )

    title = models.CharField(max_length=120)
    text = models.TextField(max_length=1000, help_text=_("A few sentences, plain text."))
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The portal's address when it was published, for the links in a mail sent later.
    site_url = models.URLField(blank=True, editable=False)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, blank=True, default="", editable=False
    )
    email_claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a worker took the one email.")
    )
    emailed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When the mail server accepted it.")
    )
    email_error = models.CharField(max_length=300, blank=True, editable=False)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("publish_announcement", "Can publish an announcement (once)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(collection__isnull=True) ^ Q(asset__isnull=True),
                name="announcement_names_a_collection_or_an_asset",
                violation_error_message="Choose either a collection or one asset.",
            ),
            models.UniqueConstraint(
                fields=["collection"],
                name="announcement_once_per_collection",
                violation_error_message=COLLECTION_ANNOUNCED_ONCE,
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["asset"],
                name="announcement_once_per_asset",
                violation_error_message=ASSET_ANNOUNCED_ONCE,
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Create, or change the text of a draft; never touch what publishing set.

        A conditional UPDATE of the content fields only: a form loaded before the
        publish cannot write published_at or the email state back, nor edit what
        staff were shown. Raises AlreadyPublished when it is too late.
        """
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        content = {
            self._meta.get_field(name).attname: getattr(self, self._meta.get_field(name).attname)
            for name in self.CONTENT_FIELDS
        }
        if not Announcement.objects.filter(pk=self.pk, published_at__isnull=True).update(**content):
            raise AlreadyPublished(
                _("“%(title)s” has been published and stays as it was sent.")
                % {"title": self.title}
            )

    @property
    def target(self) -> Collection | Asset:
        return self.asset or self.collection

    @property
    def target_url(self) -> str:
        if self.asset:
            return self.asset.get_absolute_url()
        return f"{reverse('assets:home')}?collection={self.collection.slug}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def shown_until(self) -> datetime | None:
        if self.published_at is None:
            return None
        return self.published_at + timedelta(days=settings.ANNOUNCEMENT_DAYS)

    @property
    def email_outcome_unknown(self) -> bool:
        """Claimed so long ago that its worker must have stopped before saying how it went."""
        if self.email_status != self.EmailStatus.CLAIMED or not self.email_claimed_at:
            return False
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.EMAIL_TIMEOUT)
        return timezone.now() - self.email_claimed_at > limit

    def pressure(self) -> list[tuple[str, PressureCheck]]:
        """(language, check) for each language whose text reads as pressure, checked with
        that language's phrases: a German text is checked in German, not through English."""
        checks = []
        for language in languages():
            title = getattr(self, f"title_{language}") or ""
            text = getattr(self, f"text_{language}") or ""
            check = check_pressure(f"{title}\n\n{text}", language=language)
            if (title or text) and check.phrases:
                checks.append((language, check))
        return checks

    def publish(self, *, email: bool = False, site_url: str = "") -> None:
        """Publish, exactly once. Raises AlreadyPublished on every later attempt."""
        now = timezone.now()
        status = self.EmailStatus.REQUESTED if email else self.EmailStatus.NONE
        # A conditional UPDATE, not a check in Python: of two concurrent publishes
        # only one can find published_at still empty.
        claimed = Announcement.objects.filter(pk=self.pk, published_at__isnull=True).update(
            published_at=now, email_status=status, site_url=site_url
        )
        if not claimed:
            raise AlreadyPublished(
                _("“%(title)s” has already been published. It is sent once.")
                % {"title": self.title}
            )
        self.published_at, self.email_status, self.site_url = now, status, site_url

    def send_email(self) -> bool:
        """Send the one email to each all-staff list, in the list's language; False if it is
        not due.

        The email is claimed before it is sent and never sent again after that, even
        when the send fails half-way: staff get no email rather than two. Asking twice
        is what this portal must never do. Each outcome is recorded for Marketing.
        """
        now = timezone.now()
        claimed = Announcement.objects.filter(
            pk=self.pk, published_at__isnull=False, email_status=self.EmailStatus.REQUESTED
        ).update(email_status=self.EmailStatus.CLAIMED, email_claimed_at=now)
        if not claimed:
            return False
        outcome = {"email_status": self.EmailStatus.SENT, "email_error": ""}
        try:
            if not all_staff_addresses():
                raise ValueError("no all-staff address is configured (ALL_STAFF_EMAIL)")
            if not settings.MAIL_ENABLED:
                raise ValueError("no mail server is configured (EMAIL_URL)")
            get_connection().send_messages(self._emails())
            outcome["emailed_at"] = timezone.now()
        except Exception as error:
            outcome = {"email_status": self.EmailStatus.FAILED, "email_error": str(error)[:300]}
        Announcement.objects.filter(pk=self.pk).update(**outcome)
        return outcome["email_status"] == self.EmailStatus.SENT

    def _emails(self) -> list[EmailMessage]:
        # One message per language: the title and text in it (English where this
        # announcement has no translation) and the portal's own lines in it too.
        context = {"announcement": self, "base_url": self.site_url.rstrip("/")}
        emails = []
        for language, address in all_staff_addresses().items():
            with translation.override(language):
                body = render_to_string("policies/email/announcement.txt", context)
                emails.append(EmailMessage(subject=self.title, body=body, to=[address]))
        return emails
