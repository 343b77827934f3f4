import csv
import datetime
import io
import json
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from privacypass.services import TokensUnavailable
from tracking.models import Kind, Release, iso_week
from tracking.services import (
    REST_ARTWORK,
    WINDOWS,
    CountRefused,
    closed_weeks,
    count_record,
    uptake_read,
    uptake_sizes,
)

ARTWORKS_PER_PAGE = 25
LEGEND = {
    "shown": "a noisy count of at least the threshold; the number column holds it",
    "fewer than k": (
        "the noisy count was below the threshold its week was released with (k); the number "
        "column is empty"
    ),
    "the rest": (
        "the numbers below the threshold in this total, added up, so that the parts of every "
        "total add up to it exactly; the number column holds it"
    ),
    "not released": "the week has ended but is not published yet; the number column is empty",
    "not summed": (
        "released before totals were worked out from their parts, so its parts need not add "
        "up; the number column is empty"
    ),
}


# Cookie-less and signed-out by design: the page's script sends no cookies, and
# an anonymous token (privacypass/), not a session, is what authorizes a count.
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
    elif request.content_type == "application/x-www-form-urlencoded":
        # What the page sends, read straight from the body: QueryDict's general
        # machinery costs about as much as all the checks of a count together.
        try:
            fields = parse_qsl(
                request.body.decode(),
                keep_blank_values=True,
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        except ValueError:  # not UTF-8, or too many fields
            return HttpResponse("Not counted.", status=400, content_type="text/plain")
        data = dict(fields)
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
    except TokensUnavailable:
        # Nothing was counted and the token is unspent: the page sends it again later.
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse(status=204)


def _weeks(request: HttpRequest) -> list[datetime.date]:
    try:
        count = int(request.GET.get("weeks", WINDOWS[0]))
    except ValueError:
        count = WINDOWS[0]
    return closed_weeks(count=count if count in WINDOWS else WINDOWS[0])


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", Kind.DOWNLOAD)
    return kind if kind in Kind.values else Kind.DOWNLOAD


@require_safe
@role_required("tracking.view_uptake")
def dashboard(request: HttpRequest) -> HttpResponse:
    weeks, kind = _weeks(request), _kind(request)
    uptake = uptake_read(weeks=weeks, kind=kind)
    page = Paginator(uptake.rows, ARTWORKS_PER_PAGE).get_page(request.GET.get("page"))
    sizes = {}
    if kind == Kind.DOWNLOAD:
        sizes = uptake_sizes(uptake=uptake, asset_ids=[row.asset_id for row in page.object_list])
    context = {
        "uptake": uptake,
        "page": page,
        "rows": [(row, sizes.get(row.asset_id, [])) for row in page.object_list],
        "week_count": len(weeks),
        "week_choices": WINDOWS,
        "kinds": Kind.choices,
        "rest_label": gettext(REST_ARTWORK),
    }
    return render(request, "tracking/dashboard.html", context)


def _records(weeks: list[datetime.date]):
    """Every published number of the window as flat records, for the CSV and the API.

    Each week, an artwork's sizes add up to its total, and the artworks to "All
    artwork", each with the rest below the threshold as one more part.
    """
    for kind in Kind.values:
        uptake = uptake_read(weeks=weeks, kind=kind)
        # Size None is a total over every size.
        groups = [("All artwork", None, uptake.week_totals)]
        sizes = {}
        if kind == Kind.DOWNLOAD:
            sizes = uptake_sizes(uptake=uptake, asset_ids=[row.asset_id for row in uptake.rows])
        for row in uptake.rows:
            groups.append((row.title, None, row.cells))
            groups += [(row.title, size.label, size.cells) for size in sizes.get(row.asset_id, [])]
        if uptake.rest:
            groups.append((REST_ARTWORK, None, uptake.rest))
        week_names = [iso_week(week) for week in weeks]
        demo = [release is not None and release.demo for release in uptake.columns]
        for artwork, size, cells in groups:
            for week, cell, made_up in zip(week_names, cells, demo, strict=True):
                yield {
                    "week": week,
                    "kind": kind,
                    "artwork": artwork,
                    "size": size,
                    "count": cell.n,
                    "status": cell.status_text,
                    "demo": made_up,
                }


def _legend(weeks: list[datetime.date]) -> dict[str, str]:
    """The statuses, with each threshold the weeks were released with."""
    ks = sorted(set(Release.objects.filter(week__in=weeks).values_list("min_count", flat=True)))
    legend = {}
    for status, meaning in LEGEND.items():
        if status == "fewer than k":
            for k in ks or [settings.TRACKING_MIN_COUNT]:
                legend[f"fewer than {k}"] = meaning.replace("(k)", f"({k})")
        else:
            legend[status] = meaning
    return legend


def _calibrations(weeks: list[datetime.date]) -> list[dict | None]:
    """What each week was released with, newest first; None for a week not released yet."""
    releases = {release.week: release for release in Release.objects.filter(week__in=weeks)}
    return [
        {
            "week": iso_week(release.week),
            "min_count": release.min_count,
            "noise_scale": release.noise_scale,
            "noise_sd": release.noise,
            "epsilon_per_count": release.epsilon,
            "counts_per_person": release.person_bound,
            "epsilon_per_person": release.person_epsilon,
            "adds_up": release.adds_up,
            "demo": release.demo,
        }
        if (release := releases.get(week))
        else None
        for week in weeks
    ]


@require_safe
@role_required("tracking.view_uptake")
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request)
    # Written to a buffer, not row by row to the response: each response write
    # parses the charset again, and a year of sizes is a hundred thousand rows.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = ["week", "kind", "artwork", "size", "count", "status", "demo"]
    writer.writerow(columns)
    for record in _records(weeks):
        record["artwork"] = _spreadsheet_safe(record["artwork"])
        record["demo"] = "yes" if record["demo"] else "no"
        writer.writerow(["" if record[name] is None else record[name] for name in columns])
    # Data only, so a spreadsheet imports it whole: what each status means is in the JSON
    # (its "legend"), which this response links to, and on the page.
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="uptake.csv"'
    api = f"{reverse('tracking:api')}?weeks={len(weeks)}"
    response["Link"] = f'<{api}>; rel="describedby"; type="application/json"'
    return response


def _spreadsheet_safe(text: str) -> str:
    # A title starting like a formula would run as one when the CSV is opened.
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@require_safe
@role_required("tracking.view_uptake")
def dashboard_api(request: HttpRequest) -> JsonResponse:
    weeks = _weeks(request)
    data = {
        "weeks": [iso_week(week) for week in weeks],
        "releases": _calibrations(weeks),
        "legend": _legend(weeks),
        "records": list(_records(weeks)),
    }
    return JsonResponse(data)
