"""Anonymous counts: a number per artwork, preset, kind and ISO week, and nothing else."""

import datetime

from django.db import connection, models

from assets.models import Asset


def week_of(day: datetime.date) -> datetime.date:
    """The Monday that starts `day`'s ISO week: the finest time a count ever knows."""
    return day - datetime.timedelta(days=day.weekday())


def iso_week(week: datetime.date) -> str:
    """How people name a week: 2026-W48."""
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


class CountQuerySet(models.QuerySet):
    def increment(self, *, asset_id: int, preset: str, kind: str, day: datetime.date) -> None:
        """Add one to the cell of `day`'s week, creating it at one.

        One statement, so the database does the adding: concurrent requests never
        lose an increment, and there is no per-event row.
        """
        table = connection.ops.quote_name(self.model._meta.db_table)
        # On PostgreSQL this statement's commit does not wait for the disk:
        # otherwise every counter of a popular asset queues behind the row lock
        # for an fsync. A crash may lose the last moment's counts, never more.
        no_wait = " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_wait"
        if connection.vendor != "postgresql":
            no_wait = ""
        sql = (
            f"INSERT INTO {table} (asset_id, preset, kind, week, n) "  # noqa: S608
            f"SELECT %s, %s, %s, %s, 1{no_wait} "
            # SQLite needs the WHERE in INSERT ... SELECT ... ON CONFLICT to parse it.
            "WHERE true ON CONFLICT (week, kind, asset_id, preset) "
            f"DO UPDATE SET n = {table}.n + 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [asset_id, preset, kind, week_of(day)])


class Count(models.Model):
    class Kind(models.TextChoices):
        DOWNLOAD = "download", "Downloads"
        USING = "using", "In use"

    # No database constraint and no cascade: deleting an asset must not change the
    # totals of closed weeks, or comparing the dashboard before and after would
    # reveal the deleted asset's hidden cells. Retention removes the rows later.
    asset = models.ForeignKey(
        Asset,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    preset = models.CharField(max_length=60, blank=True, help_text="Empty for the original.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    week = models.DateField(help_text="Monday of the ISO week.")
    n = models.PositiveIntegerField(default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        permissions = [("view_uptake", "Can see the anonymous uptake dashboard")]
        constraints = [
            # Week first: the dashboard and the pruning read by week through this index.
            models.UniqueConstraint(
                fields=["week", "kind", "asset", "preset"], name="tracking_one_count_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.preset or 'original'} week of {self.week}: {self.n}"
