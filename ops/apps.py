from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery's worker processes load no middleware: the task signals connect here.
        from ops import metrics  # noqa: F401
