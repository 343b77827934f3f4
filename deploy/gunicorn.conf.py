"""Gunicorn settings for the portal: gunicorn -c deploy/gunicorn.conf.py portal.wsgi

The access log names no one and no artwork: no client address (%(h)s), no user
agent, no referrer, no remote user; every path, in the access log and the error
log, goes through the portal's one redaction rule (portal/redaction.py: the
artwork, collection and size in it become "-", the query string goes); and the
anonymous count requests are not logged at all. So a log line cannot sit next to
someone's download or count.
"""

import multiprocessing
import os
import signal
import sys
import threading

from gunicorn.glogging import Logger

from ops.draining import stopping, stopping_start
from portal.redaction import PathRedaction

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# Behind the proxy that terminates TLS; no forwarded client address is used.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# haproxy.cfg takes a node out after three failed checks two seconds apart: 6 s, and a margin.
drain_seconds = float(os.environ.get("GUNICORN_DRAIN_SECONDS", "10"))

COUNT_PATH = "/count/"
# Not logged: the counts (see above), and the proxy's and Prometheus's polling every few
# seconds, which would bury the requests people make.
UNLOGGED_PATHS = frozenset({COUNT_PATH, "/healthz", "/readyz", "/metrics"})


class PortalLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)  # also run again on a reload, with new handlers
        # The same handlers gunicorn chose (stdout, a file), one JSON object a line if asked.
        formatter = None
        if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
            from ops.logs import JsonLinesFormatter

            formatter = JsonLinesFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, PathRedaction) for f in handler.filters):
                    handler.addFilter(PathRedaction())
                if formatter:
                    handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if environ.get("PATH_INFO") in UNLOGGED_PATHS:
            return
        super().access(resp, req, environ, request_time)


logger_class = PortalLogger


def when_ready(server) -> None:
    """The first SIGTERM only starts the drain (ops/draining.py); the second, sent by the
    master itself after drain_seconds or by an impatient operator, is gunicorn's own."""
    graceful_stop = server.handle_term

    def handle_term() -> None:
        if stopping() or not drain_seconds:
            graceful_stop()
        stopping_start()
        # No path in the message: the log's redaction would blank it.
        server.log.info(
            "SIGTERM: not ready for %s s, for the proxy to take this node out", drain_seconds
        )
        threading.Timer(drain_seconds, os.kill, (os.getpid(), signal.SIGTERM)).start()

    server.handle_term = handle_term


def post_worker_init(worker) -> None:
    """Each worker pushes its waiting counts to Redis once a second, from a thread."""
    from tracking.tally import pushing_start

    pushing_start()


def worker_exit(server, worker) -> None:
    """Counts that waited in this worker's memory (Redis was away) go to Redis before it ends."""
    if "tracking.tally" in sys.modules:
        sys.modules["tracking.tally"].pending_push()
