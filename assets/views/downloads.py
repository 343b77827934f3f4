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
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from accounts.roles import role_required
from assets.models import Asset, Rendition
from assets.renditions.platforms import (
    Platform,
    Slot,
    file_name,
    name_for,
    safe_file_name,
    shared_file_name,
)
from assets.renditions.translated import platforms_translated
from assets.views.access import token_or_session, visible_assets
from assets.views.files import (
    DOWNLOAD_CONTENT_TYPES,
    file_missing,
    file_response,
    file_stored,
    sizes_remaking,
)

logger = logging.getLogger(__name__)

RASTER_CONTENT_TYPES = Asset.RASTER_CONTENT_TYPES
SIGNATURE_PRESET = "email-signature"


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
    name = name_for(
        preset,
        made.extension,
        title=asset.title,
        platforms=platforms_translated(),
        platform=request.GET.get("for", ""),
    )
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
    one_file = asset.zip_renditions()
    if one_file is None:
        response = file_missing(
            request,
            _(
                "The sizes are being made from a new file of this artwork, so a ZIP now "
                "would mix old and new files. Please try again in a minute."
            ),
            status=503,
        )
        response["Retry-After"] = "60"
        return response
    folders, files = _zip_contents(asset, one_file)
    if not files:
        raise Http404("No sizes are ready yet.")
    # Checked before the first byte: once a 200 has started, a gap would be a corrupt ZIP.
    if missing := [made for _, made in files if not file_stored(made.file)]:
        return sizes_remaking(request, asset, missing)
    readme = render_to_string(
        "assets/zip_readme.txt",
        {
            "asset": asset,
            "folders": folders,
            "page_url": request.build_absolute_uri(asset.get_absolute_url()),
        },
    )
    response = StreamingHttpResponse(
        _zip_stream(files, readme.encode()), content_type="application/zip"
    )
    every_platform = safe_file_name(_("every platform"))
    response["Content-Disposition"] = content_disposition_header(
        True, f"{safe_file_name(asset.title) or asset.slug} - {every_platform}.zip"
    )
    return response


def _place(platform: Platform, slot: Slot) -> str:
    """Where a slot's file goes, for a sentence: "your LinkedIn banner"."""
    return slot.where or _("your %(platform)s %(slot)s") % {
        "platform": platform.name,
        "slot": slot.name,
    }


def _zip_contents(asset: Asset, ready: dict[str, Rendition]) -> tuple[list[dict], list]:
    """The ZIP's folders as the README describes them, and its (path, rendition) entries,
    named in the reader's language.

    A folder per platform with a file per slot; a frame slot (the frame is put over the
    person's own photo on the page) holds the artwork as a plain profile photo instead; and the
    video-call apps, which all take the same file, share one folder with one call background.
    """
    folders: list[dict] = []
    calls: dict = {
        "name": safe_file_name(_("Video calls")),
        "entries": [],
        "frames": [],
        "links": [],
        "apps": [],
    }
    for platform, slots in asset.platform_kit(ready):
        folder = {"name": safe_file_name(platform.name), "entries": [], "frames": [], "links": []}
        for slot, made in slots:
            if slot.personal == "background":
                if made and not calls["entries"]:
                    size = f"{slot.preset.width}x{slot.preset.height}"
                    what = _("call background")
                    name = shared_file_name(asset.title, what, size, made.extension)
                    calls["entries"].append({"name": name, "made": made, "steps": []})
                if made:
                    calls["apps"].append(platform.name)
                    calls["entries"][0]["steps"].append((platform.name, slot.steps))
                    calls["links"] += [platform.link] if platform.link else []
                continue
            preset, steps = slot.preset, slot.steps
            if slot.personal == "frame":
                folder["frames"].append(_place(platform, slot))
                made = ready.get(slot.plain.slug) if slot.plain else None
                preset, steps = slot.plain, slot.plain_steps
            if made:
                name = file_name(platform, slot, made.extension, title=asset.title, preset=preset)
                folder["entries"].append(
                    {
                        "name": name,
                        "made": made,
                        "place": _place(platform, slot),
                        "steps": [("", steps)],
                    }
                )
        if folder["entries"] or folder["frames"]:
            folder["links"] = [platform.link] if platform.link else []
            folders.append(folder)
    if calls["entries"]:
        apps = calls["apps"]
        calls["entries"][0]["place"] = ngettext(
            "your background in %(apps)s",
            "your background in %(apps)s; this one file serves them all",
            len(apps),
        ) % {"apps": get_text_list(apps, _("and"))}
        folders.append(calls)
    files = [
        (f"{f['name']}/{entry['name']}", entry["made"]) for f in folders for entry in f["entries"]
    ]
    return folders, files


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
