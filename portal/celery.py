"""The Celery app, in Celery's documented Django layout."""

import logging
import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The renditions' tasks live in their own room of the assets app.
app.autodiscover_tasks(["assets.renditions"])


@setup_logging.connect
def _django_logging(loglevel: int | None = None, **kwargs) -> None:
    """The worker and beat log through LOGGING's one handler, which redacts URL paths.

    Without this Celery puts its own handler on the root logger, with a time on
    every line and no redaction.
    """
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
