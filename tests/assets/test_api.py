import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from assets.models import Asset
from assets.renditions.rendering import renditions_make
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_the_api_lists_only_published_unexpired_assets(client, employee):
    make_asset(title="Live")
    make_asset(title="Draft", status=Asset.Status.DRAFT)
    make_asset(title="Archived", status=Asset.Status.ARCHIVED)
    make_asset(title="Expired", available_until=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(employee)
    body = client.get("/api/v1/assets/").json()
    assert body["count"] == 1
    assert [asset["title"] for asset in body["results"]] == ["Live"]


def test_an_unpublished_asset_is_not_found_in_the_api(client, marketer):
    draft = make_asset(status=Asset.Status.DRAFT)
    client.force_login(marketer)
    assert client.get(f"/api/v1/assets/{draft.slug}/").status_code == 404


def test_an_api_token_issued_by_an_admin_reads_the_api_without_a_session(client, employee):
    asset = make_asset(title="Logo")
    token = Token.objects.create(user=employee)
    response = client.get(
        f"/api/v1/assets/{asset.slug}/", headers={"Authorization": f"Token {token.key}"}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Logo"
    assert response.json()["original"].endswith(f"/assets/{asset.slug}/original/")


def test_a_wrong_token_is_refused(client):
    response = client.get("/api/v1/assets/", headers={"Authorization": "Token not-a-real-token"})
    assert response.status_code in (401, 403)


def test_the_api_is_paginated_by_fifty(client, employee):
    for number in range(51):
        make_asset(title=f"Asset {number}")
    client.force_login(employee)
    body = client.get("/api/v1/assets/").json()
    assert body["count"] == 51
    assert len(body["results"]) == 50
    assert body["next"].endswith("/api/v1/assets/?page=2")


def test_the_openapi_schema_describes_the_asset_endpoints(client, employee):
    client.force_login(employee)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/assets/{slug}/" in schema


FILES = ["original/", "sizes/x-header/", "all-sizes.zip", "preview/"]


def marketers_token(marketer) -> dict:
    return {"Authorization": f"Token {Token.objects.create(user=marketer).key}"}


@pytest.mark.parametrize("path", FILES)
def test_a_marketers_token_reaches_no_file_of_a_draft_though_their_browser_does(
    client, marketer, path
):
    draft = make_asset(title="Secret", status=Asset.Status.DRAFT)
    renditions_make(asset=draft)
    url = f"/assets/{draft.slug}/{path}"
    client.force_login(marketer)
    assert client.get(url).status_code == 200
    assert Client().get(url, headers=marketers_token(marketer)).status_code == 404


@pytest.mark.parametrize("path", FILES)
def test_a_marketers_token_downloads_what_the_api_lists(marketer, path):
    live = make_asset(title="Live")
    renditions_make(asset=live)
    response = Client().get(f"/assets/{live.slug}/{path}", headers=marketers_token(marketer))
    assert response.status_code == 200


def test_the_schema_declares_the_slug_pattern_its_route_matches(client, employee):
    client.force_login(employee)
    schema = client.get("/api/v1/schema/?format=json").json()
    (slug,) = schema["paths"]["/api/v1/assets/{slug}/"]["get"]["parameters"]
    assert slug["schema"]["pattern"] == "^[-a-zA-Z0-9_]+$"


@pytest.mark.parametrize("path", ["/api/v1/assets/h%C3%A4fen/", "/api/v1/nothing/", "/api/"])
def test_an_api_path_no_route_matches_gets_the_json_404_the_schema_promises(client, employee, path):
    client.force_login(employee)
    response = client.get(path)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_a_method_the_api_does_not_take_is_refused_in_json(client, employee):
    client.force_login(employee)
    response = client.generic("DELETE", "/api/v1/assets/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
