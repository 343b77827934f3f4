"""One rule for every log line: a URL path keeps its fixed words, never what fills them.

Whatever a URL pattern captures (an artwork's or a collection's slug, a size, an
id, a reset token) names something, and every log line sits beside a time; so in
each path a line holds, every captured part becomes "-" (`/assets/-/sizes/-/`)
and the query string goes. The rule is read from the URL patterns themselves, so
a new URL is covered the day it is added. A path under a known first word that
matches no pattern (a 404) keeps only that word (`/assets/-`). Paths that start
with a word no URL starts with (a file in a traceback, `/static/...`) stay as
they are.

`PathRedaction` is on every handler: Django's (portal/settings.py LOGGING),
Celery's (portal/celery.py) and gunicorn's (deploy/gunicorn.conf.py).
"""

import functools
import logging
import re

from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver, get_urlconf

PLACEHOLDER = "-"
# A path where a log line holds one: at the start, after a space, a quote, "(",
# "=" or "[", or after an http(s) scheme and host.
_PATH = re.compile(r"""(?:\bhttps?://[^/\s"'<>]+|(?<![^\s"'(=\[]))(/[^\s"'<>]*)""")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_FIRST_WORD = re.compile(r"((?:\\.|[^\\/()\[\]?*+{}|^$])+)/")


def _first_word(route: str) -> str | None:
    match = _FIRST_WORD.match(route)
    return re.sub(r"\\(.)", r"\1", match.group(1)) if match else None


@functools.lru_cache(maxsize=4)
def _rules(urlconf: str) -> dict[str | None, tuple[re.Pattern, ...]]:
    """Every URL pattern as one regex on the path after "/", by the path's first word.

    Under None the patterns that start with no fixed word; each word's list holds
    them too, in Django's order, so the first match is the pattern Django would use.
    """
    routes = []

    def walk(entries, prefix: str) -> None:
        for entry in entries:
            regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, regex)
            else:
                routes.append(regex)

    walk(get_resolver(urlconf).url_patterns, "")
    if settings.MEDIA_URL.startswith("/"):
        # Served by the proxy or the bucket, not by a URL pattern: a file's name says which.
        routes.append(re.escape(settings.MEDIA_URL.removeprefix("/")) + "(.+)")
    # Group names may repeat across included patterns; only the spans matter here.
    words = [(_first_word(route), re.compile(_NAMED_GROUP.sub("(", route))) for route in routes]
    return {
        key: tuple(regex for word, regex in words if word in (key, None))
        for key in {word for word, _ in words}
    }


def _blanked(tail: str, match: re.Match) -> str:
    spans = sorted(match.span(group) for group in range(1, match.re.groups + 1))
    parts, end = [], 0
    for start, stop in spans:
        if start < end or start == stop:
            continue  # inside a part already blanked, or an optional part left out
        parts += [tail[end:start], PLACEHOLDER]
        end = stop
    return "".join([*parts, tail[end:]])


def path_redacted(path: str) -> str:
    """The path as a log line may hold it: "/assets/-/sizes/-/" for any artwork and size."""
    if not apps.ready:
        return "/" + PLACEHOLDER  # the URL patterns cannot be read yet: hide it all
    rules = _rules(get_urlconf() or settings.ROOT_URLCONF)
    tail = re.split(r"[?#]", path, maxsplit=1)[0].removeprefix("/")
    first, _, rest = tail.partition("/")
    for route in rules.get(first, rules.get(None, ())):
        if match := route.fullmatch(tail):
            return "/" + _blanked(tail, match)
    if first not in rules:
        return path
    return f"/{first}/{PLACEHOLDER}" if rest else "/" + tail


def text_redacted(text: str) -> str:
    """Every path in the text redacted, the scheme and host of a full URL kept."""
    return _PATH.sub(lambda match: match[0].removesuffix(match[1]) + path_redacted(match[1]), text)


class PathRedaction(logging.Filter):
    """Redact every URL path in a record's message; let every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed call: logging would print its arguments raw.
            message = f"{record.msg} {record.args}"
        record.msg, record.args = text_redacted(message), None
        # Django adds the request to a record; its repr names the path.
        record.__dict__.pop("request", None)
        return True
