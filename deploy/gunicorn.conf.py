"""Gunicorn settings for the portal: gunicorn -c deploy/gunicorn.conf.py portal.wsgi

The access log names no one: no client address (%(h)s), no user agent, no
referrer, no remote user, and the anonymous count requests are not logged at all,
so a log line cannot sit next to someone's download or count.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# Behind the proxy that terminates TLS; no forwarded client address is used.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

COUNT_PATH = "/count/"


class PortalLogger(Logger):
    def access(self, resp, req, environ, request_time) -> None:
        if environ.get("PATH_INFO") == COUNT_PATH:
            return
        super().access(resp, req, environ, request_time)


logger_class = PortalLogger
