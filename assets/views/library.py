import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from storages.backends.s3 import S3Storage

from accounts.roles import role_required
from assets.forms import AssetFilterForm, AssetForm, KindForm, NewVersionForm, UploadForm
from assets.models import Asset, AssetVersion, Rendition
from assets.platforms import file_name, load_platforms, name_for
from assets.presets import Preset, get_preset, internal_presets, platform_presets
from assets.services import (
    DuplicateAsset,
    asset_create,
    asset_publish,
    asset_replace_file,
    asset_set_kind,
    asset_version_restore,
    renditions_remake,
    renditions_request,
    renditions_retry,
)
from assets.validation import ImageRefused

logger = logging.getLogger(__name__)

PAGE_SIZE = 24
RASTER_CONTENT_TYPES = Asset.RASTER_CONTENT_TYPES
SVG_PREVIEW_PRESET = Asset.SVG_PREVIEW_PRESET
FRAME_PRESET = "frame-overlay"
SIGNATURE_PRESET = "email-signature"
# SVG originals are only ever downloaded, never shown on the portal's origin. HEIC and TIFF
# originals, which browsers do not show, are previewed (like SVG) through a rendered square.
DOWNLOAD_CONTENT_TYPES = {
    **RASTER_CONTENT_TYPES,
    "HEIF": "image/heic",
    "TIFF": "image/tiff",
    "SVG": "application/octet-stream",
}


def visible_assets(user: AbstractBaseUser) -> QuerySet[Asset]:
    """Marketing sees every status; everybody else sees what is published today."""
    if user.has_perm("assets.change_asset"):
        return Asset.objects.all()
    return Asset.objects.published()


def token_or_session(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let an API token download what the API lists, as a signed-in browser can."""

    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed as error:
                headers = {"WWW-Authenticate": "Token"}
                return HttpResponse(str(error.detail), status=401, headers=headers)
            if found is None:
                return redirect_to_login(request.get_full_path())
            request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapper


def _browse(
    request: HttpRequest, assets: QuerySet[Asset], template: str, **context
) -> HttpResponse:
    everything = request.user.has_perm("assets.change_asset")
    filters = AssetFilterForm(request.GET, visible=None if everything else assets)
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


@require_safe
@role_required("assets.view_asset")
def home(request: HttpRequest) -> HttpResponse:
    return _browse(request, Asset.objects.published(), "assets/home.html")


@require_safe
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
        "kit": _platform_kit(asset, ready),
        "any_ready": bool(ready),
        "any_pending": any(
            not made or made.status == Rendition.Status.PENDING for _, made, _ in renditions
        ),
        "any_failed": any(
            made and made.status == Rendition.Status.FAILED for _, made, _ in renditions
        ),
        "low_resolution": [p for p, made, _ in renditions if made and made.low_resolution],
        "frame": _frame_tool(asset, ready),
        "personal_sizes": _personal_sizes(asset, ready),
        "signature": ready.get(SIGNATURE_PRESET),
        # Absolute: the signature is pasted into mail and read elsewhere.
        "signature_url": request.build_absolute_uri(
            reverse("assets:signature-image", args=[asset.slug])
        ),
    }
    return render(request, "assets/detail.html", context)


def _platform_kit(asset: Asset, ready: dict[str, Rendition]) -> list:
    """Per platform, each slot with its served file and how the page shows it."""
    return [
        (
            platform,
            [(slot, made, _preview(slot.preset, made) if made else None) for slot, made in slots],
        )
        for platform, slots in asset.platform_kit(ready)
    ]


def _frame_tool(asset: Asset, ready: dict[str, Rendition]) -> dict | None:
    """How the frame tool frames a photo: under an overlay file, or in a ring drawn around it."""
    if asset.kind == Asset.Kind.LOGO and SVG_PREVIEW_PRESET in ready:
        # The built-in ring: drawn in the browser, so the mark and the ring text stay sharp.
        return {"mode": "ring", "preset": SVG_PREVIEW_PRESET}
    overlay = FRAME_PRESET if asset.kind == Asset.Kind.FRAME else "avatar-frame"
    return {"mode": "overlay", "preset": overlay} if overlay in ready else None


def _personal_sizes(asset: Asset, ready: dict[str, Rendition]) -> list[dict]:
    """The banners and backgrounds an employee may put their own name on, one per file."""
    sizes: dict[str, dict] = {}
    for platform, slots in asset.platform_kit(ready):
        for slot, made in slots:
            if made and slot.personal in ("banner", "background"):
                zone = slot.preset.safe_zone
                entry = sizes.setdefault(
                    slot.preset.slug,
                    {
                        "preset": slot.preset,
                        "names": [],
                        "zone": f"{zone.x},{zone.y},{zone.w},{zone.h}",
                        "filename": name_for(slot.preset.slug, "jpg", platform=platform.slug),
                    },
                )
                entry["names"].append(f"{platform.name} {slot.name}")
    return list(sizes.values())


def _preview(preset: Preset, made: Rendition) -> dict:
    """How a slot shows its file: the safe zone in output pixels, drawn over it on demand."""
    zone = preset.safe_zone
    return {"made": made, "zone": zone.shape, "outline": zone.outline(preset.width, preset.height)}


@require_safe
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
        # The platform cards again, now with every file, for the open page to swap in.
        ready = {slug: made for slug, made in served.items() if not _internal(slug)}
        kit = {
            "asset": asset,
            "kit": _platform_kit(asset, ready),
            "frame": _frame_tool(asset, ready),
        }
        answer["previews"] = render_to_string("assets/snippets/platform_kit.html", kit, request)
    return JsonResponse(answer)


@token_or_session
@require_safe
@role_required("assets.view_asset")
def original(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    if not _stored(asset.original):
        logger.error("The original of asset %s is missing from storage.", asset.pk)
        return _file_missing(
            request,
            "The original of this artwork is missing from storage. Marketing has to "
            "upload it again; the sizes made from it can still be downloaded.",
            status=404,
        )
    return _download(asset.original, asset.download_name, DOWNLOAD_CONTENT_TYPES[asset.format])


@token_or_session
@require_safe
@role_required("assets.view_asset")
def rendition(request: HttpRequest, slug: str, preset: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("This size is not ready yet.")
    # ?for= only picks which platform's name the file gets; the bytes are the same for all.
    name = name_for(preset, made.extension, platform=request.GET.get("for", ""))
    if not _stored(made.file):
        return _remaking(request, asset, [made])
    return _download(made.file, name or made.download_name, RASTER_CONTENT_TYPES[made.format])


@require_safe
@login_not_required
def signature_image(request: HttpRequest, slug: str) -> FileResponse:
    """The email-signature banner at one address for everyone, for as long as the asset lives.

    Mail clients fetch it without a session. Marketing decides per asset whether that is
    allowed; then it is served without sign-in, cookies or counting.
    """
    asset = get_object_or_404(Asset.objects.published(), slug=slug)
    if not asset.signature_public:
        if not request.user.is_authenticated or not request.user.has_perm("assets.view_asset"):
            raise Http404("This signature image is not public.")
    made = asset.served_rendition(SIGNATURE_PRESET)
    if made is None:
        raise Http404("The signature banner is not ready yet.")
    response = FileResponse(made.file.open("rb"), content_type=RASTER_CONTENT_TYPES[made.format])
    # Short, so a changed banner reaches old mail soon; public only when marketing said so.
    visibility = "public" if asset.signature_public else "private"
    response["Cache-Control"] = f"{visibility}, max-age=3600"
    return response


def _internal(slug: str) -> bool:
    try:
        return get_preset(slug).internal
    except KeyError:
        return False


def _download(
    file: FieldFile, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponseBase:
    """The one way a stored file leaves the portal: streamed, or from S3 by a signed link.

    The same URL and response for everyone: nothing in it names who downloads. With
    S3 the web worker only signs a short-lived link; the bucket sends the bytes, as an
    attachment of the right type whatever the object's own metadata says.
    """
    if isinstance(file.storage, S3Storage):
        seconds = settings.DOWNLOAD_URL_SECONDS
        parameters = {
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
        }
        response = redirect(file.storage.url(file.name, parameters=parameters, expire=seconds))
        # Reused by the browser for a while, never past the link's own end.
        response["Cache-Control"] = f"private, max-age={seconds // 2}"
        return response
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    if inline:
        response["Cache-Control"] = "private, max-age=3600"
    return response


def _stored(file: FieldFile) -> bool:
    return bool(file.name) and file.storage.exists(file.name)


def _remaking(request: HttpRequest, asset: Asset, missing: list[Rendition]) -> HttpResponse:
    """Sizes whose files are gone: queue them again and say so, rather than fail later."""
    logger.error("%d sizes of asset %s are missing from storage.", len(missing), asset.pk)
    renditions_remake(asset=asset, renditions=missing)
    names = ", ".join(made.preset for made in missing)
    message = (
        f"The file for {names} is missing from storage, so it is being made again. "
        "Please try again in a minute."
    )
    response = _file_missing(request, message, status=503)
    response["Retry-After"] = "60"
    return response


def _file_missing(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "assets/file_missing.html", {"message": message}, status=status)


@token_or_session
@require_safe
@role_required("assets.view_asset")
def rendition_zip(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
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
    if missing := [made for _, made in files if not _stored(made.file)]:
        return _remaking(request, asset, missing)
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


@token_or_session
@require_safe
@role_required("assets.view_asset")
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The asset's page preview (a small internal rendition, never the original)."""
    return preview_image(request, slug, "preview")


@require_safe
@role_required("assets.view_asset")
def preview_image(request: HttpRequest, slug: str, preset: str) -> HttpResponse:
    """One of the portal's own thumbnails or previews, or the small copy of a platform size
    for its mock, shown inline (never the original, never a full download)."""
    asset = get_object_or_404(visible_assets(request.user), slug=slug)
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("No such preview is ready.")
    # A heavy platform size is shown through its small copy; the rest as they are.
    file, format = (made.display, made.display_format) if made.display else (made.file, made.format)
    if not _stored(file):
        return _remaking(request, asset, [made])
    name = f"{asset.slug}-{preset}.{Asset.EXTENSIONS[format]}"
    return _download(file, name, RASTER_CONTENT_TYPES[format], inline=True)


@require_safe
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
    context = {
        "asset": asset,
        "form": form,
        "crop_shapes": _crop_shapes(asset),
        "crop_presets": [p for p in platform_presets(asset.kind) if not p.overlay],
        "version_form": NewVersionForm(),
        "platforms": load_platforms(),
    }
    return render(request, "assets/edit.html", context)


@require_POST
@role_required("assets.change_asset")
def replace_file(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the file of the new version.")
        return redirect("assets:edit", asset.slug)
    upload = form.cleaned_data["file"]
    try:
        asset_replace_file(asset=asset, file=upload, filename=upload.name, replaced_by=request.user)
    except ImageRefused as error:
        messages.error(request, f"The new version was not taken: {error}.")
        return redirect("assets:edit", asset.slug)
    messages.success(
        request,
        "New version saved. Each size is made again; until it is ready the previous one "
        "is served. Nobody is notified.",
    )
    return redirect(asset)


@require_POST
@role_required("assets.change_asset")
def restore_version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    version = get_object_or_404(AssetVersion, asset__slug=slug, pk=pk)
    try:
        asset = asset_version_restore(version=version, restored_by=request.user)
    except ImageRefused as error:
        messages.error(request, f"That version was not restored: {error}.")
        return redirect("assets:edit", slug)
    messages.success(
        request, "The earlier file is current again; the one it replaced is in the history."
    )
    return redirect(asset)


def _crop_shapes(asset: Asset) -> list[list[Preset]]:
    """Presets grouped by shape: a photo's cover crop depends only on the output's shape."""
    shapes: dict[float, list[Preset]] = {}
    for preset in platform_presets(asset.kind):
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
