"""Spending tokens on counts: what an attacker with a script, a second browser and
forged or replayed tokens can get into a week. At most B per person, the rest a 4xx."""

import base64
import datetime
import os
import struct

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from privacypass.client import tokens_fetch
from privacypass.services import (
    SPENT_PREFIX,
    TokenRefused,
    batch_issue,
    token_redeem,
    token_week,
    week_key,
)
from tests.factories import make_asset
from tests.tokens import token_text, tokens_issue
from tracking.services import week_release
from tracking.tally import week_counts

B = 6
THIS_WEEK = token_week()
LAST_WEEK = THIS_WEEK - datetime.timedelta(weeks=1)


def _count(token: str, asset, preset: str = "") -> int:
    # A fresh client each time: no cookie, nothing that could tie two counts together.
    form = {"asset": asset.slug, "kind": "download", "preset": preset, "token": token}
    return Client().post("/count/", form).status_code


def _issued_on(day: datetime.date, *, account_id: int, count: int = B) -> list[bytes]:
    """Tokens issued on another day than today, through the issuing service itself."""
    key = week_key(token_week(day))
    return tokens_fetch(
        public_key=key.public_key,
        key_id=key.key_id,
        count=count,
        issue=lambda request: batch_issue(account_id=account_id, request=request, today=day),
    )


def _forgeries(real: bytes) -> list[bytes]:
    key = week_key(THIS_WEEK)
    nonce = os.urandom(32)
    other_input = real[:2] + nonce + real[34:130]
    return [
        os.urandom(len(real)),  # noise
        real[:-1] + bytes([real[-1] ^ 1]),  # a flipped bit in the authenticator
        other_input + real[130:],  # a new nonce on an old authenticator
        other_input + os.urandom(48),  # a guessed authenticator
        b"\x00\x02" + real[2:],  # another token type
        real[:2] + real[2:34] + os.urandom(32) + real[66:],  # another challenge
        real[:66] + os.urandom(32) + real[98:],  # an unknown key
        real[:-1],  # too short
        struct.pack("!H", 1) + nonce + real[34:66] + key.public_key[:32] + real[98:],
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_person_with_two_browsers_a_script_and_forgeries_lands_at_most_b_counts(
    real_services, employee
):
    asset = make_asset()
    sizes = ["", "linkedin-banner", "x-header", "avatar-small", "video-background", "all-sizes"]
    laptop = tokens_issue(employee)  # the first browser's week
    phone = tokens_issue(employee)  # a second browser session of the same person
    replays = laptop + phone
    statuses = []
    for attempt in range(10 * B):
        if attempt < len(laptop) + len(phone):
            token = (laptop + phone)[attempt]
        elif attempt % 2:
            token = replays[attempt % len(replays)]  # replayed, to another size
        else:
            real = base64.urlsafe_b64decode(replays[0] + "==")
            token = token_text(_forgeries(real)[attempt % 9])
        statuses.append(_count(token, asset, sizes[attempt % len(sizes)]))
    assert statuses.count(204) == B
    assert set(statuses) == {204, 400}
    assert sum(week_counts(THIS_WEEK).values()) == B


def test_a_replayed_token_is_refused_even_for_another_artwork(real_services, employee):
    token = tokens_issue(employee, count=1)[0]
    first, second = make_asset(), make_asset()
    assert (_count(token, first), _count(token, second)) == (204, 400)
    assert week_counts(THIS_WEEK) == {("download", first.pk, ""): 1}


def test_a_token_issued_by_a_portal_with_another_secret_is_refused(real_services, settings, db):
    settings.SECRET_KEY = "another portal " * 4
    foreign = _issued_on(timezone.localdate(), account_id=1, count=1)[0]
    settings.SECRET_KEY = "this portal " * 5
    with pytest.raises(TokenRefused, match="unknown or expired key"):
        token_redeem(foreign)


def test_last_weeks_token_counts_in_last_week_until_that_week_is_released(real_services, db):
    asset = make_asset(created_at=timezone.now() - datetime.timedelta(weeks=3))
    late, later = (token_text(t) for t in _issued_on(LAST_WEEK, account_id=7, count=2))
    assert _count(late, asset) == 204
    assert week_counts(LAST_WEEK) == {("download", asset.pk, ""): 1}
    assert week_counts(THIS_WEEK) == {}
    assert week_release(week=LAST_WEEK) is not None  # as the hourly task does
    assert _count(later, asset) == 400, "a published week takes no more counts"


def test_a_token_from_two_weeks_ago_is_refused(real_services, db):
    asset = make_asset()
    stale = token_text(_issued_on(THIS_WEEK - datetime.timedelta(weeks=2), account_id=7)[0])
    assert _count(stale, asset) == 400
    assert week_counts(THIS_WEEK) == {} and week_counts(LAST_WEEK) == {}


def test_the_spent_tokens_are_one_set_per_week_of_nonces_that_expires_at_a_fixed_time(
    real_services, employee, leader
):
    asset = make_asset()
    spent = [base64.urlsafe_b64decode(t + "==") for t in tokens_issue(employee, count=2)]
    spent += [base64.urlsafe_b64decode(t + "==") for t in tokens_issue(leader, count=1)]
    for token in spent:
        assert _count(token_text(token), asset) == 204
    store = redis.Redis.from_url(settings.REDIS_URL)
    name = f"{SPENT_PREFIX}{THIS_WEEK.isocalendar()[0]}-W{THIS_WEEK.isocalendar()[1]:02d}"
    assert store.smembers(name) == {token[2:34] for token in spent}
    # Until the day after the next week ends: last week's tokens are still taken then.
    end = datetime.datetime.combine(THIS_WEEK + datetime.timedelta(days=15), datetime.time())
    assert store.expiretime(name) == int(timezone.make_aware(end).timestamp())
