"""Test data made in memory: images from Pillow, assets through the real service."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image

from assets.models import Asset, Collection, Tag
from assets.search import search_index_update
from assets.services import asset_create
from policies.models import Announcement
from tests.assets.imagegen import camera_picture, to_bytes
from tracking.models import Release, ReleasedSizes
from tracking.suppression import calibration

_colours = itertools.count(1)


def image_bytes(
    format: str = "JPEG",
    size: tuple[int, int] = (1200, 800),
    *,
    mode: str = "RGB",
    colour=None,
    **save_options,
) -> bytes:
    """A small image; each call without `colour` differs, so SHA-256s never clash."""
    if colour is None:
        number = next(_colours)
        colour = (number * 37 % 256, number * 91 % 256, number * 53 % 256)
        if mode == "RGBA":
            colour = (*colour, 255)
    return to_bytes(Image.new(mode, size, colour), format, **save_options).getvalue()


def camera_jpeg(width: int, height: int) -> bytes:
    """A JPEG as heavy as a camera's; each call's grain differs."""
    return to_bytes(camera_picture(width, height), "JPEG", quality=90).getvalue()


def upload(name: str = "photo.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    if data is None:
        data = image_bytes("PNG" if name.endswith(".png") else "JPEG")
    return SimpleUploadedFile(name, data)


def make_asset(*, status: str = Asset.Status.PUBLISHED, **fields) -> Asset:
    tags = fields.pop("tags", [])
    filename = fields.pop("filename", "photo.jpg")
    asset = asset_create(
        file=upload(filename, fields.pop("data", None)),
        filename=filename,
        uploaded_by=fields.pop("uploaded_by", None),
        title=fields.pop("title", ""),
        kind=fields.pop("kind", Asset.Kind.PHOTO),
        collection=fields.pop("collection", None),
    )
    asset.status = status
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.save()
    asset.tags.set(tags)
    return asset


def edit_page_fields(asset: Asset, **changes) -> dict:
    """What the edit page posts for ``asset`` as it stands, with ``changes``."""
    fields = {
        "title_en": asset.title,
        "kind": asset.kind,
        "focal_x": asset.focal_x,
        "focal_y": asset.focal_y,
        "text_max_lines": asset.text_max_lines,
        "crop_overrides": "{}",
        "collection": asset.collection_id or "",
    }
    return fields | changes


def make_listed_assets(specs: list[dict], *, status: str = Asset.Status.PUBLISHED) -> list[Asset]:
    """Many assets at once, without files or renditions: for what lists and searches them.

    Each spec holds Asset fields, plus ``tags`` (names) and ``collection`` (a name).
    """
    rows, tag_names = [], []
    for spec in specs:
        spec = dict(spec)
        number = next(_colours)
        tag_names.append(list(dict.fromkeys(spec.pop("tags", []))))
        if collection := spec.pop("collection", None):
            spec["collection"], _ = Collection.objects.get_or_create(
                name=collection, defaults={"slug": slugify(collection)}
            )
        spec.setdefault("title", f"Artwork {number}")
        spec.setdefault("slug", f"{slugify(spec['title'])[:190]}-{number}")
        sha256 = f"{number:064x}"
        spec.setdefault("width", 1200)
        spec.setdefault("height", 800)
        rows.append(
            Asset(
                status=status,
                original=f"originals/{sha256[:2]}/{sha256}.jpg",
                byte_size=1000,
                sha256=sha256,
                format="JPEG",
                **spec,
            )
        )
    assets = Asset.objects.bulk_create(rows)
    tags = {}
    links = []
    for asset, names in zip(assets, tag_names, strict=True):
        for name in names:
            if name not in tags:
                tags[name], _ = Tag.objects.get_or_create(
                    name=name, defaults={"slug": slugify(name)}
                )
            links.append(Asset.tags.through(asset=asset, tag=tags[name]))
    Asset.tags.through.objects.bulk_create(links)
    # bulk_create sends no signals: the search documents are written here.
    search_index_update(asset_ids=[asset.pk for asset in assets])
    return assets


def make_announcement(**fields) -> Announcement:
    if "asset" not in fields and "collection" not in fields:
        fields["collection"] = Collection.objects.create(
            name="Spring frames", slug=f"spring-frames-{next(_colours)}"
        )
    fields.setdefault("title", "New spring frames")
    fields.setdefault("text", "Fresh profile frames for spring are in the portal.")
    return Announcement.objects.create(**fields)


def make_release(
    week, *, downloads=None, using=None, min_count: int = 5, person_bound: int | None = 6
) -> Release:
    """A stored week as leadership sees it (numbers already noisy and thresholded).

    `downloads` maps an asset to {size slug: n}; `using` maps an asset to n. Numbers
    below `min_count` are left out, as the real release leaves them out, and totals
    are the sums of their parts. `person_bound=None` makes a week as released before
    one person's counts were bounded (one count at ε 1, noise of scale 2).
    """
    downloads, using = downloads or {}, using or {}

    def kind(numbers: dict) -> dict:
        shown = {str(asset.pk): n for asset, n in numbers.items() if n >= min_count}
        total = sum(numbers.values())
        return {"week": total if total >= min_count else None, "assets": shown}

    totals = {
        "download": kind({asset: sum(sizes.values()) for asset, sizes in downloads.items()}),
        "using": kind(using),
    }
    if person_bound is None:
        calibrated = {"epsilon": 1.0, "noise_scale": 2.0}
    else:
        noise = calibration(bound=person_bound, epsilon=1.0)
        calibrated = {
            "epsilon": noise.count_epsilon,
            "person_bound": person_bound,
            "person_epsilon": noise.epsilon,
            "noise_scale": noise.scale,
        }
    release = Release.objects.create(week=week, min_count=min_count, totals=totals, **calibrated)
    for asset, sizes in downloads.items():
        shown = {size: n for size, n in sizes.items() if n >= min_count}
        if shown:
            ReleasedSizes.objects.create(release=release, asset=asset, counts=shown)
    return release
