from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_asset
from tracking.models import Release, week_of
from tracking.tally import pending_push, week_counts

COUNT_URL = "/count/"


def _count(client, asset, token, *, kind="download", preset="", **extra):
    data = {"asset": asset.slug, "preset": preset, "kind": kind, "token": token}
    return client.post(COUNT_URL, data, **extra)


def _waiting() -> dict:
    """This week's numbers as they wait for the week to close."""
    return week_counts(week_of(timezone.localdate()))


def test_the_count_url_is_stable():
    assert reverse("tracking:count") == COUNT_URL


def test_a_count_adds_one_to_this_weeks_number(client, fresh_token):
    asset = make_asset()
    assert _count(client, asset, fresh_token()).status_code == 204
    assert _count(client, asset, fresh_token()).status_code == 204
    assert _waiting() == {("download", asset.pk, ""): 2}


def test_counts_from_two_people_with_and_without_cookies_land_in_one_number_alike(
    client, employee, leader, fresh_token
):
    asset = make_asset()
    responses = []
    for user in (employee, leader, None):
        client.logout()
        if user:
            client.force_login(user)
        response = _count(client, asset, fresh_token(), preset="linkedin-banner")
        responses.append((response.status_code, response.content, sorted(response.items())))
        assert not response.cookies
    assert responses[0] == responses[1] == responses[2]
    assert _waiting() == {("download", asset.pk, "linkedin-banner"): 3}


def test_a_json_body_counts_like_a_form(client, fresh_token):
    asset = make_asset()
    token = fresh_token()
    response = client.post(
        COUNT_URL,
        {"asset": asset.slug, "kind": "using", "token": token},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert _waiting() == {("using", asset.pk, ""): 1}


def test_a_url_encoded_body_as_the_page_sends_it_counts_and_a_broken_one_does_not(
    client, fresh_token
):
    asset = make_asset()
    token = fresh_token()
    form = urlencode(
        {"asset": asset.slug, "kind": "download", "preset": "x-header", "token": token}
    )
    encoded = "application/x-www-form-urlencoded"
    assert client.post(COUNT_URL, form, content_type=encoded).status_code == 204
    assert client.post(COUNT_URL, b"asset=\xff", content_type=encoded).status_code == 400
    assert _waiting() == {("download", asset.pk, "x-header"): 1}


def test_a_count_without_a_token_or_with_a_made_up_one_is_refused(client, fresh_token):
    asset = make_asset()
    real = fresh_token()
    made_up = real[:-8] + ("A" if real[-8] != "A" else "B") + real[-7:]
    assert _count(client, asset, "").status_code == 400
    assert _count(client, asset, "not base64 ~").status_code == 400
    assert _count(client, asset, made_up).status_code == 400
    assert _waiting() == {}


def test_a_token_counts_once(client, fresh_token):
    asset = make_asset()
    token = fresh_token()
    assert _count(client, asset, token).status_code == 204
    assert _count(client, asset, token, preset="x-header").status_code == 400
    assert _waiting() == {("download", asset.pk, ""): 1}


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
def test_nonsense_is_refused_without_a_write(client, fresh_token, field):
    asset = make_asset()
    data = {"asset": asset.slug, "preset": "", "kind": "download", "token": fresh_token()} | field
    assert client.post(COUNT_URL, data).status_code == 400
    assert _waiting() == {}


def test_a_draft_is_not_counted(client, fresh_token):
    draft = make_asset(status="draft")
    assert _count(client, draft, fresh_token()).status_code == 400
    assert _waiting() == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archived_or_deleted_artwork_stops_being_counted_at_once(client, fresh_token):
    archived, deleted = make_asset(), make_asset()
    deleted_id = deleted.pk
    assert _count(client, archived, fresh_token()).status_code == 204
    assert _count(client, deleted, fresh_token()).status_code == 204
    pending_push()  # as each web process does every second
    archived.archive()
    deleted.delete()
    assert _count(client, archived, fresh_token()).status_code == 400
    assert _count(client, deleted, fresh_token()).status_code == 400
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
