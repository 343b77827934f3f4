import csv
import datetime
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from tracking.models import Count, iso_week
from tracking.services import (
    WINDOWS,
    CountRefused,
    closed_weeks,
    count_record,
    shown_text,
    uptake_assets,
    uptake_releases,
    uptake_tables,
)

ASSETS_PER_PAGE = 25


# Cookie-less and signed-out by design: the page's script sends no cookies, and
# the shared token, not a session, is what authorizes a count.
@csrf_exempt
@login_not_required
@require_POST
def count(request: HttpRequest) -> HttpResponse:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return HttpResponse("Send a JSON object.", status=400, content_type="text/plain")
    else:
        data = request.POST
    try:
        count_record(
            asset_slug=str(data.get("asset", "")),
            preset=str(data.get("preset", "")),
            kind=str(data.get("kind", "")),
            token=str(data.get("token", "")),
        )
    except CountRefused:
        return HttpResponse("Not counted.", status=400, content_type="text/plain")
    return HttpResponse(status=204)


def _weeks(request: HttpRequest) -> list[datetime.date]:
    try:
        count = int(request.GET.get("weeks", WINDOWS[0]))
    except ValueError:
        count = WINDOWS[0]
    return closed_weeks(count=count if count in WINDOWS else WINDOWS[0])


@require_safe
@role_required("tracking.view_uptake")
def dashboard(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    releases = uptake_releases(weeks=weeks)
    page = Paginator(uptake_assets(releases), ASSETS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "k": settings.TRACKING_MIN_COUNT,
        "week_count": len(weeks),
        "week_choices": WINDOWS,
        "tables": uptake_tables(weeks=weeks, releases=releases, assets=page.object_list),
        "page": page,
    }
    return render(request, "tracking/dashboard.html", context)


def _all_rows(weeks: list[datetime.date]):
    """Every row of every table, flat, for the CSV and the API."""
    releases = uptake_releases(weeks=weeks)
    for table in uptake_tables(weeks=weeks, releases=releases, assets=uptake_assets(releases)):
        yield table.kind, "All artwork", "", table.totals
        for asset in table.assets:
            yield table.kind, asset.title, "all", asset.cells
            for row in asset.presets:
                yield table.kind, asset.title, row.preset or "original", row.cells


@require_safe
@role_required("tracking.view_uptake")
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="uptake.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "artwork", "preset", *map(iso_week, weeks)])
    for kind, title, preset, cells in _all_rows(weeks):
        writer.writerow([kind, _spreadsheet_safe(title), preset, *map(shown_text, cells)])
    return response


def _spreadsheet_safe(text: str) -> str:
    # A title starting like a formula would run as one when the CSV is opened.
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@require_safe
@role_required("tracking.view_uptake")
def dashboard_api(request: HttpRequest) -> JsonResponse:
    weeks = _weeks(request)
    kinds: dict[str, list] = {kind: [] for kind in Count.Kind.values}
    for kind, title, preset, cells in _all_rows(weeks):
        counts = [cell.n if cell.n is not None else shown_text(cell) for cell in cells]
        kinds[kind].append({"artwork": title, "preset": preset, "counts": counts})
    data = {
        "min_count": settings.TRACKING_MIN_COUNT,
        "weeks": [iso_week(week) for week in weeks],
        "kinds": kinds,
    }
    return JsonResponse(data)
