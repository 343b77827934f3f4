from collections.abc import Callable, Iterator
from functools import partial

from django.core.management.base import BaseCommand, CommandError

from assets.intake.validation import ImageRefused
from assets.models import Asset, AssetVersion
from assets.services import asset_original_clean, asset_version_clean


class Command(BaseCommand):
    help = (
        "Clean the originals and earlier versions stored before uploads were cleaned, as an "
        "upload is cleaned today: no location, serial numbers, maker notes or bytes after the "
        "image's end; pixels, ICC profile and orientation kept. A file today's upload check "
        "refuses is left as it is and named; exits 1 if any was. Running it again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be cleaned; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        cleaned = already_clean = left = 0
        for label, clean in self.stored_files():
            try:
                changed = clean(dry_run=dry_run)
            except ImageRefused as error:
                left += 1
                self.stdout.write(f"left {label}: {error}")
            except OSError as error:
                left += 1
                self.stdout.write(f"left {label}: it cannot be read from storage ({error})")
            else:
                if changed:
                    cleaned += 1
                    self.stdout.write(f"{'would clean' if dry_run else 'cleaned'} {label}")
                else:
                    already_clean += 1
        if dry_run:
            self.stdout.write(
                f"{cleaned} would be cleaned, {already_clean} already clean, {left} left. "
                "Nothing was changed."
            )
        elif cleaned or left:
            self.stdout.write(f"{cleaned} cleaned, {already_clean} already clean, {left} left.")
        else:
            self.stdout.write(f"Nothing to do: all {already_clean} stored file(s) are clean.")
        if left:
            raise CommandError(f"{left} file(s) left as they are", returncode=1)

    def stored_files(self) -> Iterator[tuple[str, Callable[..., bool]]]:
        for asset in Asset.objects.order_by("pk").iterator():
            yield (
                f"{asset.slug} ({asset.original.name})",
                partial(asset_original_clean, asset=asset),
            )
        for version in AssetVersion.objects.select_related("asset").order_by("pk").iterator():
            yield (
                f"{version.asset.slug}, version added {version.added_at:%Y-%m-%d} "
                f"({version.file.name})",
                partial(asset_version_clean, version=version),
            )
