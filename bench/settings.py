"""Settings for bench/counts.py only: the portal's settings plus two baseline URLs.

Django settings are a module, so this one extends the portal's by import; the
portal itself never uses this file.
"""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

ROOT_URLCONF = "bench.urls"
# The benchmark never runs collectstatic; pages still render their static links.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
