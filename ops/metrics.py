"""Prometheus metrics: how the portal is doing, never what anyone downloads or counts.

Labels are route names, HTTP methods and statuses, task names and queue names: fixed
sets the code defines. Nothing names a person, an artwork, a size or a file, and the
count endpoint is not measured at all, because its request rate is the uptake the weekly
release publishes once, with noise (see tests/ops/test_metrics.py).

Under gunicorn with several workers, and for Celery's worker processes, set
PROMETHEUS_MULTIPROC_DIR (docs/operations.md): each process writes its numbers there and
/metrics adds them up.
"""

import logging
import os
import time
from collections.abc import Callable, Iterator

import redis
from celery import current_app
from celery.signals import task_failure, task_postrun, task_prerun
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

from assets.models import Rendition

logger = logging.getLogger(__name__)

# The count endpoint is left out (see above); the probes and scrapes would only measure
# themselves.
UNMEASURED_VIEWS = frozenset({"tracking:count", "ops:healthz", "ops:readyz", "ops:metrics"})
# Anything else a client sends as a method is one label value, not a new series each.
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
UNMATCHED = "unmatched"  # no route: a 404, or a method refused before routing
# kombu's Redis transport keeps messages of priorities 3, 6 and 9 in keys of their own.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by route name.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter(
    "portal_responses", "Responses by route name and HTTP status.", ["view", "status"]
)
TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 180),
)
TASK_FAILURES = Counter(
    "portal_celery_task_failures", "Celery tasks that raised, by task name.", ["task"]
)


def request_metrics(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Time every request and count its status under its route name (METRICS_ENABLED)."""
    if not settings.METRICS_ENABLED:
        raise MiddlewareNotUsed

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        # Routing happens inside get_response, so the route is known only now.
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else UNMATCHED
        if view not in UNMEASURED_VIEWS:
            method = request.method if request.method in METHODS else "other"
            REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
            RESPONSES.labels(view, str(response.status_code)).inc()
        return response

    return middleware


_task_started: dict[str, float] = {}


@task_prerun.connect
def _task_start(task_id: str, **kwargs) -> None:
    if settings.METRICS_ENABLED:
        _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_end(task_id: str, task, **kwargs) -> None:
    if (started := _task_started.pop(task_id, None)) is not None:
        TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)


@task_failure.connect
def _task_failed(sender, **kwargs) -> None:
    if settings.METRICS_ENABLED:
        TASK_FAILURES.labels(sender.name).inc()


class WaitingWork:
    """Read at each scrape from the source of truth: the database and the broker."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            waiting = Rendition.objects.filter(status=Rendition.Status.PENDING).count()
        except Exception as error:  # a scrape still shows the rest while PostgreSQL is away
            logger.warning("Metrics: renditions waiting unknown: %s", error)
        else:
            yield GaugeMetricFamily(
                "portal_renditions_waiting", "Rendition rows not made yet.", value=waiting
            )
        if not settings.REDIS_URL:
            return
        queues = GaugeMetricFamily(
            "portal_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
        try:
            for name in sorted(current_app.amqp.queues):
                with client.pipeline() as pipe:
                    for suffix in PRIORITY_SUFFIXES:
                        pipe.llen(name + suffix)
                    queues.add_metric([name], sum(pipe.execute()))
        except redis.RedisError as error:
            logger.warning("Metrics: queue lengths unknown: %s", error)
            return
        finally:
            client.close()
        yield queues


def metrics_registry() -> CollectorRegistry:
    """What one scrape shows: every process's numbers (multi-process mode) or this one's,
    and the waiting work."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)  # a registry is itself a collector
    registry.register(WaitingWork())
    return registry
