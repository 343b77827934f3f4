"""What leadership sees of each closed ISO week, and nothing else.

Raw counts never reach the database: they wait in Redis (tracking/tally.py) until
their week has closed, and then one transaction stores the week's noisy release,
after which the raw numbers are deleted. A release holds only numbers at or above
its threshold, per artwork, size and kind, and no time finer than its week.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from assets.models import Asset
from tracking.suppression import noise_sd


def week_of(day: datetime.date) -> datetime.date:
    """The Monday that starts `day`'s ISO week: the finest time a count ever knows."""
    return day - datetime.timedelta(days=day.weekday())


def iso_week(week: datetime.date) -> str:
    """How people name a week: 2026-W48."""
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


class Kind(models.TextChoices):
    DOWNLOAD = "download", _("Downloads")
    USING = "using", _("In use")


class Release(models.Model):
    """One closed week as published: computed once when the week closed, never again.

    `totals` maps each kind to {"week": n or null, "assets": {asset id: n}}, holding
    only numbers at or above `min_count`; an artwork that is absent was below it.
    Each release keeps what it was made with, so the page states that, not today's
    settings. Releases made before one person's counts were bounded have no
    `person_bound`: their totals and sizes were measured apart and need not add up.
    """

    week = models.DateField(unique=True, help_text=_("Monday of the ISO week."))
    epsilon = models.FloatField(help_text=_("Privacy loss of one count in this release."))
    person_bound = models.PositiveSmallIntegerField(
        null=True,
        help_text=_("Counts one person could add that week; empty before there was a bound."),
    )
    person_epsilon = models.FloatField(
        null=True, help_text=_("Privacy loss of a person who added all their counts that week.")
    )
    noise_scale = models.FloatField(
        help_text=_("Scale of the discrete Laplace noise on each number.")
    )
    min_count = models.PositiveSmallIntegerField(help_text=_("Threshold applied to noisy numbers."))
    totals = models.JSONField()
    # Made-up counts released by the demo (manage.py load_demo), so a first visit is not empty;
    # the page and the exports say so wherever such a week appears.
    demo = models.BooleanField(default=False, help_text="Made-up counts from the demo data.")

    class Meta:
        ordering = ["-week"]
        permissions = [("view_uptake", "Can see the anonymous uptake dashboard")]

    def __str__(self) -> str:
        return f"uptake of {iso_week(self.week)}"

    @property
    def adds_up(self) -> bool:
        """Whether every total is the sum of its parts (releases made since the bound)."""
        return self.person_bound is not None

    @property
    def noise(self) -> int:
        """About how far each number may be from the true count: the noise's standard deviation."""
        return round(noise_sd(self.noise_scale))


class ReleasedSizes(models.Model):
    """One artwork's downloads per size in one release: the sizes at or above the threshold."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="sizes")
    # No database constraint and no cascade: deleting an artwork must not change a
    # published week, or comparing before and after would tell something.
    asset = models.ForeignKey(
        Asset, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    counts = models.JSONField(help_text='Size slug ("" for the original) to its number.')

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "asset"], name="tracking_sizes_once")
        ]

    def __str__(self) -> str:
        return f"sizes of asset {self.asset_id} in {self.release}"
