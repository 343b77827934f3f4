from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Anonymous counts"

    def ready(self) -> None:
        from tracking import tally  # noqa: F401 - connects the artwork-change signals
