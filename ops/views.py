"""Endpoints for the proxy and the operator: no sign-in, no session, no artwork."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ops.draining import stopping
from ops.health import readiness_check
from ops.metrics import metrics_registry


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is asked (a restart would not fix a database)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when PostgreSQL, Redis and the storage answer, else 503 naming what failed; 503
    too while the node is stopping, so the proxy sends it nothing new (ops/draining.py)."""
    checks = readiness_check()
    if stopping():
        checks["node"] = "stopping"
    failed = sorted(name for name, state in checks.items() if state != "ok")
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks},
        status=503 if failed else 200,
    )


@login_not_required
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's text format, for `Authorization: Bearer <METRICS_TOKEN>` only; a 404 while
    METRICS_ENABLED is off, as if there were nothing here."""
    if not settings.METRICS_ENABLED:
        raise Http404
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    ):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
