"""Settings for bench/counts.py only: the portal's settings plus two baseline URLs.

Django settings are a module, so this one extends the portal's by import; the
portal itself never uses this file.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
