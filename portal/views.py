"""The portal's last-resort error page, wired in by the root URLconf."""

import sys

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import server_error as django_server_error

DATABASE_RETRY_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """A 503 "back soon" page when the database is unreachable, else Django's 500 page.

    This is the handler500, not a middleware, because Django routes every uncaught
    exception here, including those raised in middleware (the session and user
    lookups, which are where an unreachable database first shows); a middleware's
    process_exception only sees exceptions from views.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # Rendered without the request: no context processors, so no user or session lookup.
        page = loader.get_template("503.html").render()
        return HttpResponse(page, status=503, headers={"Retry-After": DATABASE_RETRY_SECONDS})
    return django_server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page, except for too many files, which the plain upload form allows."""
    if isinstance(exception, TooManyFilesSent):
        most = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = _(
            "That is more than %(most)s files at once. Choose at most %(most)s at a time, "
            "or drag them onto the upload page, which sends them one by one."
        ) % {"most": most}
        return render(request, "400.html", {"message": message}, status=400)
    return django_bad_request(request, exception)


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API, which answers every error in JSON (its schema's)."""
    return request.path_info.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, or for the API the JSON error its schema promises."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return django_page_not_found(request, exception)
