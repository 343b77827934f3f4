"""Sign-in through a real OpenID Connect provider process, browser-less, through the real views."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

START = "/accounts/oidc/start/"


def new_sub() -> str:
    return f"person-{uuid.uuid4().hex}"


def sign_in(client, provider, sub: str, claims: dict | None = None, start: str = START):
    """The whole code flow: the portal's redirect, the provider's page, the callback."""
    provider.set_user(sub, claims or {})
    authorize = client.get(start)
    assert authorize.status_code == 302
    back = urlsplit(provider.approve(authorize["Location"], sub))
    return client.get(f"{back.path}?{back.query}")


def test_a_person_signs_in_through_the_provider_and_lands_on_the_library(client, oidc):
    sub = new_sub()
    landed = sign_in(client, oidc, sub, {"groups": ["staff-all"]})
    assert landed.status_code == 302
    assert landed["Location"] == "/"
    assert client.get("/").status_code == 200
