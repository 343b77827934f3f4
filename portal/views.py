"""The portal's last-resort error page, wired in by the root URLconf."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
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
