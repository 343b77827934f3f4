from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.services import releases_prune


class Command(BaseCommand):
    help = "Delete weekly uptake releases older than TRACKING_RETENTION_MONTHS."

    def handle(self, *args, **options) -> None:
        deleted = releases_prune()
        months = settings.TRACKING_RETENTION_MONTHS
        self.stdout.write(f"Deleted {deleted} weekly releases older than {months} months.")
