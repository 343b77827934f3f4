from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Anonymous counts")

    def ready(self) -> None:
        from tracking import tally  # noqa: F401 - connects the artwork-change signals
