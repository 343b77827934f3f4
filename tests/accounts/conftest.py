import subprocess

import pytest

from tests.accounts.provider import (
    Provider,
    client_register,
    provider_python,
    provider_start,
    provider_venv,
)
from tests.conftest import free_port, missing_service

CALLBACK = "http://testserver/accounts/oidc/callback/"
ROLE_MAP = {"brand-marketing": "Marketing", "leadership": "Leadership", "*": "Employees"}


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    """The real provider process for the whole run, with the portal registered as a client."""
    python = provider_python()
    if python is None:
        missing_service("needs Python 3.12 or newer for oidc-provider-mock (pyenv or python3.12)")
    try:
        venv = provider_venv(python)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        missing_service(f"could not install oidc-provider-mock: {error.stderr!r}")
    port = free_port()
    process = provider_start(venv, port, tmp_path_factory.mktemp("oidc") / "provider.log")
    try:
        url = f"http://127.0.0.1:{port}"
        yield Provider(url, *client_register(url, CALLBACK))
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc(settings, identity_provider) -> Provider:
    """The portal configured for the provider, as the OIDC_* variables would."""
    settings.OIDC_ISSUER = identity_provider.url
    settings.OIDC_RP_CLIENT_ID = identity_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = identity_provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Example Corp"
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = ROLE_MAP
    return identity_provider
