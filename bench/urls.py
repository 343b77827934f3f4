"""The portal's URLs plus the baseline the count endpoint is measured against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@login_not_required
def ok_form(request: HttpRequest) -> HttpResponse:
    """The same, after reading the form as the count endpoint must."""
    return HttpResponse(request.POST.get("kind", ""), content_type="text/plain")


urlpatterns = [
    path("bench/ok/", ok),
    path("bench/ok-form/", ok_form),
    path("", include("portal.urls")),
]
