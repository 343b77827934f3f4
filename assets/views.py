import io
import zipfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import role_required
from assets.forms import AssetFilterForm, AssetForm, KindForm, UploadForm
from assets.models import Asset, Rendition
from assets.presets import Preset, get_preset, internal_presets, platform_presets
from assets.services import (
    DuplicateAsset,
    asset_create,
    asset_publish,
    asset_set_kind,
    renditions_request,
    renditions_retry,
)
from assets.validation import ImageRefused

PAGE_SIZE = 24
RASTER_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# SVG originals are only ever downloaded, never shown on the portal's origin; pages show
# internal renditions (assets:preview-image) instead of any original.
DOWNLOAD_CONTENT_TYPES = {**RASTER_CONTENT_TYPES, "SVG": "application/octet-stream"}
# How the asset page mocks up where each size lands; circle presets show as a profile circle
# and anything not named here as the plain image.
MOCKS = {
    "linkedin-banner": "profile-banner",
    "x-header": "profile-banner",
    "mastodon-bluesky-header": "profile-banner",
    "facebook-cover": "profile-banner",
    "video-background": "video-call",
    "zoom-background-720p": "video-call",
    "teams-background": "video-call",
}


def visible_assets(user: AbstractBaseUser) -> QuerySet[Asset]:
    """Marketing sees every status; everybody else sees what is published today."""
    if user.has_perm("assets.change_asset"):
        return Asset.objects.all()
    return Asset.objects.published()


def _browse(
    request: HttpRequest, assets: QuerySet[Asset], template: str, **context
) -> HttpResponse:
    filters = AssetFilterForm(request.GET)
    # The cards' thumbnails in one query; Asset.served_renditions picks from these.
    thumbnails = Rendition.objects.filter(
        status=Rendition.Status.READY, preset__in=["thumbnail", "thumbnail-2x"]
    )
    assets = filters.filter(assets.select_related("collection")).prefetch_related(
        Prefetch("renditions", queryset=thumbnails)
    )
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
    if asset.renditions_missing():
        # A change the sweep has not seen yet (admin, migration, deploy): heal it now,
        # so the page has something to wait for.
        renditions_request(asset=asset)
    renditions = asset.renditions_by_preset()
    ready = {p.slug: served for p, _, served in renditions if served}
    context = {
        "asset": asset,
        "renditions": renditions,
        "any_ready": bool(ready),
        "any_pending": any(
            not made or made.status == Rendition.Status.PENDING for _, made, _ in renditions
        ),
        "any_failed": any(
            made and made.status == Rendition.Status.FAILED for _, made, _ in renditions
        ),
        "low_resolution": [p for p, made, _ in renditions if made and made.low_resolution],
        "previews": _previews(renditions),
        # The overlay an employee may put over their own photo in the browser.
        "frame": next((p for p, _, _ in renditions if p.overlay and p.slug in ready), None),
    }
    return render(request, "assets/detail.html", context)


def _previews(renditions: list[tuple[Preset, Rendition | None, Rendition | None]]) -> list[dict]:
    return [_preview(preset, served) for preset, _, served in renditions if served]


def _preview(preset: Preset, made: Rendition) -> dict:
    """One platform mock on the asset page, with its safe zone in output pixels for an SVG."""
    zone = preset.safe_zone
    outline = zone.outline(preset.width, preset.height)
    if preset.overlay:
        mock = "frame"
    elif preset.shown_as_circle:
        mock = "circle"
    else:
        mock = MOCKS.get(preset.slug, "plain")
    return {"preset": preset, "made": made, "mock": mock, "zone": zone.shape, "outline": outline}


@require_GET
@never_cache
@role_required("assets.view_asset")
def rendition_status(request: HttpRequest, slug: str) -> JsonResponse:
    """Each size's status, and its table row as HTML, for the asset page to poll."""
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    may_manage = request.user.has_perm("assets.change_asset")
    rows = []
    for preset, made, served in asset.renditions_by_preset():
        status = made.status if made else Rendition.Status.PENDING
        context = {"asset": asset, "preset": preset, "made": made, "served": served}
        rows.append(
            {
                "preset": preset.slug,
                "status": status,
                # The reason is for marketing, as on the page itself.
                "error": made.error if made and may_manage else "",
                "row": render_to_string("assets/snippets/rendition_row.html", context, request),
            }
        )
    done = all(row["status"] != Rendition.Status.PENDING for row in rows)
    # The portal's own previews, so the open page can swap its placeholders for them.
    served = asset.served_renditions()
    images = {p.slug: asset.preview_url(p.slug, served) for p in internal_presets()}
    answer = {"done": done, "renditions": rows, "images": {k: v for k, v in images.items() if v}}
    if done:
        answer["previews"] = render_to_string(
            "assets/snippets/previews.html",
            {"asset": asset, "previews": _previews(asset.renditions_by_preset())},
            request,
        )
    return JsonResponse(answer)


@require_GET
@role_required("assets.view_asset")
def original(request: HttpRequest, slug: str) -> FileResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    return _download(asset.original, asset.download_name, DOWNLOAD_CONTENT_TYPES[asset.format])


@require_GET
@role_required("assets.view_asset")
def rendition(request: HttpRequest, slug: str, preset: str) -> FileResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("This size is not ready yet.")
    return _download(made.file, made.download_name, RASTER_CONTENT_TYPES[made.format])


def _internal(slug: str) -> bool:
    try:
        return get_preset(slug).internal
    except KeyError:
        return False


def _download(file, filename: str, content_type: str) -> FileResponse:
    # The same URL and response for everyone: nothing in it names who downloads.
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@require_GET
@role_required("assets.view_asset")
def rendition_zip(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    ready = [made for made in asset.served_renditions().values() if not _internal(made.preset)]
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
    """The asset's page preview (a small internal rendition, never the original)."""
    return preview_image(request, slug, "preview")


@require_GET
@role_required("assets.view_asset")
def preview_image(request: HttpRequest, slug: str, preset: str) -> FileResponse:
    """One of the portal's own thumbnails or previews, or the small copy of a platform size
    for its mock, shown inline (never the original, never a full download)."""
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    made = asset.served_rendition(preset)
    # Internal presets are shown as they are; a platform size only through its small copy.
    if made is None or not (_internal(preset) or made.display):
        raise Http404("No such preview is ready.")
    file, format = (
        (made.file, made.format) if _internal(preset) else (made.display, made.display_format)
    )
    response = FileResponse(file.open("rb"), content_type=RASTER_CONTENT_TYPES[format])
    # The URL carries the recipe (?v=), so a long private cache is safe.
    response["Cache-Control"] = "private, max-age=86400"
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
    # The drag-and-drop page posts one file per request and asks for JSON; the plain form
    # (no JavaScript) gets HTML. Same form, same service, same refusals.
    wants_json = request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    added: list[Asset] = []
    refused: list[tuple[str, str, Asset | None]] = []
    if request.method == "POST" and form.is_valid():
        added, refused = _create_assets(request, form)
        if wants_json:
            return JsonResponse(
                {
                    "added": [_added(a, guessed=not form.cleaned_data["kind"]) for a in added],
                    "refused": [
                        {
                            "name": name,
                            "reason": reason,
                            "existing_url": e.get_absolute_url() if e else "",
                        }
                        for name, reason, e in refused
                    ],
                }
            )
        if added and not refused:
            messages.success(request, f"Added {len(added)} image{'s' * (len(added) != 1)}.")
            return redirect("assets:library")
    elif request.method == "POST" and wants_json:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context = {"form": form, "added": added, "refused": refused, "kinds": Asset.Kind.choices}
    return render(request, "assets/upload.html", context)


def _added(asset: Asset, *, guessed: bool) -> dict:
    return {
        "title": asset.title,
        "url": asset.get_absolute_url(),
        "kind": asset.kind,
        "kind_guessed": guessed,
        "kind_url": reverse("assets:set-kind", args=[asset.slug]),
        "kinds": [{"value": value, "label": label} for value, label in Asset.Kind.choices],
    }


@require_POST
@role_required("assets.change_asset")
def set_kind(request: HttpRequest, slug: str) -> HttpResponse:
    """One file's kind changed in the upload results (its layout rule, so its sizes)."""
    asset = get_object_or_404(Asset, slug=slug)
    form = KindForm(request.POST)
    wants_json = request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        messages.error(request, "Choose photo, logo or illustration.")
        return redirect("assets:upload")
    asset_set_kind(asset=asset, kind=form.cleaned_data["kind"])
    if wants_json:
        return JsonResponse({"kind": asset.kind, "label": asset.get_kind_display()})
    messages.success(request, f"“{asset.title}” is now a {asset.get_kind_display().lower()}.")
    return redirect("assets:library")


def _create_assets(
    request: HttpRequest, form: UploadForm
) -> tuple[list[Asset], list[tuple[str, str, Asset | None]]]:
    added: list[Asset] = []
    refused: list[tuple[str, str, Asset | None]] = []
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
    return added, refused


@role_required("assets.change_asset")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        renditions_request(asset=form.save())
        messages.success(request, "Saved.")
        return redirect(asset)
    crop_presets = [preset for preset in platform_presets() if not preset.overlay]
    context = {
        "asset": asset,
        "form": form,
        "crop_shapes": _crop_shapes(),
        "crop_presets": crop_presets,
    }
    return render(request, "assets/edit.html", context)


def _crop_shapes() -> list[list[Preset]]:
    """Presets grouped by shape: a photo's cover crop depends only on the output's shape."""
    shapes: dict[float, list[Preset]] = {}
    for preset in platform_presets():
        shapes.setdefault(round(preset.width / preset.height, 3), []).append(preset)
    return list(shapes.values())


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
