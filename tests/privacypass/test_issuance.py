"""Issuing the week's batch: signed-in employees only, CSRF-checked, B per account a week,
and the only record is one count per account in one hash for the week."""

import base64
import datetime
import hashlib

import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacypass.client import tokens_fetch
from privacypass.services import ISSUED_PREFIX, token_week
from tests.tokens import BATCH_REQUEST, tokens_issue

WEEK = token_week()
ISSUED = f"{ISSUED_PREFIX}{WEEK.isocalendar()[0]}-W{WEEK.isocalendar()[1]:02d}"


def _signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def _issue_request(client: Client, count: int) -> bytes:
    """A real batched request for `count` tokens, as the page makes it; the server's answer
    is kept, not finished."""
    key = client.get(reverse("privacypass:key")).json()
    public_key = base64.urlsafe_b64decode(key["token_key"])
    sent = []

    def keep(request: bytes) -> None:
        sent.append(request)  # and no answer, as if the budget were spent

    tokens_fetch(
        public_key=public_key,
        key_id=hashlib.sha256(public_key).digest(),
        count=count,
        issue=keep,
    )
    return sent[0]


def test_an_employee_gets_the_weeks_key_and_a_batch_of_b_tokens(employee):
    client = _signed_in(employee)
    key = client.get(reverse("privacypass:key")).json()
    assert key["token_type"] == 1 and key["batch"] == settings.TRACKING_WEEKLY_TOKENS == 6
    assert len(base64.urlsafe_b64decode(key["token_key"])) == 49
    assert len(tokens_issue(employee, client=client)) == 6


def test_the_key_is_the_same_for_everyone_this_week(employee, leader, marketer):
    keys = {
        _signed_in(user).get(reverse("privacypass:key")).json()["token_key"]
        for user in (employee, leader, marketer)
    }
    assert len(keys) == 1


def test_signed_out_people_and_people_without_a_role_get_no_tokens(client, outsider, employee):
    assert client.get(reverse("privacypass:key")).status_code == 302
    assert (
        client.post(reverse("privacypass:issue"), b"", content_type=BATCH_REQUEST).status_code
        == 302
    )
    roleless = _signed_in(outsider)
    assert roleless.get(reverse("privacypass:key")).status_code == 403
    body = _issue_request(_signed_in(outsider), 1) if False else b"\x00\x01"
    assert (
        roleless.post(reverse("privacypass:issue"), body, content_type=BATCH_REQUEST).status_code
        == 403
    )


def test_issuing_needs_the_csrf_token(employee):
    client = _signed_in(employee, enforce_csrf_checks=True)
    body = _issue_request(client, 6)
    refused = client.post(reverse("privacypass:issue"), body, content_type=BATCH_REQUEST)
    assert refused.status_code == 403
    client.get(reverse("assets:home"))  # the page sets the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    answered = client.post(
        reverse("privacypass:issue"), body, content_type=BATCH_REQUEST, HTTP_X_CSRFTOKEN=csrf
    )
    assert answered.status_code == 200


def test_a_second_device_of_the_same_person_shares_the_weeks_budget(employee):
    first = tokens_issue(employee, count=4)
    second = tokens_issue(employee)  # another browser, another session: the rest only
    third = tokens_issue(employee)
    assert (len(first), len(second), len(third)) == (4, 2, 0)


def test_a_batch_over_the_budget_or_malformed_is_refused_and_costs_nothing(employee):
    client = _signed_in(employee)
    too_many = _issue_request(client, 7)
    issue = reverse("privacypass:issue")
    assert client.post(issue, too_many, content_type=BATCH_REQUEST).status_code == 400
    good = _issue_request(client, 2)
    for broken in [b"", good[:4], good[:-1], b"\x00\x02" + good[2:], good[:5] + b"\x00" * 49 * 2]:
        assert client.post(issue, broken, content_type=BATCH_REQUEST).status_code == 400
    stale_key = good[:2] + bytes([good[2] ^ 1]) + good[3:]
    assert client.post(issue, stale_key, content_type=BATCH_REQUEST).status_code == 400
    assert len(tokens_issue(employee, client=client)) == 6


def test_redis_holds_one_hash_for_the_week_with_a_keyed_field_per_account(
    real_services, employee, leader
):
    tokens_issue(employee)
    tokens_issue(leader, count=2)
    store = redis.Redis.from_url(settings.REDIS_URL)
    assert {key.decode() for key in store.scan_iter(match="privacypass:*")} == {ISSUED}
    issued = store.hgetall(ISSUED)
    assert sorted(issued.values()) == [b"2", b"6"]
    for user in (employee, leader):
        for name in (str(user.pk), user.username):
            assert all(name.encode() not in field for field in issued)
    # One fixed moment for everyone: the day after the week ends, whoever asked last.
    end = datetime.datetime.combine(WEEK + datetime.timedelta(days=8), datetime.time())
    assert store.expiretime(ISSUED) == int(timezone.make_aware(end).timestamp())
