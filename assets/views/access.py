"""Who may see which artwork, and how a request proves it: shared by every assets view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from assets.models import Asset


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
