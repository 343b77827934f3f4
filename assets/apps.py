from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Asset library")

    def ready(self) -> None:
        # Connects the receivers that keep each asset's search document up to date.
        from assets import search  # noqa: F401
