from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacypassConfig(AppConfig):
    name = "privacypass"
    verbose_name = _("Anonymous tokens")
