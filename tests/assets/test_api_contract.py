"""The API keeps its contract: schemathesis from our own schema against a live server."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from assets.models import Collection, Tag
from assets.renditions.presets import platform_presets
from assets.renditions.rendering import renditions_make
from tests.factories import image_bytes, make_asset

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Bounded and repeatable: a fixed number of cases per operation and a fixed seed.
MAX_EXAMPLES, SEED = "25", "20261201"


def token_header(user) -> str:
    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


def token_client(user) -> Client:
    return Client(headers={"Authorization": token_header(user)})


def catalogue() -> None:
    """One asset with every size ready and a collection, one with neither."""
    summer = Collection.objects.create(name="Summer", slug="summer")
    photo = make_asset(
        title="Harbour",
        data=image_bytes("JPEG", (400, 300)),
        collection=summer,
        tags=[Tag.objects.create(name="sea", slug="sea")],
    )
    renditions_make(asset=photo)
    make_asset(
        title="Plain logo", filename="logo.png", data=image_bytes("PNG", (64, 64)), kind="logo"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_api_response_matches_the_openapi_schema(live_server, employee, tmp_path):
    catalogue()
    client = token_client(employee)
    schema = tmp_path / "schema.json"
    schema.write_bytes(client.get("/api/v1/schema/?format=json").content)
    # Named after the schema's token scheme, so schemathesis knows which header is the
    # credential when it checks that a request without it is refused.
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth.openapi.tokenAuth]\napi_key = "{token_header(employee)}"\n')
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "run",
            str(schema),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_every_link_in_the_api_is_absolute_and_a_token_downloads_each_one(db, employee):
    catalogue()
    client = token_client(employee)
    body = client.get("/api/v1/assets/").json()
    harbour = next(asset for asset in body["results"] if asset["slug"] == "harbour")
    assert [size["preset"] for size in harbour["sizes"]] == [
        p.slug for p in platform_presets("photo")
    ]
    links = [harbour[key] for key in ("url", "page", "original", "preview", "all_sizes")]
    links += [size["download"] for size in harbour["sizes"]]
    assert all(urlsplit(link)[:2] == ("http", "testserver") for link in links)
    # Everything but the asset's page, which is for people in a browser.
    for link in [link for link in links if link != harbour["page"]]:
        assert client.get(urlsplit(link).path).status_code == 200, link


def test_an_asset_lists_each_size_with_its_facts_and_download(db, employee):
    catalogue()
    body = token_client(employee).get("/api/v1/assets/harbour/").json()
    size = next(size for size in body["sizes"] if size["preset"] == "x-header")
    assert (size["width"], size["height"], size["format"]) == (1500, 500, "JPEG")
    assert size["byte_size"] > 0
    assert size["download"] == "http://testserver/assets/harbour/sizes/x-header/"
    assert body["collection"] == "summer"
    logo = token_client(employee).get("/api/v1/assets/plain-logo/").json()
    assert (logo["collection"], logo["sizes"]) == (None, [])
