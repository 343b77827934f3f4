from django.core.management.base import BaseCommand

from tracking.models import iso_week
from tracking.services import weeks_release


class Command(BaseCommand):
    help = "Publish every closed week not yet published (to catch up after downtime)."

    def handle(self, *args, **options) -> None:
        released = weeks_release()
        for release in released:
            self.stdout.write(f"Released {iso_week(release.week)}.")
        if not released:
            self.stdout.write("Every closed week is already released.")
