"""The identity provider's discovery document: where to send people, fetch tokens and keys."""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered something that is not its configuration."""


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_configuration() -> dict:
    """The issuer's OpenID configuration, fetched when a sign-in needs it.

    Not cached: a sign-in asks twice (start and callback), rarely enough that a cache
    would only add a way to be out of date when the provider moves an endpoint.
    """
    url = f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        configuration = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OIDC discovery at %s failed: %s", url, error)
        raise ProviderUnavailable(str(error)) from error
    if not isinstance(configuration, dict) or not all(
        isinstance(configuration.get(key), str) for key in REQUIRED
    ):
        logger.warning("OIDC discovery at %s lacks one of %s", url, ", ".join(REQUIRED))
        raise ProviderUnavailable("incomplete discovery document")
    # The issuer must be the one configured, or tokens it signs would be taken as ours.
    if configuration["issuer"].rstrip("/") != settings.OIDC_ISSUER:
        logger.warning("OIDC discovery at %s names another issuer", url)
        raise ProviderUnavailable("discovery document names another issuer")
    return configuration


def provider_logout_url() -> str | None:
    """The provider's own sign-out page for this portal, if it offers one and answers."""
    try:
        endpoint = provider_configuration().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    # client_id rather than id_token_hint: the portal keeps no ID token after sign-in.
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode({'client_id': settings.OIDC_RP_CLIENT_ID})}"
