import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assets.intake.validation import ImageRefused
from assets.models import Asset, Collection
from assets.services import DuplicateAsset, asset_create, asset_replace_file


def _shown(path: Path) -> str:
    """The path as it can be printed: a name that is not UTF-8 (from an old archive) shows its
    odd bytes as \\xNN instead of making the output itself fail."""
    return os.fsencode(path).decode(errors="backslashreplace")


class Command(BaseCommand):
    help = (
        "Import image files and folders into the library, with the same checks as the "
        "upload page. Prints one line per file; exits 1 if any file was rejected or failed. "
        "Hidden files are skipped. With --replace SLUG, the one file given becomes a new "
        "version of that asset instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--collection", metavar="SLUG", help="Put the assets in this collection."
        )
        parser.add_argument(
            "--kind", choices=Asset.Kind.values, default="", help="Default: guessed per file."
        )
        parser.add_argument("--publish", action="store_true", help="Publish instead of drafts.")
        parser.add_argument(
            "--replace",
            metavar="SLUG",
            help="Make the one file given the new version of this asset; "
            "the current file stays in its version history.",
        )

    def handle(
        self,
        *args,
        paths: list[Path],
        collection: str | None,
        kind: str,
        publish: bool,
        replace: str | None,
        **options,
    ) -> None:
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}", returncode=2)
        if replace:
            self.replace(replace, paths)
            return
        target = None
        if collection:
            target = Collection.objects.filter(slug=collection).first()
            if target is None:
                raise CommandError(f"no collection with the slug {collection!r}", returncode=2)

        rejected = failed = 0
        for path in self.files(paths):
            shown = _shown(path)
            try:
                with path.open("rb") as file:
                    asset = asset_create(
                        file=file,
                        filename=path.name,
                        uploaded_by=None,
                        collection=target,
                        kind=kind,
                        publish=publish,
                    )
            except DuplicateAsset as duplicate:
                self.stdout.write(f"exists {shown} -> {duplicate.existing.slug}")
            except (ImageRefused, OSError) as error:
                rejected += 1
                self.stdout.write(f"rejected {shown}: {error}")
            except Exception as error:  # noqa: BLE001
                # A fault of the portal's, not of the file: this file's transaction is rolled
                # back, and one bad file must not cost the rest of a batch of thousands.
                failed += 1
                self.stdout.write(f"failed {shown}: {type(error).__name__}: {error}")
            else:
                self.stdout.write(f"ok {shown} -> {asset.slug}")
        if rejected or failed:
            raise CommandError(
                f"{rejected} file(s) rejected, {failed} failed (a fault to report)", returncode=1
            )

    def replace(self, slug: str, paths: list[Path]) -> None:
        if len(paths) != 1 or not paths[0].is_file():
            raise CommandError("--replace takes exactly one file", returncode=2)
        asset = Asset.objects.filter(slug=slug).first()
        if asset is None:
            raise CommandError(f"no asset with the slug {slug!r}", returncode=2)
        path = paths[0]
        try:
            with path.open("rb") as file:
                asset_replace_file(asset=asset, file=file, filename=path.name, replaced_by=None)
        except (ImageRefused, OSError) as error:
            self.stdout.write(f"rejected {_shown(path)}: {error}")
            raise CommandError("1 file(s) rejected", returncode=1) from None
        self.stdout.write(f"replaced {_shown(path)} -> {slug}")

    def files(self, paths: list[Path]):
        for path in paths:
            if path.is_dir():
                yield from (
                    found
                    for found in sorted(path.rglob("*"))
                    if found.is_file()
                    and not any(part.startswith(".") for part in found.relative_to(path).parts)
                )
            else:
                yield path
