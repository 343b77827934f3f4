import csv
import datetime
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.roles import role_required
from tracking.models import iso_week
from tracking.services import (
    CountRefused,
    UptakeTable,
    closed_weeks,
    count_record,
    shown_text,
    uptake_tables,
)

WEEK_CHOICES = (12, 26, 52)
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


def what_we_count(request: HttpRequest) -> HttpResponse:
    context = {
        "k": settings.TRACKING_MIN_COUNT,
        "retention_months": settings.TRACKING_RETENTION_MONTHS,
    }
    return render(request, "tracking/what_we_count.html", context)


def _weeks(request: HttpRequest) -> list[datetime.date]:
    try:
        count = int(request.GET.get("weeks", WEEK_CHOICES[0]))
    except ValueError:
        count = WEEK_CHOICES[0]
    return closed_weeks(count=count if count in WEEK_CHOICES else WEEK_CHOICES[0])


@role_required("tracking.view_uptake")
def dashboard(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    tables = uptake_tables(weeks=weeks)
    page = Paginator(range(len(tables[0].assets)), ASSETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = slice(page.start_index() - 1, page.end_index())
    context = {
        "k": settings.TRACKING_MIN_COUNT,
        "weeks": weeks,
        "week_count": len(weeks),
        "week_choices": WEEK_CHOICES,
        "tables": [(table, table.assets[shown]) for table in tables],
        "page": page,
    }
    return render(request, "tracking/dashboard.html", context)


def _flat_rows(table: UptakeTable):
    yield "All artwork", "", table.totals
    for asset in table.assets:
        yield asset.title, "all", asset.cells
        for row in asset.presets:
            yield asset.title, row.preset or "original", row.cells


@role_required("tracking.view_uptake")
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="uptake.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "artwork", "preset", *map(iso_week, weeks)])
    for table in uptake_tables(weeks=weeks):
        for title, preset, cells in _flat_rows(table):
            writer.writerow([table.kind, title, preset, *map(shown_text, cells)])
    return response


@role_required("tracking.view_uptake")
def dashboard_api(request: HttpRequest) -> JsonResponse:
    weeks = _weeks(request)
    data = {
        "min_count": settings.TRACKING_MIN_COUNT,
        "weeks": [iso_week(week) for week in weeks],
        "kinds": {
            table.kind: [
                {
                    "artwork": title,
                    "preset": preset,
                    "counts": [c.n if c.n is not None else shown_text(c) for c in cells],
                }
                for title, preset, cells in _flat_rows(table)
            ]
            for table in uptake_tables(weeks=weeks)
        },
    }
    return JsonResponse(data)
