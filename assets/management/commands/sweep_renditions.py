from django.core.management.base import BaseCommand

from assets.renditions.tasks import sweep_renditions


class Command(BaseCommand):
    help = "Queue again renditions left pending by a lost message or a stopped worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=120,
            metavar="SECONDS",
            help="Only work untouched for this long (default 120).",
        )

    def handle(self, *args, older_than: int, **options) -> None:
        queued = sweep_renditions(older_than=older_than)
        self.stdout.write(f"Queued {queued} asset(s) with unfinished renditions.")
