import datetime

from django import template
from django.utils import timezone

from tracking.models import iso_week
from tracking.services import count_token as _count_token
from tracking.services import shown_text
from tracking.suppression import Shown

register = template.Library()

CHART_WIDTH, CHART_HEIGHT, CHART_GAP = 640, 160, 4


@register.simple_tag
def count_token(asset_slug: str) -> str:
    """Today's token for counting this asset: the same for everyone who sees the page."""
    return _count_token(asset_slug=asset_slug, day=timezone.localdate())


register.filter("shown", shown_text)
register.filter("iso_week", iso_week)


@register.inclusion_tag("tracking/snippets/bar_chart.html")
def bar_chart(cells: list[Shown], weeks: list[datetime.date], title: str) -> dict:
    """A server-drawn SVG bar per week; hidden weeks get a marked stub, not a height."""
    top = max([cell.n for cell in cells if cell.n is not None], default=0) or 1
    step = CHART_WIDTH / max(len(cells), 1)
    bars = []
    for index, (cell, week) in enumerate(zip(cells, weeks, strict=True)):
        height = round(cell.n / top * (CHART_HEIGHT - 20)) if cell.n is not None else 6
        bars.append(
            {
                "x": round(index * step + CHART_GAP / 2, 1),
                "y": CHART_HEIGHT - height,
                "width": round(step - CHART_GAP, 1),
                "height": height,
                "hidden": cell.n is None,
                "label": f"{iso_week(week)}: {shown_text(cell)}",
            }
        )
    return {
        "bars": bars,
        "title": title,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "top": top,
    }
