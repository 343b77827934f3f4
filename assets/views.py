import io
import zipfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import role_required
from assets.forms import AssetFilterForm, AssetForm, UploadForm
from assets.models import Asset, Rendition
from assets.services import (
    DuplicateAsset,
    asset_create,
    asset_publish,
    renditions_request,
    renditions_retry,
)
from assets.validation import ImageRefused

PAGE_SIZE = 24
RASTER_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SVG_PREVIEW_PRESET = "avatar-large"
# SVG originals are only ever downloaded, never shown on the portal's origin.
DOWNLOAD_CONTENT_TYPES = {**RASTER_CONTENT_TYPES, "SVG": "application/octet-stream"}


def visible_assets(user: AbstractBaseUser) -> QuerySet[Asset]:
    """Marketing sees every status; everybody else sees what is published today."""
    if user.has_perm("assets.change_asset"):
        return Asset.objects.all()
    return Asset.objects.published()


def _browse(
    request: HttpRequest, assets: QuerySet[Asset], template: str, **context
) -> HttpResponse:
    filters = AssetFilterForm(request.GET)
    assets = filters.filter(assets.select_related("collection"))
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, template, context)


@require_GET
@role_required("assets.view_asset")
def home(request: HttpRequest) -> HttpResponse:
    return _browse(request, Asset.objects.published(), "assets/home.html")


@require_GET
@role_required("assets.view_asset")
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request.user).select_related("collection"), slug=slug)
    renditions = asset.renditions_by_preset()
    context = {
        "asset": asset,
        "renditions": renditions,
        "any_ready": any(r and r.status == Rendition.Status.READY for _, r in renditions),
        "any_pending": any(not r or r.status == Rendition.Status.PENDING for _, r in renditions),
        "low_resolution": [p for p, r in renditions if r and r.low_resolution],
    }
    return render(request, "assets/detail.html", context)


@require_GET
@role_required("assets.view_asset")
def original(request: HttpRequest, slug: str) -> FileResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    return _download(asset.original, asset.download_name, DOWNLOAD_CONTENT_TYPES[asset.format])


@require_GET
@role_required("assets.view_asset")
def rendition(request: HttpRequest, slug: str, preset: str) -> FileResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    made = get_object_or_404(
        asset.current_renditions(), preset=preset, status=Rendition.Status.READY
    )
    return _download(made.file, made.download_name, RASTER_CONTENT_TYPES[made.format])


def _download(file, filename: str, content_type: str) -> FileResponse:
    # The same URL and response for everyone: nothing in it names who downloads.
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@require_GET
@role_required("assets.view_asset")
def rendition_zip(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    ready = list(asset.current_renditions().filter(status=Rendition.Status.READY))
    if not ready:
        raise Http404("No sizes are ready yet.")
    response = StreamingHttpResponse(_zip_stream(ready), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{asset.slug}-all-sizes.zip"'
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


def _zip_stream(renditions: list[Rendition]) -> Iterator[bytes]:
    # Streamed file by file, so a ZIP of every size never sits in memory whole.
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for made in renditions:
            with made.file.open("rb") as source, archive.open(made.download_name, "w") as entry:
                while chunk := source.read(256 * 1024):
                    entry.write(chunk)
                    yield sink.take()
    yield sink.take()


@require_GET
@role_required("assets.view_asset")
def preview(request: HttpRequest, slug: str) -> FileResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    if asset.format in RASTER_CONTENT_TYPES:
        file, format = asset.original, asset.format
    else:
        # Only raster images are ever shown inline on the portal's origin: an SVG
        # is previewed through its rendered square.
        made = get_object_or_404(
            asset.current_renditions(), preset=SVG_PREVIEW_PRESET, status=Rendition.Status.READY
        )
        file, format = made.file, made.format
    response = FileResponse(file.open("rb"), content_type=RASTER_CONTENT_TYPES[format])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@role_required("assets.change_asset")
def library(request: HttpRequest) -> HttpResponse:
    assets = Asset.objects.all()
    status = request.GET.get("status")
    if status in Asset.Status.values:
        assets = assets.filter(status=status)
    return _browse(request, assets, "assets/library.html", status_choices=Asset.Status.choices)


@role_required("assets.add_asset")
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    added: list[Asset] = []
    refused: list[tuple[str, str, Asset | None]] = []
    if request.method == "POST" and form.is_valid():
        for file in form.cleaned_data["files"]:
            try:
                added.append(
                    asset_create(
                        file=file,
                        filename=file.name,
                        uploaded_by=request.user,
                        collection=form.cleaned_data["collection"],
                        kind=form.cleaned_data["kind"],
                        publish=form.cleaned_data["publish"],
                    )
                )
            except DuplicateAsset as error:
                refused.append((file.name, str(error), error.existing))
            except ImageRefused as error:
                refused.append((file.name, str(error), None))
        if added and not refused:
            messages.success(request, f"Added {len(added)} image{'s' * (len(added) != 1)}.")
            return redirect("assets:library")
    context = {"form": form, "added": added, "refused": refused}
    return render(request, "assets/upload.html", context)


@role_required("assets.change_asset")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        renditions_request(asset=form.save())
        messages.success(request, "Saved.")
        return redirect(asset)
    return render(request, "assets/edit.html", {"asset": asset, "form": form})


@require_POST
@role_required("assets.publish_asset")
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    asset_publish(asset=asset)
    messages.success(request, f"“{asset.title}” is published: employees can see it now.")
    return redirect(asset)


@require_POST
@role_required("assets.publish_asset")
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    asset.archive()
    messages.success(request, f"“{asset.title}” is archived: employees no longer see it.")
    return redirect(asset)


@require_POST
@role_required("assets.change_asset")
def retry_renditions(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    renditions_retry(asset=asset)
    messages.success(request, "The failed sizes are being made again.")
    return redirect(asset)


@role_required("assets.delete_asset")
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    if request.method == "POST":
        asset.delete()
        messages.success(request, f"Deleted “{asset.title}” and its files.")
        return redirect("assets:library")
    return render(request, "assets/confirm_delete.html", {"asset": asset})
