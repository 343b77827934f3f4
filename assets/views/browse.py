"""What employees browse: the artwork pages, their sizes' status and the portal's previews."""

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.roles import role_required
from assets.models import Asset, Rendition
from assets.renditions.platforms import Slot, name_for, shared_file_name
from assets.renditions.presets import get_preset, internal_presets
from assets.renditions.translated import platforms_translated
from assets.services import (
    renditions_request,
)
from assets.views.access import token_or_session, visible_assets
from assets.views.files import file_response, file_stored, sizes_remaking
from assets.views.listing import listing_page

RASTER_CONTENT_TYPES = Asset.RASTER_CONTENT_TYPES
SVG_PREVIEW_PRESET = Asset.SVG_PREVIEW_PRESET
FRAME_PRESET = "frame-overlay"
SIGNATURE_PRESET = "email-signature"
# How a slot's preview is sketched, by the tool it offers; any other wide file is a banner.
MOCKS = {"background": "call", "signature": "signature"}


@require_safe
@role_required("assets.view_asset")
def home(request: HttpRequest) -> HttpResponse:
    return listing_page(request, Asset.objects.published(), "assets/home.html")


@require_safe
@role_required("assets.view_asset")
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(visible_assets(request).select_related("collection"), slug=slug)
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
        "signature": ready.get(SIGNATURE_PRESET) if asset.signature_public else None,
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
            [(slot, made, _preview(slot, made) if made else None) for slot, made in slots],
        )
        for platform, slots in asset.platform_kit(ready)
    ]


def _frame_tool(asset: Asset, ready: dict[str, Rendition]) -> dict | None:
    """How the frame tool frames a photo: under an overlay file, or in a ring drawn around it."""
    filename = shared_file_name(asset.title, _("profile photo"), _("framed"), "png")
    if asset.kind == Asset.Kind.LOGO and SVG_PREVIEW_PRESET in ready:
        # The built-in ring: drawn in the browser, so the mark and the ring text stay sharp.
        return {"mode": "ring", "preset": SVG_PREVIEW_PRESET, "filename": filename}
    overlay = FRAME_PRESET if asset.kind == Asset.Kind.FRAME else "avatar-frame"
    return (
        {"mode": "overlay", "preset": overlay, "filename": filename} if overlay in ready else None
    )


def _personal_sizes(asset: Asset, ready: dict[str, Rendition]) -> list[dict]:
    """The banners and backgrounds an employee may put their own name on, one per file."""
    sizes: dict[str, dict] = {}
    platforms = platforms_translated()
    for platform, slots in asset.platform_kit(ready):
        for slot, made in slots:
            if made and slot.personal in ("banner", "background"):
                entry = sizes.setdefault(
                    slot.preset.slug,
                    {
                        "preset": slot.preset,
                        "names": [],
                        "zone": ",".join(str(part) for part in asset.text_slot(slot.preset)),
                        "filename": name_for(
                            slot.preset.slug,
                            "jpg",
                            title=asset.title,
                            platforms=platforms,
                            platform=platform.slug,
                        ),
                    },
                )
                entry["names"].append(f"{platform.name} {slot.name}")
    return list(sizes.values())


def _preview(slot: Slot, made: Rendition) -> dict:
    """How a slot shows its file: in a sketch of the place it lands (a round photo beside a
    name, a banner behind a profile, a call with someone in front), and the safe zone in
    output pixels, drawn over it on demand."""
    preset = slot.preset
    mock = "avatar" if preset.shown_as_circle else MOCKS.get(slot.personal, "banner")
    zone = preset.safe_zone
    return {
        "made": made,
        "mock": mock,
        "zone": zone.shape,
        "outline": zone.outline(preset.width, preset.height),
    }


@require_safe
@never_cache
@role_required("assets.view_asset")
def rendition_status(request: HttpRequest, slug: str) -> JsonResponse:
    """Each size's status, and its table row as HTML, for the asset page to poll."""
    asset = get_object_or_404(visible_assets(request), slug=slug)
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


def _internal(slug: str) -> bool:
    try:
        return get_preset(slug).internal
    except KeyError:
        return False


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
    asset = get_object_or_404(visible_assets(request), slug=slug)
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("No such preview is ready.")
    # A heavy platform size is shown through its small copy; the rest as they are.
    file, format = (made.display, made.display_format) if made.display else (made.file, made.format)
    if not file_stored(file):
        return sizes_remaking(request, asset, [made])
    name = f"{asset.slug}-{preset}.{Asset.EXTENSIONS[format]}"
    return file_response(file, name, RASTER_CONTENT_TYPES[format], inline=True)
