from collections.abc import Iterator
from datetime import timedelta

from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from assets.models import Asset, AssetVersion, Rendition
from assets.services import renditions_remake

# Files a row names: (model, field, what to call it in the list).
FILE_FIELDS = [
    (Asset, "original", "original"),
    (AssetVersion, "file", "earlier version"),
    # The sizes kept with earlier files are named by their rows too: never orphans.
    (Rendition, "file", "size"),
    (Rendition, "display", "display copy"),
]


def storage_walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder`, through the storage API (a bucket has no paths)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        if folder:
            raise
        return  # a media directory nothing was ever stored in
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from storage_walk(storage, prefix + sub)


def referenced_files() -> dict[str, str]:
    """Each stored name a row refers to, with which row and field it is."""
    names = {}
    for model, field, label in FILE_FIELDS:
        rows = model.objects.exclude(**{field: ""})
        slug = "slug" if model is Asset else "asset__slug"
        for name, asset in rows.values_list(field, slug).iterator():
            names.setdefault(name, f"{label} of {asset}")
    return names


def referenced(name: str) -> bool:
    return any(model.objects.filter(**{field: name}).exists() for model, field, _ in FILE_FIELDS)


class Command(BaseCommand):
    help = (
        "List files that rows name but storage lacks, and stored files no row names. Exits 1 "
        "when either list is not empty (after --delete-orphans, when files are missing)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--delete-orphans", action="store_true", help="Delete the stored files no row names."
        )
        parser.add_argument(
            "--remake-missing",
            action="store_true",
            help="Queue the sizes and display copies that are missing to be made again.",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            metavar="SECONDS",
            help="Leave out files stored more recently than this (default 3600): an upload or "
            "a worker stores its files before it commits the rows that name them.",
        )

    def handle(
        self, *args, delete_orphans: bool, remake_missing: bool, min_age: int, **options
    ) -> None:
        storage = default_storage
        rows = referenced_files()
        stored = set(storage_walk(storage))
        missing = sorted(set(rows) - stored)
        cutoff = timezone.now() - timedelta(seconds=min_age)
        unnamed = sorted(stored - set(rows))
        orphans = [
            name for name in unnamed if min_age == 0 or storage.get_modified_time(name) < cutoff
        ]
        recent = len(unnamed) - len(orphans)
        for name in missing:
            self.stdout.write(f"missing {name} ({rows[name]})")
        deleted = 0
        for name in orphans:
            # A row may have come to name it since the list was made (the same content
            # uploaded again): only a file still unnamed goes.
            if delete_orphans and not referenced(name):
                storage.delete(name)
                deleted += 1
                self.stdout.write(f"deleted orphan {name}")
            else:
                self.stdout.write(f"orphan {name}")
        self.stdout.write(
            f"{len(stored)} stored file(s), {len(rows)} named by rows: {len(missing)} missing, "
            f"{len(orphans)} orphan(s)"
            + (f" ({recent} newer file(s) left out)" if recent else "")
            + (f", {deleted} deleted." if delete_orphans else ".")
        )
        if remake_missing:
            self.remake(missing)
        if missing:
            self.stdout.write(
                "A missing size or display copy can be made again (--remake-missing); a "
                "missing original or earlier version has to come back from the backup."
            )
        if missing or len(orphans) > deleted:
            raise CommandError(
                f"{len(missing)} missing, {len(orphans) - deleted} orphan(s)", returncode=1
            )

    def remake(self, missing: list[str]) -> None:
        made = Rendition.objects.filter(
            Q(file__in=missing) | Q(display__in=missing), status=Rendition.Status.READY
        ).select_related("asset")
        by_asset: dict[Asset, list[Rendition]] = {}
        for rendition in made:
            by_asset.setdefault(rendition.asset, []).append(rendition)
        for asset, renditions in by_asset.items():
            queued = renditions_remake(asset=asset, renditions=renditions)
            if queued:
                self.stdout.write(f"queued {queued} size(s) of {asset.slug} to be made again")
            if dropped := len(renditions) - queued:
                self.stdout.write(
                    f"dropped {dropped} size(s) kept with earlier files of {asset.slug}: "
                    "restoring such a file makes them again"
                )
