import math

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracking.models import iso_week
from tracking.services import NOT_RELEASED, NOT_SUMMED, Cell
from tracking.suppression import Calibration, calibration

register = template.Library()

CHART_WIDTH, CHART_HEIGHT = 640, 180
# Room on the left for a five-digit axis number in the phone's larger axis font.
_LEFT, _BOTTOM, _TOP = 68, 28, 10


@register.simple_tag
def min_count() -> int:
    """The live anonymity threshold, so the promise on the page is the one the code keeps."""
    return settings.TRACKING_MIN_COUNT


@register.simple_tag
def calibration_in_force() -> Calibration:
    """The noise the next weeks are released with, so the policy page states the code's own."""
    return calibration(bound=settings.TRACKING_WEEKLY_TOKENS, epsilon=settings.TRACKING_EPSILON)


register.filter("iso_week", iso_week)


def _cell_html(cell: Cell) -> str:
    if cell.n is not None:
        return f"<td>{cell.n}</td>"
    if cell.status in (NOT_RELEASED, NOT_SUMMED):
        return f'<td class="hidden-cell"><abbr title="{cell.text}">–</abbr></td>'
    return f'<td class="hidden-cell"><abbr title="{cell.text}">&lt;{cell.k}</abbr></td>'


@register.simple_tag
def cells(row: list[Cell]) -> SafeString:
    """A row's week cells, oldest on the left like the chart above the table, built here:
    one include per cell costs a page a second."""
    # Only integers and fixed text go in, so nothing needs escaping.
    return mark_safe("".join(map(_cell_html, reversed(row))))  # noqa: S308


def _nice_top(top: int) -> int:
    """A round axis maximum at or above `top`: 10, 20, 50, 100, ..."""
    if top <= 10:
        return 10
    power = 10 ** math.floor(math.log10(top))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= top)


@register.inclusion_tag("tracking/snippets/bar_chart.html")
def bar_chart(cells: list[Cell], weeks: list, title: str) -> dict:
    """Bars per week, oldest on the left like any time axis, with week labels and a y axis."""
    pairs = list(reversed(list(zip(weeks, cells, strict=True))))
    top = _nice_top(max([cell.n for _, cell in pairs if cell.n is not None], default=0))
    plot_width, plot_height = CHART_WIDTH - _LEFT - 8, CHART_HEIGHT - _BOTTOM - _TOP
    step = plot_width / max(len(pairs), 1)
    every = max(1, math.ceil(len(pairs) / 13))  # at most 13 week labels
    bars = []
    for index, (week, cell) in enumerate(pairs):
        height = cell.n / top * plot_height if cell.n is not None else 2
        bars.append(
            {
                "x": round(_LEFT + index * step + step * 0.15, 1),
                "y": round(_TOP + plot_height - height, 1),
                "width": round(step * 0.7, 1),
                "height": round(height, 1),
                "hidden": cell.n is None,
                "label": f"{iso_week(week)}: {cell.text}",
                "tick": f"W{week.isocalendar()[1]:02d}" if index % every == 0 else "",
                "tick_x": round(_LEFT + index * step + step / 2, 1),
            }
        )
    ticks = [
        {"value": value, "y": round(_TOP + plot_height - value / top * plot_height, 1)}
        for value in (0, top // 2, top)
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "title": title,
        "span": _("%(first)s to %(last)s")
        % {"first": iso_week(pairs[0][0]), "last": iso_week(pairs[-1][0])}
        if pairs
        else "",
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": _LEFT,
        "right": CHART_WIDTH - 8,
        "baseline": _TOP + plot_height,
        "label_y": CHART_HEIGHT - 8,
    }


@register.simple_tag
def sparkline(cells: list[Cell]) -> SafeString:
    """A row's weeks at a glance, oldest on the left; the numbers beside it carry the labels."""
    ordered = list(reversed(cells))
    top = max([cell.n for cell in ordered if cell.n is not None], default=0) or 1
    step = 96 / max(len(ordered), 1)
    bars = []
    for index, cell in enumerate(ordered):
        height = round(cell.n / top * 22, 1) if cell.n is not None else 1
        css = "bar" if cell.n is not None else "bar-hidden"
        x, width = round(index * step + step * 0.1, 1), round(step * 0.8, 1)
        bars.append(
            f'<rect class="{css}" x="{x}" y="{round(24 - height, 1)}" '
            f'width="{width}" height="{height}"/>'
        )
    # Numbers only, built here rather than in a template: one row's 52 bars add up.
    return mark_safe(  # noqa: S308
        '<svg class="uptake-spark" viewBox="0 0 96 24" preserveAspectRatio="none" '
        f'aria-hidden="true">{"".join(bars)}</svg>'
    )
