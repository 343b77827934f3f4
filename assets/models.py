import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from assets.engine import ENGINE_VERSION
from assets.presets import Preset, load_presets

FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Collection(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssetQuerySet(models.QuerySet):
    def published(self) -> "AssetQuerySet":
        """What employees see: published and not past its end date."""
        today = timezone.localdate()
        return self.filter(Q(available_until__isnull=True) | Q(available_until__gte=today)).filter(
            status=Asset.Status.PUBLISHED
        )

    def search(self, text: str) -> "AssetQuerySet":
        matches = Q()
        for word in text.split():
            matches &= (
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(tags__name__icontains=word)
            )
        return self.filter(matches).distinct()


def original_upload_to(asset: "Asset", filename: str) -> str:
    # Named by content, never by the uploader's file name: no path tricks, no clashes.
    return f"originals/{asset.sha256[:2]}/{asset.sha256}.{asset.extension}"


class Asset(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", "Photo"
        LOGO = "logo", "Logo"
        ILLUSTRATION = "illustration", "Illustration"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    EXTENSIONS = {
        "JPEG": "jpg",
        "PNG": "png",
        "WEBP": "webp",
        "HEIF": "heic",
        "AVIF": "avif",
        "TIFF": "tif",
        "SVG": "svg",
    }
    BROWSER_FORMATS = {"JPEG", "PNG", "WEBP", "AVIF"}

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    usage_notes = models.TextField(blank=True, help_text="Shown to employees next to the download.")
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="assets")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    available_until = models.DateField(
        null=True, blank=True, help_text="After this day employees no longer see the asset."
    )

    original = models.FileField(upload_to=original_upload_to, max_length=200)
    width = models.PositiveIntegerField(help_text="Upright, after EXIF orientation.")
    height = models.PositiveIntegerField(help_text="Upright, after EXIF orientation.")
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=10)
    focal_x = models.FloatField(default=0.5, validators=FRACTION)
    focal_y = models.FloatField(default=0.5, validators=FRACTION)
    background = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")],
        help_text="Padding colour for logos and illustrations; empty means transparent.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("publish_asset", "Can publish and archive assets")]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="asset_focal_point_inside_image",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assets:detail", args=[self.slug])

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.format]

    @property
    def download_name(self) -> str:
        return f"{self.slug}.{self.extension}"

    @property
    def shown_as_uploaded(self) -> bool:
        """Whether browsers show the original itself; SVG (never shown on the portal's origin),
        HEIC and TIFF are previewed through a rendered size instead."""
        return self.format in self.BROWSER_FORMATS

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def publish(self) -> None:
        self.status = self.Status.PUBLISHED
        self.save(update_fields=["status", "updated_at"])

    def archive(self) -> None:
        self.status = self.Status.ARCHIVED
        self.save(update_fields=["status", "updated_at"])

    def rendition_key(self, preset: Preset) -> str:
        """A name for one output that changes whenever the output would.

        It covers the engine's and the preset's versions, the source bytes and
        everything on the asset that changes the pixels, so a CDN may cache
        renditions forever.
        """
        recipe = [ENGINE_VERSION, self.sha256, preset.slug, preset.version, self.kind]
        recipe += [self.background]
        recipe += [round(self.focal_x, 4), round(self.focal_y, 4)]
        return hashlib.sha256(json.dumps(recipe).encode()).hexdigest()[:32]

    def current_renditions(self) -> "RenditionQuerySet":
        """The renditions that match the asset as it is now."""
        keys = [self.rendition_key(preset) for preset in load_presets()]
        return self.renditions.filter(source_key__in=keys)

    def renditions_by_preset(self) -> list[tuple[Preset, "Rendition | None"]]:
        """Every preset in the data file's order, with its rendition if one exists."""
        made = {rendition.preset: rendition for rendition in self.current_renditions()}
        return [(preset, made.get(preset.slug)) for preset in load_presets()]


@receiver(post_delete, sender=Asset)
def delete_original_after_commit(sender: type[Asset], instance: Asset, **kwargs) -> None:
    # Only once the row is really gone: a rolled-back delete must keep its file.
    storage, name = instance.original.storage, instance.original.name
    transaction.on_commit(lambda: storage.delete(name))


def rendition_upload_to(rendition: "Rendition", filename: str) -> str:
    return f"renditions/{rendition.source_key[:2]}/{rendition.source_key}.{filename}"


class RenditionQuerySet(models.QuerySet):
    def stale(self, age: timedelta) -> "RenditionQuerySet":
        """Pending work nobody holds: its queue message was lost or its worker died."""
        now = timezone.now()
        return self.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=Rendition.Status.PENDING,
            updated_at__lt=now - age,
        )


class Rendition(models.Model):
    """One platform size of an asset, made by a Celery worker."""

    MAX_ATTEMPTS = 3

    class Status(models.TextChoices):
        PENDING = "pending", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="renditions")
    preset = models.CharField(max_length=60)
    source_key = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker holds its claim until then; after it the sweep may hand the work on.
    claimed_until = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=rendition_upload_to, max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveIntegerField(null=True, blank=True)
    format = models.CharField(max_length=10, blank=True)
    low_resolution = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RenditionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "preset", "source_key"], name="one_rendition_per_recipe"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset} – {self.preset}"

    @property
    def extension(self) -> str:
        return Asset.EXTENSIONS[self.format]

    @property
    def download_name(self) -> str:
        return f"{self.asset.slug}-{self.preset}.{self.extension}"


@receiver(post_delete, sender=Rendition)
def delete_rendition_file_after_commit(
    sender: type[Rendition], instance: Rendition, **kwargs
) -> None:
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
