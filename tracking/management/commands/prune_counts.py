from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.services import counts_prune


class Command(BaseCommand):
    help = "Delete anonymous count rows older than TRACKING_RETENTION_MONTHS."

    def handle(self, *args, **options) -> None:
        deleted = counts_prune()
        months = settings.TRACKING_RETENTION_MONTHS
        self.stdout.write(f"Deleted {deleted} count rows older than {months} months.")
