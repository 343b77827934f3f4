from django.core.management.base import BaseCommand

from assets.services import renditions_sweep


class Command(BaseCommand):
    help = "Queue again renditions left pending by a lost message or a stopped worker."

    def handle(self, *args, **options) -> None:
        queued = renditions_sweep()
        self.stdout.write(f"Queued {queued} asset(s) with unfinished renditions.")
