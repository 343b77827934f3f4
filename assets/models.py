import hashlib
import json
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.renditions.engine import (
    ENGINE_VERSION,
    RenderedImage,
    RenderError,
    UnsafeSVG,
    plan_preset,
    render_presets,
)
from assets.renditions.platforms import Platform, Slot
from assets.renditions.presets import Preset, get_preset, platform_presets, presets_for
from assets.renditions.translated import platforms_translated
from audit.models import AuditEntry
from audit.services import audit_record

FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]
# The review state of a file never submitted (AssetQuerySet.with_review_state).
REVIEW_NONE = "none"
# Said wherever a move made published artwork a draft (Asset.draft_unless_approved).
MOVED_TO_DRAFT = _(
    "Its new collection requires review: it is a draft again, and employees no longer see it, "
    "until a brand lead approves this version. Submit it for review on its page."
)


def content_languages() -> list[tuple[str, str]]:
    """The languages content is written in, a column each: (code, name), the default first."""
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in settings.MODELTRANSLATION_LANGUAGES]


class Collection(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, help_text=_("Lower numbers come first."))
    requires_review = models.BooleanField(
        _("requires review"),
        default=False,
        help_text=_("A brand lead approves each version of its artwork before it is published."),
    )

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


class SearchTerm(models.Model):
    """A word that appears in some asset's search document: what a typo is corrected to.

    Never shown to anyone; a word whose asset has gone stays and only finds nothing.
    """

    word = models.CharField(max_length=100, primary_key=True)

    def __str__(self) -> str:
        return self.word


class AssetQuerySet(models.QuerySet):
    def published(self) -> "AssetQuerySet":
        """What employees see: published, past its embargo and not past its end date."""
        today = timezone.localdate()
        return self.filter(
            Q(available_until__isnull=True) | Q(available_until__gte=today),
            Q(not_before__isnull=True) | Q(not_before__lte=today),
            status=Asset.Status.PUBLISHED,
        )

    def expiring(self, *, within_days: int = 30) -> "AssetQuerySet":
        """Published artwork whose "usable until" day comes within the next ``within_days``."""
        today = timezone.localdate()
        return self.filter(
            status=Asset.Status.PUBLISHED,
            available_until__gte=today,
            available_until__lte=today + timedelta(days=within_days),
        )

    def past_usable_until(self) -> "AssetQuerySet":
        """Published artwork whose last usable day has passed: the sweep archives it."""
        return self.filter(status=Asset.Status.PUBLISHED, available_until__lt=timezone.localdate())

    def with_review_state(self) -> "AssetQuerySet":
        """Each asset with ``review_now``: its current file's latest review step (a
        Review.Action), or "none"; one subquery, so the library can filter and count by it."""
        latest = (
            Review.objects.filter(
                asset=OuterRef("pk"),
                at__gte=Coalesce(OuterRef("replaced_at"), OuterRef("created_at")),
            )
            .order_by("-at", "-id")
            .values("action")[:1]
        )
        return self.annotate(review_now=Coalesce(Subquery(latest), Value(REVIEW_NONE)))


def original_upload_to(row: "Asset | AssetVersion", filename: str) -> str:
    # Named by content, never by the uploader's file name: no path tricks, no clashes.
    return f"originals/{row.sha256[:2]}/{row.sha256}.{Asset.EXTENSIONS[row.format]}"


def slug_url(name: str, *slugs: str) -> str:
    """``reverse(name, args=slugs)`` for a URL whose arguments are all slugs, put together
    from the URL reversed once per URL conf and script prefix: reverse() takes 22 µs, and a
    page of cards had 72 of them."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    pieces = _url_pieces(name, len(slugs), urlconf, get_script_prefix())
    return "".join(piece + slug for piece, slug in zip(pieces, (*slugs, ""), strict=True))


# A slug as the slug converter takes it, seen nowhere in the portal's URLs.
_SLUG_MARK = "0slug{}0"


@lru_cache(maxsize=32)
def _url_pieces(name: str, count: int, urlconf: str, script_prefix: str) -> tuple[str, ...]:
    """The URL ``name`` reversed with marks for its ``count`` slugs, cut at the marks."""
    marks = [_SLUG_MARK.format(number) for number in range(count)]
    url = reverse(name, urlconf=urlconf, args=marks)
    pieces = []
    for mark in marks:
        piece, found, url = url.partition(mark)
        if not found or mark in url:
            raise ValueError(f"{name} changes its arguments: use reverse()")
        pieces.append(piece)
    return (*pieces, url)


class Asset(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        LOGO = "logo", _("Logo")
        ILLUSTRATION = "illustration", _("Illustration")
        FRAME = "frame", _("Profile frame")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    EXTENSIONS = {
        "JPEG": "jpg",
        "PNG": "png",
        "WEBP": "webp",
        "HEIF": "heic",
        "AVIF": "avif",
        "TIFF": "tif",
        "SVG": "svg",
    }
    RASTER_CONTENT_TYPES = {
        "JPEG": "image/jpeg",
        "PNG": "image/png",
        "WEBP": "image/webp",
        "AVIF": "image/avif",
    }
    SVG_PREVIEW_PRESET = "avatar-large"
    # The columns rendition_key reads: a page that only picks the sizes to serve (the cards)
    # loads these and not the rest.
    RECIPE_FIELDS = (
        "sha256",
        "kind",
        "background",
        "focal_x",
        "focal_y",
        "keep_box",
        "crop_overrides",
    )

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    usage_notes = models.TextField(
        blank=True, help_text=_("Shown to employees next to the download.")
    )
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("What the artwork shows, for people who cannot see it. Empty: the title."),
    )
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="assets")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    class Use(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        SOCIAL = "social", _("Social media")
        PRINT = "print", _("Print")
        ADS = "ads", _("Paid ads")

    # Rights: who made it, on what terms, and when it may be used.
    credit_photographer = models.CharField(_("photographer"), max_length=120, blank=True)
    credit_agency = models.CharField(_("agency"), max_length=120, blank=True)
    licence = models.CharField(
        _("licence"), max_length=200, blank=True, help_text=_("For example: royalty-free, 2 years.")
    )
    # A list of Use values (JSON, so SQLite runs it as PostgreSQL does).
    allowed_uses = models.JSONField(_("allowed uses"), default=list, blank=True)
    not_before = models.DateField(
        _("embargo: not before"),
        null=True,
        blank=True,
        help_text=_("Employees do not see the asset before this day, even when it is published."),
    )
    available_until = models.DateField(
        _("usable until"),
        null=True,
        blank=True,
        help_text=_("The last day it may be used; the next day it is archived."),
    )

    original = models.FileField(upload_to=original_upload_to, max_length=200)
    width = models.PositiveIntegerField(help_text=_("Upright, after EXIF orientation."))
    height = models.PositiveIntegerField(help_text=_("Upright, after EXIF orientation."))
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=10)
    focal_x = models.FloatField(default=0.5, validators=FRACTION)
    focal_y = models.FloatField(default=0.5, validators=FRACTION)
    background = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a2b3c."))],
        help_text=_("Padding colour for logos and illustrations; empty means transparent."),
    )
    # Fractions of the upright original: {"x", "y", "w", "h"}. The keep box is what an
    # illustration's crop must never cut; a crop override replaces the engine's crop for one size.
    keep_box = models.JSONField(null=True, blank=True)
    crop_overrides = models.JSONField(
        default=dict, blank=True, help_text=_("Per preset slug, the crop box marketing drew.")
    )

    class TextArea(models.TextChoices):
        BOTTOM = "bottom", _("Bottom of the text box")
        MIDDLE = "middle", _("Middle of the text box")
        TOP = "top", _("Top of the text box")

    class TextAlign(models.TextChoices):
        START = "start", _("Start of the line (left, or right in Arabic and Hebrew)")
        CENTER = "center", _("Centred")
        END = "end", _("End of the line")

    # Where an employee's own name and title go on a banner or call background: a box on the
    # picture (fractions x, y, w, h of the upright original), mapped into each size's crop.
    # Drawn in their browser only: the portal never sees the text.
    text_box = models.JSONField(
        null=True, blank=True, help_text=_("The box marketing drew; empty: the size's safe zone.")
    )
    text_area = models.CharField(
        max_length=10,
        choices=TextArea.choices,
        default=TextArea.BOTTOM,
        help_text=_("Where the lines sit in the box."),
    )
    text_align = models.CharField(
        max_length=10, choices=TextAlign.choices, default=TextAlign.CENTER
    )
    text_max_lines = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("A long name wraps onto at most this many lines, the job title included."),
    )
    text_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a2b3c."))],
        help_text=_(
            "Colour of that text; empty, or too faint on the artwork there (under WCAG's "
            "4.5:1), picks the brand's light or dark colour, whichever reads better."
        ),
    )
    text_light_colour = models.CharField(
        max_length=7,
        default="#ffffff",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a2b3c."))],
    )
    text_dark_colour = models.CharField(
        max_length=7,
        default="#111111",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a2b3c."))],
    )
    # Mail clients fetch a signature's image without the portal's cookie, so a banner that
    # needed sign-in would show as a broken image to every reader: offered means public.
    signature_public = models.BooleanField(
        _("Offer as an email-signature banner"),
        default=True,
        help_text=_(
            "Employees get the signature tool, and the banner is served to anyone with its "
            "address (no sign-in, no cookie, never counted), so it shows in mail read "
            "anywhere. Untick to offer no signature for this artwork."
        ),
    )
    signature_link = models.URLField(
        _("Signature banner links to"),
        blank=True,
        help_text=_(
            "Where the banner leads when someone clicks it in a signature, e.g. the "
            "campaign page. Empty: the banner is a plain image."
        ),
    )
    ring_text = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("A logo's profile ring shows this along its arc, e.g. the campaign name."),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Marketing's note on the current file; it moves with the file into the version history.
    file_note = models.CharField(
        _("note on the current file"),
        max_length=300,
        blank=True,
        help_text=_("What this file is or what changed in it; shown to marketing only."),
    )
    # When and by whom the current file replaced an earlier one (a new version or a restore).
    replaced_at = models.DateTimeField(null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")
        SQUARE = "square", _("Square")

    # Within 5% of square counts as square: a 1024×1000 logo is square to anyone.
    orientation = models.GeneratedField(
        expression=Case(
            When(GreaterThan(F("width") * 20, F("height") * 21), then=Value("landscape")),
            When(GreaterThan(F("height") * 20, F("width") * 21), then=Value("portrait")),
            default=Value("square"),
        ),
        output_field=models.CharField(max_length=10, choices=Orientation.choices),
        db_persist=True,
    )
    # Written by assets/search.py, one per language (PostgreSQL only; SQLite keeps its FTS5
    # tables): English here, the others in search_document_<language>.
    search_document = SearchVectorField(null=True, editable=False)
    search_document_de = SearchVectorField(null=True, editable=False)
    search_document_fr = SearchVectorField(null=True, editable=False)
    # A search's results carry their title and an excerpt with the matched words marked
    # (Search.marked); every other asset has none. Declared so a card asking for them finds
    # None instead of failing a lookup, which cost a page of cards a millisecond.
    marked_title: str | None = None
    marked_text: str | None = None

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # With the columns published() filters on: a page's ids read this index alone,
            # even three hundred pages deep.
            models.Index(
                fields=["-created_at", "-id", "status", "available_until", "not_before"],
                name="asset_newest_first",
            ),
            # The library's order, and its status filter, for the same reason.
            models.Index(fields=["-updated_at", "-id", "status"], name="asset_recently_updated"),
            # Every column the facets count by and filter on, the pages' orders and what the
            # review state is read from (replaced_at): the counts and a page's ids read this
            # index alone, not the rows with their kilobyte of search document.
            models.Index(
                fields=[
                    "status",
                    "collection",
                    "kind",
                    "orientation",
                    "available_until",
                    "not_before",
                    "id",
                    "created_at",
                    "updated_at",
                    "replaced_at",
                ],
                name="asset_facets",
            ),
        ]
        permissions = [
            ("publish_asset", "Can publish and archive assets"),
            ("review_asset", "Can approve assets or send them back"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="asset_focal_point_inside_image",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("assets:detail", self.slug)

    # Django's own get_FOO_display hashes every choice's lazy label, a translation lookup
    # each, on every call: 28 µs, and a card shows one or two. The labels stay lazy here, so
    # each is still translated into the reader's language.
    def get_kind_display(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

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
        return self.format in self.RASTER_CONTENT_TYPES

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def credit(self) -> str:
        """The credit line employees copy: photographer and agency, as far as known."""
        return " / ".join(name for name in (self.credit_photographer, self.credit_agency) if name)

    @property
    def embargoed(self) -> bool:
        return self.not_before is not None and self.not_before > timezone.localdate()

    def allowed_uses_display(self) -> list[str]:
        labels = dict(self.Use.choices)
        return [str(labels[use]) for use in self.allowed_uses if use in labels]

    @property
    def file_added_at(self) -> datetime:
        """When the current file came into the library."""
        return self.replaced_at or self.created_at

    @property
    def file_added_by(self) -> AbstractBaseUser | None:
        return self.replaced_by if self.replaced_at else self.uploaded_by

    @property
    def needs_review(self) -> bool:
        return self.collection is not None and self.collection.requires_review

    def current_review(self) -> "Review | None":
        """The latest review step of the current file: an earlier file's approval is not its."""
        return self.reviews.filter(at__gte=self.file_added_at).first()

    @property
    def review_state(self) -> str:
        """A Review.Action of the current file, or "" when it was never submitted."""
        review = self.current_review()
        return review.action if review else ""

    @property
    def may_be_published(self) -> bool:
        return not self.needs_review or self.review_state == Review.Action.APPROVED

    def draft_unless_approved(self) -> bool:
        """Make published artwork a draft again when its collection requires review and a
        brand lead has not approved its current file: after a new file, or a move into such a
        collection. Sets the status only, so the caller's save writes it with the change.
        Returns whether it did."""
        if self.is_published and not self.may_be_published:
            self.status = self.Status.DRAFT
            return True
        return False

    def publish(self) -> None:
        self.status = self.Status.PUBLISHED
        self.save(update_fields=["status", "updated_at"])

    def archive(self, *, by: AbstractBaseUser | None = None, why: str = "") -> None:
        """Archive it and say so in the audit log; ``by`` None is the portal (the sweep)."""
        self.status = self.Status.ARCHIVED
        self.save(update_fields=["status", "updated_at"])
        target = f"{self} ({why})" if why else self
        audit_record(actor=by, action=AuditEntry.Action.ARCHIVED, target=target)

    @property
    def engine_kind(self) -> str:
        # The engine knows artwork kinds only; a frame overlay is drawn whole, like artwork,
        # and keeps its transparency (its hole is the point of it).
        return self.Kind.ILLUSTRATION if self.kind == self.Kind.FRAME else self.kind

    @property
    def engine_background(self) -> str | None:
        return None if self.kind == self.Kind.FRAME else self.background or None

    def presets(self) -> tuple[Preset, ...]:
        """The sizes this asset is made into."""
        return presets_for(self.kind)

    @property
    def keep_fractions(self) -> tuple[float, float, float, float] | None:
        """The keep box as the engine takes it (x, y, w, h), for illustrations only."""
        if not self.keep_box or self.kind != self.Kind.ILLUSTRATION:
            return None
        return tuple(float(self.keep_box[key]) for key in "xywh")

    @property
    def crop_fractions(self) -> dict[str, tuple[float, float, float, float]]:
        """Per preset slug, the crop override as the engine takes it (x, y, w, h)."""
        return {
            slug: tuple(float(box[key]) for key in "xywh")
            for slug, box in (self.crop_overrides or {}).items()
        }

    def text_slot(self, preset: Preset) -> tuple[float, float, float, float]:
        """Where employees' own text goes on ``preset``'s file: x, y, w, h as fractions of it.

        Marketing's box, carried through the crop the engine plans for that size and cut to
        the file; the size's safe zone when there is no box, the asset is a logo (its mark is
        placed, not cropped) or too little of the box is in this crop.
        """
        zone = preset.safe_zone
        fallback = (zone.x, zone.y, zone.w, zone.h)
        if not self.text_box or self.engine_kind == self.Kind.LOGO:
            return fallback
        plan = plan_preset(
            preset,
            (self.width, self.height),
            self.engine_kind,
            self.focal_x,
            self.focal_y,
            keep=self.keep_fractions,
            crop=self.crop_fractions.get(preset.slug),
        )
        left, top, right, bottom = plan.crop
        scale_x, scale_y = plan.size[0] / (right - left), plan.size[1] / (bottom - top)
        box = self.text_box
        edges = (
            (box["x"] * self.width - left) * scale_x + plan.position[0],
            (box["y"] * self.height - top) * scale_y + plan.position[1],
            ((box["x"] + box["w"]) * self.width - left) * scale_x + plan.position[0],
            ((box["y"] + box["h"]) * self.height - top) * scale_y + plan.position[1],
        )
        x0, x1 = (min(max(edge / preset.width, 0.0), 1.0) for edge in edges[::2])
        y0, y1 = (min(max(edge / preset.height, 0.0), 1.0) for edge in edges[1::2])
        # A sliver left by the crop could hold no readable name.
        if (x1 - x0) < 0.1 or (y1 - y0) < 0.1:
            return fallback
        return (round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4))

    def rendition_key(self, preset: Preset) -> str:
        """A name for one output that changes whenever the output would.

        It covers the engine's and the preset's versions, the source bytes and
        everything on the asset that changes the pixels, so a CDN may cache
        renditions forever.
        """
        recipe = [ENGINE_VERSION, self.sha256, preset.slug, preset.version, self.kind]
        recipe += [self.background]
        recipe += [round(self.focal_x, 4), round(self.focal_y, 4)]
        # Appended only when set, so assets without them keep their names.
        if self.keep_fractions:
            recipe += [{"keep": self.keep_box}]
        if override := self.crop_overrides.get(preset.slug):
            recipe += [{"crop": override}]
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:32]

    def rendition_keys(self) -> dict[str, str]:
        """Every preset's slug, in the data file's order, with its current recipe key."""
        return {preset.slug: self.rendition_key(preset) for preset in self.presets()}

    def current_renditions(self) -> "RenditionQuerySet":
        """The renditions that match the asset as it is now (ready or not)."""
        return self.renditions.filter(source_key__in=self.rendition_keys().values())

    def served_renditions(self) -> dict[str, "Rendition"]:
        """Per preset slug, the file handed out: the one rule every download and preview uses.

        The current rendition once it is ready; until then (a version bump, a new focal
        point or file being made) an earlier ready one, so nobody sees a 404: one made
        from the current file if there is one (a restored file's size of an older recipe),
        else the newest. Once the current one is ready, no earlier one is served (nor any
        size kept with an earlier file). Presets no longer in the data file are never
        served. Works on prefetched ``renditions`` too, so a page of cards costs one query.
        """
        served: dict[str, Rendition] = {}
        ready = [r for r in self.renditions.all() if r.status == Rendition.Status.READY]
        # Keys of the presets at hand only: a card has its two thumbnails, not fifteen sizes,
        # and each key is a hash.
        wanted = {r.preset for r in ready}
        keys = {p.slug: self.rendition_key(p) for p in self.presets() if p.slug in wanted}

        def rank(made: Rendition) -> tuple:
            current = made.source_key == keys.get(made.preset)
            return (current, made.source_sha256 == self.sha256, made.updated_at)

        # Sorted so the best candidate comes last and wins.
        for made in sorted(ready, key=rank):
            if made.preset in keys:
                served[made.preset] = made
        return {slug: served[slug] for slug in keys if slug in served}

    def zip_renditions(self) -> dict[str, "Rendition"] | None:
        """The sizes one ZIP holds, all made from one file: never old and new files mixed.

        While the sizes are being made from a new file, some are served from the earlier
        one: then a ZIP waits (None) until they are done. Once nothing is pending, the sizes
        of the current file that are ready (a failed one is left out rather than mixed in).
        """
        served = self.served_renditions()
        if len({made.source_sha256 for made in served.values()}) <= 1:
            return served
        if self.current_renditions().filter(status=Rendition.Status.PENDING).exists():
            return None
        return {slug: made for slug, made in served.items() if made.source_sha256 == self.sha256}

    def served_rendition(self, preset: str) -> "Rendition | None":
        return self.served_renditions().get(preset)

    def preview_url(self, preset: str, served: dict[str, "Rendition"] | None = None) -> str:
        """Where a page shows one of the internal presets ("" until one is ready).

        ``served`` is ``served_renditions()`` when the caller has it already.
        """
        made = (self.served_renditions() if served is None else served).get(preset)
        if made is None:
            return ""
        # The recipe in the query: a browser's cached copy is dropped when the file changes.
        url = slug_url("assets:preview-image", self.slug, preset)
        return f"{url}?v={made.source_key[:12]}"

    def renditions_by_preset(self) -> list[tuple[Preset, "Rendition | None", "Rendition | None"]]:
        """Every platform preset of the asset's kind in file order, with its current rendition
        (if one exists) and the rendition served for it (see ``served_renditions``)."""
        keys = self.rendition_keys()
        current = {r.preset: r for r in self.renditions.all() if r.source_key == keys.get(r.preset)}
        served = self.served_renditions()
        return [(p, current.get(p.slug), served.get(p.slug)) for p in platform_presets(self.kind)]

    def renditions_add_missing(self) -> bool:
        """Add a pending rendition for every preset that has none of the asset as it is now.

        Earlier ready renditions stay, to be served until replaced; earlier unfinished
        or failed ones are dropped (their files after the commit). Returns whether
        any current rendition is pending, i.e. whether there is work to queue.
        """
        keys = self.rendition_keys()
        earlier = self.renditions.exclude(source_key__in=keys.values())
        earlier.exclude(status=Rendition.Status.READY, preset__in=keys).delete()
        made = set(self.current_renditions().values_list("preset", flat=True))
        Rendition.objects.bulk_create(
            [
                Rendition(asset=self, preset=p, source_key=k, source_sha256=self.sha256)
                for p, k in keys.items()
                if p not in made
            ],
            ignore_conflicts=True,
        )
        return self.current_renditions().filter(status=Rendition.Status.PENDING).exists()

    def renditions_missing(self) -> bool:
        """Whether some preset has no rendition of the asset as it is now, not even pending."""
        made = set(self.renditions.values_list("source_key", flat=True))
        return not set(self.rendition_keys().values()) <= made

    def platform_kit(
        self, ready: dict[str, "Rendition"]
    ) -> list[tuple[Platform, list[tuple[Slot, "Rendition | None"]]]]:
        """Each platform this asset has a file for, with one (ready or not) file per slot, in
        the reader's language."""
        slugs = {preset.slug for preset in self.presets()}
        kit = []
        for platform in platforms_translated():
            slots = [
                (s, ready.get(s.preset.slug)) for s in platform.slots if s.preset.slug in slugs
            ]
            if slots:
                kit.append((platform, slots))
        return kit


_KIND_LABELS = dict(Asset.Kind.choices)
_STATUS_LABELS = dict(Asset.Status.choices)


class AssetVersion(models.Model):
    """A file an asset had before a new version replaced it; it can be put back."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    # The same content-addressed name the file had as the asset's original: nothing is copied.
    file = models.FileField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10)
    # Who added this file and when: shown to marketing only.
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("What this file is, for marketing.")
    )

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset} ({self.added_at:%Y-%m-%d})"

    def picture(self, preset: str = "thumbnail") -> RenderedImage | None:
        """A picture of this earlier file for marketing's pages (a card's ``thumbnail`` or the
        comparison's ``preview``), made now from the file itself: the sizes kept with it may
        be of an older recipe, or missing. None if it cannot be read any more."""
        try:
            with self.file.open("rb") as source:
                (made,) = render_presets(source, [get_preset(preset)], kind=self.asset.engine_kind)
        except (OSError, RenderError, UnsafeSVG):
            return None
        return made if isinstance(made, RenderedImage) else None


class Review(models.Model):
    """One step of an asset's review, for marketing and brand leads only: never shown to
    employees, never sent to anyone."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset}: {self.get_action_display()}"

    @property
    def may_be_approved(self) -> bool:
        """Whether an active account other than the submitter's holds the Brand lead role, so
        this submitted step can be approved at all (asset_review_decide refuses the submitter).

        Administrators (superusers) are left out: they run the portal and give the role, and an
        approval is a brand decision.
        """
        # Roles are groups whichever way a person signs in, so Django's model lookup serves.
        holders = get_user_model().objects.with_perm(
            "assets.review_asset",
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        return holders.exclude(pk=self.by_id).exists()


def delete_file_unless_used(storage, name: str) -> None:
    # A file moves between an asset and its versions under one name; delete it
    # only once no row at all names it any more.
    if not (
        Asset.objects.filter(original=name).exists()
        or AssetVersion.objects.filter(file=name).exists()
    ):
        storage.delete(name)


@receiver(post_delete, sender=Asset)
@receiver(post_delete, sender=AssetVersion)
def delete_original_after_commit(
    sender: type[Asset | AssetVersion], instance: Asset | AssetVersion, **kwargs
) -> None:
    # Only once the row is really gone: a rolled-back delete must keep its file.
    file = instance.original if isinstance(instance, Asset) else instance.file
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: delete_file_unless_used(storage, name))


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

    def supersede_earlier(self, ready: list["Rendition"]) -> None:
        """Remove the other finished renditions of each size in ``ready`` (one asset's rows
        just made ready), in one query.

        Pending rows stay: a pending row is the asset's current recipe (or is removed
        by the next request), so it is never an earlier one being thrown away. The sizes
        kept with an earlier file stay too, until that version goes.
        """
        if not ready:
            return
        self.filter(
            asset_id=ready[0].asset_id,
            preset__in=[row.preset for row in ready],
            kept_with__isnull=True,
        ).exclude(pk__in=[row.pk for row in ready]).exclude(
            status=Rendition.Status.PENDING
        ).delete()


class Rendition(models.Model):
    """One platform size of an asset, made by a Celery worker."""

    MAX_ATTEMPTS = 3

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="renditions")
    preset = models.CharField(max_length=60)
    source_key = models.CharField(max_length=32)
    # Which file it is made from (the asset's SHA-256 then), so a ZIP never mixes two;
    # empty for sizes made before it was recorded.
    source_sha256 = models.CharField(max_length=64, blank=True)
    # The earlier file this size was made from, while that file is in the version history:
    # kept so that restoring the file brings the size back at once, and deleted with it.
    # Null for the current file's sizes.
    kept_with = models.ForeignKey(
        AssetVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sizes",
        editable=False,
    )
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
    # A small copy the portal's own pages show (platform mocks), never the download.
    display = models.FileField(upload_to=rendition_upload_to, max_length=200, blank=True)
    display_format = models.CharField(max_length=10, blank=True)
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
    for field in ("file", "display"):
        if file := getattr(instance, field):
            storage, name = file.storage, file.name

            def delete_unless_reused(storage=storage, name=name, field=field) -> None:
                # Names are content-addressed: a newer row may hold the very same file.
                if not Rendition.objects.filter(**{field: name}).exists():
                    storage.delete(name)

            transaction.on_commit(delete_unless_reused)
