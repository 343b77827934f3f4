"""Who may see which artwork, and how a request proves it: shared by every assets view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from assets.models import Asset


def visible_assets(request: HttpRequest) -> QuerySet[Asset]:
    """Marketing and brand leads in the portal see every status; everybody else sees what
    is published today.

    So does a request signed with an API token, whoever holds it: a token reaches exactly
    what the API lists, never a draft's files, even when it is a marketer's.
    """
    signed_with_token = getattr(request, "api_token", None) is not None  # token_or_session
    # A brand lead reviews drafts on their pages, so sees every status too.
    manages = request.user.has_perm("assets.change_asset") or request.user.has_perm(
        "assets.review_asset"
    )
    if manages and not signed_with_token:
        return Asset.objects.all()
    return Asset.objects.published()


def takes_originals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that receives original files (upload, new version).

    Whoever holds its role_required permission may send it a body up to the upload limit
    instead of the small one (portal.middleware.RequestLimits reads the mark before the body).
    """
    view.takes_originals = True
    return view


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
            request.user, request.api_token = found
        return view(request, *args, **kwargs)

    return wrapper
