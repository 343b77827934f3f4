from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Asset library"

    def ready(self) -> None:
        # Connects the receivers that keep each asset's search document up to date.
        from assets import search  # noqa: F401
