"""Request limits that hold before anything reads a request's body."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.views import is_api

# Nothing in the portal changes or deletes with these, and TRACE would echo the request
# (cookies included) back. Django's form views would otherwise treat PUT as a POST.
REFUSED_METHODS = {"PUT", "PATCH", "DELETE", "TRACE", "CONNECT"}


class RequestLimits:
    """Refuse methods the portal does not use, a body that is too big from its
    Content-Length alone, and anonymous uploads.

    The size check is a view middleware placed before CsrfViewMiddleware, whose check reads
    (and spools to disk) the whole body of a POST. Only the people allowed to upload
    may send a large body, and only to the views that take originals; everyone else gets
    the small limit. A body without a Content-Length is never read by Django.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS and is_api(request):
            # As the API's own views refuse a method: JSON, and the methods they take.
            detail = {"detail": f'Method "{request.method}" not allowed.'}
            return JsonResponse(detail, status=405, headers={"Allow": "GET, HEAD, OPTIONS"})
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # The views that take originals say so (assets.views.access.takes_originals), and
        # the large limit is for whoever may run them (their role_required permission).
        permission = getattr(view_func, "takes_originals", False) and getattr(
            view_func, "required_permission", None
        )
        if permission and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if permission and request.user.has_perm(permission):
            limit = settings.UPLOAD_MAX_REQUEST_BYTES
        else:
            limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            return _too_large(request, limit)
        return None


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _(
        "This is more than the portal takes in one request (%(limit)s). "
        "Send fewer or smaller files at a time: the drag-and-drop area sends them one by one."
    ) % {"limit": filesizeformat(limit)}
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"errors": {"files": [{"message": message}]}}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
