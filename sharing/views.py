"""Share links: marketing makes and ends them; people outside open them without an account.

An outside visitor's pages set no cookie and are never counted: no session, no CSRF cookie
(the password form is exempt, there being no session to ride on), no count script. A password,
once right, is carried in the page's download links as a signed value that ends within the
hour, not in a cookie; every request is rate-limited per link in the cache, never per address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import role_required
from assets.models import Asset
from assets.renditions.presets import platform_presets
from assets.views.files import DOWNLOAD_CONTENT_TYPES, file_response
from sharing.forms import PasswordForm, ShareLinkForm
from sharing.models import ShareLink, secret_hash
from sharing.services import share_link_create, share_link_revoke

UNLOCK_SALT = "sharing.unlocked"
UNLOCK_SECONDS = 3600
# Per link: wrong passwords in a quarter of an hour, and requests of any kind in ten minutes.
GUESS_LIMIT, GUESS_WINDOW = 5, 15 * 60
REQUEST_LIMIT, REQUEST_WINDOW = 600, 10 * 60
PAGE_PRESET = "thumbnail"


@require_safe
@role_required("sharing.view_sharelink")
def links(request: HttpRequest) -> HttpResponse:
    return _links_page(request, ShareLinkForm())


@require_POST
@role_required("sharing.add_sharelink")
def create(request: HttpRequest) -> HttpResponse:
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _links_page(request, form, status=400)
    data = form.cleaned_data
    link, secret = share_link_create(
        created_by=request.user,
        name=data["name"],
        collection=data["collection"],
        assets=data["assets"],
        days=data["days"],
        password=data["password"],
        include_sizes=data["include_sizes"],
        include_originals=data["include_originals"],
    )
    # Answered here rather than redirected: the secret is shown this once and kept nowhere.
    made = request.build_absolute_uri(link_url(secret))
    return _links_page(request, ShareLinkForm(), made=(link, made), status=201)


def _links_page(
    request: HttpRequest,
    form: ShareLinkForm,
    *,
    made: tuple[ShareLink, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    live = ShareLink.objects.live().select_related("created_by", "collection")
    context = {"form": form, "links": live, "made": made}
    return render(request, "sharing/links.html", context, status=status)


@require_POST
@role_required("sharing.change_sharelink")
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShareLink, pk=pk)
    share_link_revoke(link=link, revoked_by=request.user)
    messages.success(
        request, _("“%(name)s” is ended: the link opens nothing now.") % {"name": link}
    )
    return redirect("sharing:links")


def link_url(secret: str) -> str:
    return reverse("sharing:shared", args=[secret])


def _live_link(secret: str) -> ShareLink:
    # Unknown, ended and revoked links look the same from outside.
    link = ShareLink.objects.live().filter(secret_hash=secret_hash(secret)).first()
    if link is None:
        raise Http404("This link has ended or does not exist.")
    return link


def _spend(link: ShareLink, kind: str, window: int) -> int:
    """Count one more of ``kind`` on the link in this window and return the count so far.

    Keyed by the link only and expiring with the window: nothing names a visitor."""
    key = f"sharing:{kind}:{link.pk}"
    cache.add(key, 0, timeout=window)
    return cache.incr(key)


def _spent(link: ShareLink, kind: str, limit: int) -> bool:
    return cache.get(f"sharing:{kind}:{link.pk}", 0) >= limit


def _outside(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "sharing/too_many.html", status=429)
    response["Retry-After"] = str(GUESS_WINDOW)
    return _outside(response)


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def shared(request: HttpRequest, secret: str) -> HttpResponse:
    link = _live_link(secret)
    if _spend(link, "requests", REQUEST_WINDOW) > REQUEST_LIMIT:
        return _too_many(request)
    unlock = ""
    if link.has_password:
        form = PasswordForm(request.POST if request.method == "POST" else None)
        # Checked before the password: after the limit even the right one waits.
        if _spent(link, "guesses", GUESS_LIMIT):
            return _too_many(request)
        if not form.is_valid() or not link.password_matches(form.cleaned_data["password"]):
            if form.is_bound:
                _spend(link, "guesses", GUESS_WINDOW)
                form.add_error("password", _("That password is not right."))
            status = 403 if form.is_bound else 200
            page = render(request, "sharing/password.html", {"form": form}, status=status)
            return _outside(page)
        unlock = signing.dumps(link.pk, salt=UNLOCK_SALT)
    shown = []
    for asset in link.shared_assets().prefetch_related("renditions").order_by("title"):
        served = asset.served_renditions()
        sizes = [
            (preset, served[preset.slug])
            for preset in platform_presets(asset.kind)
            if preset.slug in served and link.include_sizes
        ]
        shown.append((asset, sizes))
    context = {"link": link, "secret": secret, "unlock": unlock, "shown": shown}
    return _outside(render(request, "sharing/shared.html", context))


def _shared_asset(
    request: HttpRequest, secret: str, slug: str
) -> tuple[ShareLink, Asset] | HttpResponse:
    """The link and one of its artworks, or the answer that stops the request."""
    link = _live_link(secret)
    if _spend(link, "requests", REQUEST_WINDOW) > REQUEST_LIMIT:
        return _too_many(request)
    if link.has_password:
        try:
            unlocked = signing.loads(
                request.GET.get("unlock", ""), salt=UNLOCK_SALT, max_age=UNLOCK_SECONDS
            )
        except signing.BadSignature:
            unlocked = None
        if unlocked != link.pk:
            return redirect("sharing:shared", secret)
    return link, get_object_or_404(link.shared_assets(), slug=slug)


@login_not_required
@require_safe
def rendition(request: HttpRequest, secret: str, slug: str, preset: str) -> HttpResponseBase:
    found = _shared_asset(request, secret, slug)
    if isinstance(found, HttpResponse):
        return found
    link, asset = found
    # The small picture on the link's own page is shown whatever files the link gives.
    if preset != PAGE_PRESET and not link.include_sizes:
        raise Http404("This link does not give the sizes.")
    made = asset.served_rendition(preset)
    if made is None:
        raise Http404("This size is not ready yet.")
    content_type = Asset.RASTER_CONTENT_TYPES[made.format]
    inline = preset == PAGE_PRESET
    return _outside(file_response(made.file, made.download_name, content_type, inline=inline))


@login_not_required
@require_safe
def original(request: HttpRequest, secret: str, slug: str) -> HttpResponseBase:
    found = _shared_asset(request, secret, slug)
    if isinstance(found, HttpResponse):
        return found
    link, asset = found
    if not link.include_originals:
        raise Http404("This link does not give the original files.")
    content_type = DOWNLOAD_CONTENT_TYPES[asset.format]
    return _outside(file_response(asset.original, asset.download_name, content_type))
