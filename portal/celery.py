"""The Celery app, in Celery's documented Django layout."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The renditions' tasks live in their own room of the assets app.
app.autodiscover_tasks(["assets.renditions"])
