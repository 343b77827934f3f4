"""Settings for bench/load.py's language comparison: the portal as an English-only deployment.

Django settings are a module, so this one extends the portal's by import; the portal
itself never uses this file. The database keeps its German and French columns: an
English-only model simply reads fewer of them.
"""

from portal.settings import *  # noqa: F403

LANGUAGES = [("en", "English")]
MODELTRANSLATION_LANGUAGES = ("en",)
