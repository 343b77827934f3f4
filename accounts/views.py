"""Sign-in and sign-out: portal passwords and the company's identity provider."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_supported_language_variant
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.backends import ProviderBackend
from accounts.oidc import (
    ProviderUnavailable,
    oidc_enabled,
    provider_configuration,
    provider_logout_url,
)

logger = logging.getLogger(__name__)

PROVIDER_BACKEND = f"{ProviderBackend.__module__}.{ProviderBackend.__qualname__}"


def provider_error(request: HttpRequest, problem: str, *, status: int) -> HttpResponse:
    """A plain page saying what went wrong with a provider sign-in and what to do now."""
    context = {"problem": problem, "provider_name": settings.OIDC_PROVIDER_NAME}
    return render(request, "accounts/provider_error.html", context, status=status)


class SignInView(auth_views.LoginView):
    """The password form, after "Sign in with <company>" when the provider is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["mail_enabled"] = settings.MAIL_ENABLED
        if oidc_enabled():
            context["provider_name"] = settings.OIDC_PROVIDER_NAME
            context["admins_only"] = settings.LOCAL_SIGN_IN_ADMINS_ONLY
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email; without a mail server, a page saying it is off and why."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.MAIL_ENABLED:
            return render(request, "registration/password_reset_off.html")
        return super().dispatch(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    """Ends the portal session; after a provider sign-in, links to the provider's sign-out."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        through_provider = request.session.get(BACKEND_SESSION_KEY) == PROVIDER_BACKEND
        response = super().post(request, *args, **kwargs)
        if through_provider and oidc_enabled() and (logout_url := provider_logout_url()):
            context = {
                "provider_logout_url": logout_url,
                "provider_name": settings.OIDC_PROVIDER_NAME,
            }
            return render(request, "registration/signed_out.html", context)
        return response


class ProviderStartView(OIDCAuthenticationRequestView):
    """Sends the person to the provider's sign-in page, with state, nonce and PKCE."""

    http_method_names = ["get", "head"]  # HEAD wherever GET works, as on every page

    def __init__(self, **kwargs) -> None:
        # Not the parent's __init__: it reads the endpoint from settings; it is discovered below.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_configuration()["authorization_endpoint"]
        except ProviderUnavailable:
            return provider_error(request, "unavailable", status=502)
        return super().get(request)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back with a code; every failure gets a plain page."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        if request.GET.get("error"):
            return self.attempt_ended(request)
        if "code" in request.GET and request.GET.get("state") not in request.session.get(
            "oidc_states", {}
        ):
            # Forged, replayed, from another browser, or the session ended meanwhile.
            return provider_error(request, "expired", status=400)
        try:
            return super().get(request)
        except ProviderUnavailable:
            return provider_error(request, "unavailable", status=502)
        except requests.HTTPError as error:
            logger.warning("OIDC sign-in: the provider refused a request: %s", error)
            server_side = error.response is not None and error.response.status_code >= 500
            return provider_error(request, "unavailable" if server_side else "refused", status=502)
        except requests.RequestException as error:
            logger.warning("OIDC sign-in: the provider did not answer: %s", error)
            return provider_error(request, "unavailable", status=502)
        except (SuspiciousOperation, jwt.InvalidTokenError) as error:
            logger.warning("OIDC sign-in: the ID token was refused: %s", error)
            return self.login_failure()

    def attempt_ended(self, request: HttpRequest) -> HttpResponse:
        """The provider sent the person back without signing them in (cancelled, refused).

        Only the pending attempt its state names ends. Whoever is signed in stays signed in:
        any site can link here, and the library's own handling would sign them out.
        """
        states = request.session.get("oidc_states", {})
        if request.GET.get("state") not in states:
            return provider_error(request, "expired", status=400)
        del states[request.GET["state"]]
        request.session.modified = True
        return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        language = language_from_claim(getattr(self.request, "provider_locale", None))
        # The provider's locale claim chooses the language, unless the person already
        # picked one in the footer: that choice (the same cookie) wins.
        if language and settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def login_failure(self) -> HttpResponse:
        return provider_error(self.request, "failed", status=403)


def language_from_claim(claim: object) -> str | None:
    """The portal's language for an OIDC locale claim ("de-CH", "fr_FR"), or None."""
    if not isinstance(claim, str) or not claim:
        return None
    try:
        return get_supported_language_variant(claim.replace("_", "-").lower())
    except LookupError:
        return None
