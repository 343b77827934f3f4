"""Marketing's tools: the library, uploads, editing, versions, publishing and deleting."""

from django.contrib import messages
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from assets.forms import AssetForm, KindForm, NewVersionForm, UploadForm, VersionNoteForm
from assets.intake.validation import ImageRefused
from assets.models import MOVED_TO_DRAFT, Asset, AssetVersion, Rendition
from assets.renditions.presets import Preset, platform_presets
from assets.renditions.translated import platforms_translated
from assets.services import (
    DuplicateAsset,
    ReviewRefused,
    asset_create,
    asset_delete,
    asset_publish,
    asset_replace_file,
    asset_set_kind,
    asset_version_restore,
    renditions_request,
    renditions_retry,
)
from assets.views.access import takes_originals
from assets.views.files import DOWNLOAD_CONTENT_TYPES, file_response, file_stored
from assets.views.listing import listing_page


@require_safe
@role_required("assets.change_asset")
def library(request: HttpRequest) -> HttpResponse:
    # What changed last comes first: that is what marketing is working on.
    return listing_page(
        request,
        Asset.objects.with_review_state(),
        "assets/library.html",
        order_by=("-updated_at", "-id"),
        with_status=True,
        expiring=Asset.objects.expiring().order_by("available_until", "title"),
    )


@takes_originals
@role_required("assets.add_asset")
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    # The drag-and-drop page posts one file per request and asks for JSON; the plain form
    # (no JavaScript) gets HTML. Same form, same service, same refusals.
    wants_json = request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    added: list[Asset] = []
    refused: list[tuple[str, str, str]] = []
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
                            "existing_url": where,
                        }
                        for name, reason, where in refused
                    ],
                }
            )
        if added and not refused:
            messages.success(
                request,
                ngettext("Added %(count)s image.", "Added %(count)s images.", len(added))
                % {"count": len(added)},
            )
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
        "kind_label": asset.get_kind_display(),
        # Ready at once when the sizes are made in-process; the page shows the file itself until.
        "thumbnail": asset.preview_url("thumbnail"),
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
    if form.is_valid():
        try:
            asset_set_kind(asset=asset, kind=form.cleaned_data["kind"])
        except ImageRefused as refusal:
            form.add_error("kind", f"{str(refusal)[:1].upper()}{str(refusal)[1:]}.")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        messages.error(request, " ".join(form.errors["kind"]))
        return redirect("assets:upload")
    if wants_json:
        return JsonResponse({"kind": asset.kind, "label": asset.get_kind_display()})
    messages.success(
        request,
        _("Kind of “%(title)s” changed to %(kind)s.")
        % {"title": asset.title, "kind": asset.get_kind_display()},
    )
    return redirect("assets:library")


def _create_assets(
    request: HttpRequest, form: UploadForm
) -> tuple[list[Asset], list[tuple[str, str, str]]]:
    """The assets added, and per refused file its name, the reason and where the same file
    already is ("" if nowhere)."""
    added: list[Asset] = []
    refused: list[tuple[str, str, str]] = []
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
            refused.append((file.name, str(error), error.where_url))
        except ImageRefused as error:
            refused.append((file.name, str(error), ""))
    return added, refused


@role_required("assets.change_asset")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        # Saved with the move: published artwork never sits unapproved in a reviewed collection.
        drafted = "collection" in form.changed_data and asset.draft_unless_approved()
        renditions_request(asset=form.save())
        if drafted:
            messages.warning(request, MOVED_TO_DRAFT)
        messages.success(request, _("Saved."))
        return redirect(asset)
    context = {
        "asset": asset,
        "form": form,
        "crop_shapes": _crop_shapes(asset),
        "crop_presets": [p for p in platform_presets(asset.kind) if not p.overlay],
        "version_form": NewVersionForm(),
        "versions": asset.versions.select_related("added_by").annotate(kept_sizes=Count("sizes")),
        "platforms": platforms_translated(),
    }
    return render(request, "assets/edit.html", context)


@takes_originals
@require_POST
@role_required("assets.change_asset")
def replace_file(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    form = NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the file of the new version."))
        return redirect("assets:edit", asset.slug)
    upload = form.cleaned_data["file"]
    was_published = asset.is_published
    try:
        asset = asset_replace_file(
            asset=asset,
            file=upload,
            filename=upload.name,
            replaced_by=request.user,
            note=form.cleaned_data["note"],
        )
    except DuplicateAsset as error:
        message = _('The new version was not taken: {reason}. <a href="{url}">See where it is</a>.')
        messages.error(request, format_html(message, reason=error, url=error.where_url))
        return redirect("assets:edit", asset.slug)
    except ImageRefused as error:
        messages.error(request, _("The new version was not taken: %(error)s.") % {"error": error})
        return redirect("assets:edit", asset.slug)
    if was_published and not asset.is_published:
        messages.warning(
            request,
            _(
                "Its collection requires review: it is a draft again until a brand lead approves "
                "the new version."
            ),
        )
    messages.success(
        request,
        _(
            "New version saved. Each size is made again; until it is ready the previous one "
            "is served. Nobody is notified."
        ),
    )
    return redirect(asset)


@require_POST
@role_required("assets.change_asset")
def restore_version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    version = get_object_or_404(AssetVersion, asset__slug=slug, pk=pk)
    try:
        asset = asset_version_restore(version=version, restored_by=request.user)
    except ImageRefused as error:
        messages.error(request, _("That version was not restored: %(error)s.") % {"error": error})
        return redirect("assets:edit", slug)
    messages.success(
        request, _("The earlier file is current again; the one it replaced is in the history.")
    )
    statuses = list(asset.current_renditions().values_list("status", flat=True))
    back, making = statuses.count(Rendition.Status.READY), statuses.count(Rendition.Status.PENDING)
    if making:
        message = ngettext(
            "%(back)d of its %(total)d sizes are back at once; %(making)d is being made again, "
            "and until it is ready an earlier one is served.",
            "%(back)d of its %(total)d sizes are back at once; %(making)d are being made again, "
            "and until each is ready an earlier one is served.",
            making,
        )
    else:
        message = ngettext(
            "%(total)d size is back at once.", "All %(total)d sizes are back at once.", back
        )
    messages.info(request, message % {"back": back, "making": making, "total": len(statuses)})
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
    try:
        asset_publish(asset=asset, by=request.user)
    except ReviewRefused as refusal:
        messages.error(request, _("Not published: %(reason)s.") % {"reason": refusal})
        return redirect(asset)
    messages.success(
        request, _("“%(title)s” is published: employees can see it now.") % {"title": asset.title}
    )
    return redirect(asset)


@require_POST
@role_required("assets.publish_asset")
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    asset.archive(by=request.user)
    messages.success(
        request, _("“%(title)s” is archived: employees no longer see it.") % {"title": asset.title}
    )
    return redirect(asset)


@require_POST
@role_required("assets.change_asset")
def retry_renditions(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    renditions_retry(asset=asset)
    messages.success(request, _("The failed sizes are being made again."))
    return redirect(asset)


@role_required("assets.delete_asset")
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    if request.method == "POST":
        asset_delete(asset=asset, by=request.user)
        messages.success(request, _("Deleted “%(title)s” and its files.") % {"title": asset.title})
        return redirect("assets:library")
    return render(request, "assets/confirm_delete.html", {"asset": asset})


@require_safe
@role_required("assets.change_asset")
def version_thumbnail(
    request: HttpRequest, slug: str, pk: int, preset: str = "thumbnail"
) -> HttpResponse:
    """A picture of an earlier file: small in the history, so versions can be told apart,
    larger (``preview``) where two are compared."""
    version = get_object_or_404(
        AssetVersion.objects.select_related("asset"), asset__slug=slug, pk=pk
    )
    made = version.picture(preset)
    if made is None:
        raise Http404("That file can no longer be shown.")
    response = HttpResponse(made.data, content_type=Asset.RASTER_CONTENT_TYPES[made.format])
    # A version's file never changes; the page is marketing's alone.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_safe
@role_required("assets.change_asset")
def version_file(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """An earlier file as it was uploaded, for marketing only."""
    version = get_object_or_404(
        AssetVersion.objects.select_related("asset"), asset__slug=slug, pk=pk
    )
    if not file_stored(version.file):
        raise Http404("That file is missing from storage.")
    extension = Asset.EXTENSIONS[version.format]
    name = f"{version.asset.slug} - {version.added_at:%Y-%m-%d %H%M}.{extension}"
    return file_response(version.file, name, DOWNLOAD_CONTENT_TYPES[version.format])


@require_POST
@role_required("assets.change_asset")
def version_note(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Marketing's note on one file of the history, the current one without ``pk``."""
    asset = get_object_or_404(Asset, slug=slug)
    form = VersionNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A note is at most 300 characters."))
        return redirect(reverse("assets:edit", args=[slug]) + "#versions")
    note = form.cleaned_data["note"]
    if pk is None:
        Asset.objects.filter(pk=asset.pk).update(file_note=note)
    else:
        get_object_or_404(asset.versions, pk=pk)
        asset.versions.filter(pk=pk).update(note=note)
    messages.success(request, _("Note saved."))
    return redirect(reverse("assets:edit", args=[slug]) + "#versions")


@require_safe
@role_required("assets.change_asset")
def compare_versions(request: HttpRequest, slug: str) -> HttpResponse:
    """Two files of one asset side by side: ``?a=`` and ``?b=`` are version ids or "current";
    by default the newest earlier file beside the current one."""
    asset = get_object_or_404(Asset, slug=slug)
    versions = list(asset.versions.select_related("added_by"))
    if not versions:
        messages.info(request, _("This artwork has only one file so far."))
        return redirect(reverse("assets:edit", args=[slug]) + "#versions")
    default_a = str(versions[0].pk)
    sides = [
        _compare_side(asset, versions, request.GET.get("a", default_a)),
        _compare_side(asset, versions, request.GET.get("b", "current")),
    ]
    # The portal's time zone and format, as in the captions below (an f-string would be UTC).
    choices = [("current", _("Current file"))] + [
        (
            str(v.pk),
            _("Added %(date)s")
            % {"date": date_format(localtime(v.added_at), "SHORT_DATETIME_FORMAT")},
        )
        for v in versions
    ]
    context = {"asset": asset, "sides": sides, "choices": choices}
    return render(request, "assets/compare_versions.html", context)


def _compare_side(asset: Asset, versions: list[AssetVersion], which: str) -> dict:
    if which != "current":
        version = next((v for v in versions if str(v.pk) == which), None)
        if version is None:
            raise Http404("No such version of this artwork.")
        return {
            "which": which,
            "label": _("Earlier file"),
            "picture": reverse("assets:version-preview", args=[asset.slug, version.pk]),
            "download": reverse("assets:version-file", args=[asset.slug, version.pk]),
            "file": version,
            "added_at": version.added_at,
            "added_by": version.added_by,
            "note": version.note,
        }
    return {
        "which": which,
        "label": _("Current file"),
        "picture": asset.preview_url("preview"),
        "download": reverse("assets:original", args=[asset.slug]),
        "file": asset,
        "added_at": asset.file_added_at,
        "added_by": asset.file_added_by,
        "note": asset.file_note,
    }
