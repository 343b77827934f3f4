"""The portal's URLs plus the baselines the count endpoint is measured against."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assets.models import Asset
from tracking.models import Count, week_of


@csrf_exempt
@login_not_required
def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@login_not_required
@require_POST
def naive_count(request: HttpRequest) -> HttpResponse:
    """The plain ORM way: look the asset up, then update_or_create with F()."""
    asset = Asset.objects.published().get(slug=request.POST["asset"])
    Count.objects.update_or_create(
        asset=asset,
        preset=request.POST.get("preset", ""),
        kind=request.POST["kind"],
        week=week_of(timezone.localdate()),
        defaults={"n": F("n") + 1},
        create_defaults={"n": 1},
    )
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/ok/", ok),
    path("bench/naive-count/", naive_count),
    path("", include("portal.urls")),
]
