import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Release, week_of
from tracking.services import count_token
from tracking.tally import pending_push, week_counts

COUNT_URL = "/count/"


def _count(client, asset, *, kind="download", preset="", token=None, **extra):
    token = token or count_token(asset_slug=asset.slug, day=timezone.localdate())
    data = {"asset": asset.slug, "preset": preset, "kind": kind, "token": token}
    return client.post(COUNT_URL, data, **extra)


def _waiting() -> dict:
    """This week's numbers as they wait for the week to close."""
    return week_counts(week_of(timezone.localdate()))


def test_the_count_url_is_stable():
    assert reverse("tracking:count") == COUNT_URL


def test_a_count_adds_one_to_this_weeks_number(client, db):
    asset = make_asset()
    assert _count(client, asset).status_code == 204
    assert _count(client, asset).status_code == 204
    assert _waiting() == {("download", asset.pk, ""): 2}


def test_counts_from_two_people_with_and_without_cookies_land_in_one_number_alike(
    client, employee, leader
):
    asset = make_asset()
    responses = []
    for user in (employee, leader, None):
        client.logout()
        if user:
            client.force_login(user)
        response = _count(client, asset, preset="linkedin-banner")
        responses.append((response.status_code, response.content, sorted(response.items())))
        assert not response.cookies
    assert responses[0] == responses[1] == responses[2]
    assert _waiting() == {("download", asset.pk, "linkedin-banner"): 3}


def test_a_json_body_counts_like_a_form(client, db):
    asset = make_asset()
    token = count_token(asset_slug=asset.slug, day=timezone.localdate())
    response = client.post(
        COUNT_URL,
        {"asset": asset.slug, "kind": "using", "token": token},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert _waiting() == {("using", asset.pk, ""): 1}


def test_a_url_encoded_body_as_the_page_sends_it_counts_and_a_broken_one_does_not(client, db):
    asset = make_asset()
    token = count_token(asset_slug=asset.slug, day=timezone.localdate())
    form = urlencode(
        {"asset": asset.slug, "kind": "download", "preset": "x-header", "token": token}
    )
    encoded = "application/x-www-form-urlencoded"
    assert client.post(COUNT_URL, form, content_type=encoded).status_code == 204
    assert client.post(COUNT_URL, b"asset=\xff", content_type=encoded).status_code == 400
    assert _waiting() == {("download", asset.pk, "x-header"): 1}


def test_yesterdays_token_still_counts_but_older_ones_do_not(client, db):
    asset = make_asset()
    today = timezone.localdate()
    yesterday = count_token(asset_slug=asset.slug, day=today - datetime.timedelta(days=1))
    stale = count_token(asset_slug=asset.slug, day=today - datetime.timedelta(days=2))
    assert _count(client, asset, token=yesterday).status_code == 204
    assert _count(client, asset, token=stale).status_code == 400
    assert _waiting() == {("download", asset.pk, ""): 1}


def test_a_token_for_another_asset_does_not_count(client, db):
    asset, other = make_asset(), make_asset()
    token = count_token(asset_slug=other.slug, day=timezone.localdate())
    assert _count(client, asset, token=token).status_code == 400
    assert _waiting() == {}


@pytest.mark.parametrize(
    "field",
    [
        {"kind": "viewed"},
        {"preset": "no-such-preset"},
        {"asset": "no-such-asset"},
        # An artwork is in use as a whole: a size with it would be a second count.
        {"kind": "using", "preset": "linkedin-banner"},
    ],
)
def test_nonsense_is_refused_without_a_write(client, db, field):
    asset = make_asset()
    data = {
        "asset": asset.slug,
        "preset": "",
        "kind": "download",
        "token": count_token(asset_slug=field.get("asset", asset.slug), day=timezone.localdate()),
    } | field
    assert client.post(COUNT_URL, data).status_code == 400
    assert _waiting() == {}


def test_a_draft_is_not_counted(client, db):
    draft = make_asset(status="draft")
    assert _count(client, draft).status_code == 400
    assert _waiting() == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archived_or_deleted_artwork_stops_being_counted_at_once(client):
    archived, deleted = make_asset(), make_asset()
    deleted_id = deleted.pk
    assert _count(client, archived).status_code == 204
    assert _count(client, deleted).status_code == 204
    pending_push()  # as each web process does every second
    archived.archive()
    deleted.delete()
    assert _count(client, archived).status_code == 400
    assert _count(client, deleted).status_code == 400
    assert _waiting() == {("download", archived.pk, ""): 1, ("download", deleted_id, ""): 1}


def test_the_count_url_takes_only_posts(client, db):
    assert client.get(COUNT_URL).status_code == 405


def test_downloading_without_the_box_ticked_counts_nothing(client, employee):
    asset = make_asset()
    client.force_login(employee)
    assert client.get(asset.get_absolute_url()).status_code == 200
    download = client.get(reverse("assets:original", args=[asset.slug]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert _waiting() == {}
    assert not Release.objects.exists()
