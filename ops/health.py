"""Readiness: can this process reach PostgreSQL, Redis and the file storage right now?"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)


def _database() -> None:
    # Runs in a pool thread with a connection of its own, closed at once: a kept one
    # would sit idle between probes and hold a PostgreSQL connection per web process.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def _redis() -> None:
    # A second past the shared budget: the budget decides, and the thread ends soon after.
    timeout = settings.READY_TIMEOUT + 1
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
    )
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    # The top level only (originals/, renditions/): a bucket that is gone or a media volume
    # that is not mounted fails here, and the probe writes nothing for check_storage to find.
    default_storage.listdir("")


def _checks() -> dict[str, Callable[[], None]]:
    checks = {"database": _database, "storage": _storage}
    if settings.REDIS_URL:  # a laptop without Redis runs tasks in-process: nothing to reach
        checks["redis"] = _redis
    return checks


def readiness_check() -> dict[str, str]:
    """Each dependency's state, "ok", "unreachable" or "timed out", checked at once in threads
    so a hung one costs READY_TIMEOUT seconds at most.

    The reason stays in the log: the answer is public and must not name hosts or ports.
    """
    checks = _checks()
    # Not a `with` block: its exit would wait for a hung check; the thread ends on its own
    # when the client's own timeout (or the TCP one) gives up.
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: pool.submit(check) for name, check in checks.items()}
    pool.shutdown(wait=False)
    wait(futures.values(), timeout=settings.READY_TIMEOUT)
    states = {}
    for name, future in futures.items():
        if not future.done():
            logger.warning("Readiness: %s did not answer within %s s", name, settings.READY_TIMEOUT)
            states[name] = "timed out"
        elif error := future.exception():
            logger.warning("Readiness: %s is unreachable: %s", name, error)
            states[name] = "unreachable"
        else:
            states[name] = "ok"
    return states
