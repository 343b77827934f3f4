"""What leaves as a file: originals, sizes, the ZIP of every size and the signature banner."""

import io
import logging
import zipfile
from collections.abc import Iterator

from django.contrib.auth.decorators import login_not_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from accounts.roles import role_required
from assets.models import Asset, Rendition
from assets.renditions.platforms import file_name, name_for
from assets.views.access import token_or_session, visible_assets
from assets.views.files import file_missing, file_response, file_stored, sizes_remaking

logger = logging.getLogger(__name__)

RASTER_CONTENT_TYPES = Asset.RASTER_CONTENT_TYPES
SIGNATURE_PRESET = "email-signature"
# SVG originals are only ever downloaded, never shown on the portal's origin. HEIC and TIFF
# originals, which browsers do not show, are previewed (like SVG) through a rendered square.
DOWNLOAD_CONTENT_TYPES = {
    **RASTER_CONTENT_TYPES,
    "HEIF": "image/heic",
    "TIFF": "image/tiff",
    "SVG": "application/octet-stream",
}


@token_or_session
@require_safe
@role_required("assets.view_asset")
def original(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request), slug=slug)
    if not file_stored(asset.original):
        logger.error("The original of asset %s is missing from storage.", asset.pk)
        return file_missing(
            request,
            "The original of this artwork is missing from storage. Marketing has to "
            "upload it again; the sizes made from it can still be downloaded.",
            status=404,
        )
    return file_response(asset.original, asset.download_name, DOWNLOAD_CONTENT_TYPES[asset.format])


@token_or_session
@require_safe
@role_required("assets.view_asset")
def rendition(request: HttpRequest, slug: str, preset: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request), slug=slug)
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("This size is not ready yet.")
    # ?for= only picks which platform's name the file gets; the bytes are the same for all.
    name = name_for(preset, made.extension, platform=request.GET.get("for", ""))
    if not file_stored(made.file):
        return sizes_remaking(request, asset, [made])
    return file_response(made.file, name or made.download_name, RASTER_CONTENT_TYPES[made.format])


@require_safe
@login_not_required
def signature_image(request: HttpRequest, slug: str) -> FileResponse:
    """The email-signature banner at one address for everyone, for as long as the asset lives.

    Mail clients fetch it without a session, so it is served to anyone with the address, as
    the same response for all: no sign-in, no cookie, no count. Marketing may offer none.
    """
    asset = get_object_or_404(Asset.objects.published(), slug=slug, signature_public=True)
    made = asset.served_rendition(SIGNATURE_PRESET)
    if made is None:
        raise Http404("The signature banner is not ready yet.")
    response = FileResponse(made.file.open("rb"), content_type=RASTER_CONTENT_TYPES[made.format])
    # Short, so a changed banner reaches old mail soon.
    response["Cache-Control"] = "public, max-age=3600"
    return response


@token_or_session
@require_safe
@role_required("assets.view_asset")
def rendition_zip(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request), slug=slug)
    ready = asset.served_renditions()
    # The frame is put over the person's own photo in the browser; the ZIP holds finished files.
    kit = [
        (
            platform,
            [
                (slot, made, file_name(platform, slot, made.extension))
                for slot, made in slots
                if made and slot.personal != "frame"
            ],
            [slot for slot, _ in slots if slot.personal == "frame"],
        )
        for platform, slots in asset.platform_kit(ready)
    ]
    files = [(f"{p.name}/{name}", made) for p, named, _ in kit for _, made, name in named]
    if not files:
        raise Http404("No sizes are ready yet.")
    # Checked before the first byte: once a 200 has started, a gap would be a corrupt ZIP.
    if missing := [made for _, made in files if not file_stored(made.file)]:
        return sizes_remaking(request, asset, missing)
    readme = render_to_string(
        "assets/zip_readme.txt",
        {
            "asset": asset,
            "kit": kit,
            "page_url": request.build_absolute_uri(asset.get_absolute_url()),
        },
    )
    response = StreamingHttpResponse(
        _zip_stream(files, readme.encode()), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{asset.title} - every platform.zip"
    )
    return response


class _Chunks(io.RawIOBase):
    """A write-only sink that hands back what was written since the last take()."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _zip_stream(files: list[tuple[str, Rendition]], readme: bytes) -> Iterator[bytes]:
    # Streamed file by file, so a ZIP of every size never sits in memory whole.
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("README.txt", readme)
        for name, made in files:
            with made.file.open("rb") as source, archive.open(name, "w") as entry:
                while chunk := source.read(256 * 1024):
                    entry.write(chunk)
                    yield sink.take()
    yield sink.take()
