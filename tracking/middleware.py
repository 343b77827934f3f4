"""Strip the count request down before anything else in Django can read it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

# What Django needs to route, parse and answer the request. Everything else a
# browser or proxy sends (cookies, client address, user agent, referrer,
# forwarded-for headers) could tell counted people apart, so it never reaches
# the session, the authentication middleware, the view or an error log.
_KEEP = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "HTTP_HOST",
        "HTTP_X_FORWARDED_PROTO",
        "wsgi.input",
        "wsgi.url_scheme",
        "wsgi.errors",
        "wsgi.version",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
        "wsgi.file_wrapper",
    }
)


def count_requests_without_identity(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    count_path = reverse("tracking:count")

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info == count_path:
            # A new dict, not deletions from the server's own environ: the server and
            # its access logger keep what they need (RAW_URI), and nothing in Django
            # can read the rest (cookies are parsed from request.environ).
            request.environ = request.META = {
                name: value for name, value in request.META.items() if name in _KEEP
            }
        return get_response(request)

    return middleware
