"""Test data made in memory: images from Pillow, assets through the real service."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.models import Asset, Collection
from assets.services import asset_create
from policies.models import Announcement
from tests.assets.imagegen import to_bytes

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


def make_announcement(**fields) -> Announcement:
    if "asset" not in fields and "collection" not in fields:
        fields["collection"] = Collection.objects.create(
            name="Spring frames", slug=f"spring-frames-{next(_colours)}"
        )
    fields.setdefault("title", "New spring frames")
    fields.setdefault("text", "Fresh profile frames for spring are in the portal.")
    return Announcement.objects.create(**fields)
