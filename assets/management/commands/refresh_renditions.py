from django.core.management.base import BaseCommand, CommandError

from assets.models import Asset
from assets.services import renditions_request


class Command(BaseCommand):
    help = (
        "Queue the sizes that are missing for the named assets (or all of them), e.g. after "
        "a preset's or the engine's version changed. Ready earlier sizes stay served meanwhile."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--all", action="store_true", help="Every asset in the library.")

    def handle(self, *args, slugs: list[str], all: bool, **options) -> None:
        if all == bool(slugs):
            raise CommandError("Name one or more asset slugs, or pass --all.")
        assets = Asset.objects.all() if all else Asset.objects.filter(slug__in=slugs)
        unknown = set(slugs) - set(assets.values_list("slug", flat=True))
        if unknown:
            raise CommandError(f"No asset called {', '.join(sorted(unknown))}.")
        queued = 0
        for asset in assets.iterator():
            missing = asset.renditions_missing()
            renditions_request(asset=asset)
            queued += missing
            self.stdout.write(f"{'queued' if missing else 'current'} {asset.slug}")
        self.stdout.write(f"Queued new sizes for {queued} asset(s).")
