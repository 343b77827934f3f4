import datetime

from django import template
from django.conf import settings
from django.utils import timezone

from tracking.models import iso_week
from tracking.services import count_token as _count_token
from tracking.services import shown_text
from tracking.suppression import Shown

register = template.Library()

CHART_WIDTH, CHART_HEIGHT = 640, 160


@register.simple_tag
def count_token(asset_slug: str) -> str:
    """Today's token for counting this asset: the same for everyone who sees the page."""
    return _count_token(asset_slug=asset_slug, day=timezone.localdate())


@register.simple_tag
def min_count() -> int:
    """The live anonymity threshold, so the promise on the page is the one the code keeps."""
    return settings.TRACKING_MIN_COUNT


register.filter("shown", shown_text)
register.filter("iso_week", iso_week)


def _bars(cells: list[Shown], labels: list[str], width: float, height: float) -> list[dict]:
    """Bar geometry for an SVG: hidden cells get a short grey stub, never a height."""
    top = max([cell.n for cell in cells if cell.n is not None], default=0) or 1
    step = width / max(len(cells), 1)
    bars = []
    for index, (cell, label) in enumerate(zip(cells, labels, strict=True)):
        bar_height = round(cell.n / top * height * 0.9, 1) if cell.n is not None else height / 25
        bars.append(
            {
                "x": round(index * step + step * 0.1, 1),
                "y": round(height - bar_height, 1),
                "width": round(step * 0.8, 1),
                "height": bar_height,
                "hidden": cell.n is None,
                "label": f"{label}: {shown_text(cell)}",
            }
        )
    return bars


@register.inclusion_tag("tracking/snippets/bar_chart.html")
def bar_chart(cells: list[Shown], weeks: list[datetime.date], title: str) -> dict:
    labels = [iso_week(week) for week in weeks]
    return {
        "bars": _bars(cells, labels, CHART_WIDTH, CHART_HEIGHT),
        "title": title,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


@register.inclusion_tag("tracking/snippets/sparkline.html")
def sparkline(cells: list[Shown]) -> dict:
    """A row's weeks at a glance, next to its numbers (which carry the labels)."""
    return {"bars": _bars(cells, [""] * len(cells), 96, 24)}
