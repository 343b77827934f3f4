from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Celery's worker processes load no middleware: the task signals connect here.
        from ops import metrics  # noqa: F401
