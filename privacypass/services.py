"""Anonymous weekly tokens: Privacy Pass (RFC 9576) with the portal as issuer and verifier.

Token type 0x0001 of RFC 9578: privately verifiable tokens from a VOPRF (RFC 9497,
P384-SHA384), evaluated by the `voprf` package. A signed-in person's browser
blinds B token inputs and gets them evaluated in one batch with one proof (the
batched issuance of the Privacy Pass working group: one TokenRequest header and
B blinded elements); it unblinds them on its own, so the tokens it later spends
cannot be told apart from anyone else's.

What the server keeps, in Redis only:
- `privacypass:issued:<week>`: ONE hash for the week, field = an HMAC of the
  account id (keyed by the week too), value = how many tokens that account has
  had. One key for everyone, so a key's idle time or expiry dates no one; it
  expires at one fixed moment after the week.
- `privacypass:spent:<week>`: ONE set of the nonces of the week's spent tokens,
  chosen by the browsers at random, so they share nothing with the hash above.

The week's key pair is derived (RFC 9497 DeriveKeyPair) from SECRET_KEY and the
ISO week, so every web process has the same key and none is stored.
"""

import datetime
import functools
import hashlib
import hmac
import struct
import threading
from dataclasses import dataclass

import redis
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from voprf import p384

TOKEN_TYPE = 0x0001  # VOPRF (P-384, SHA-384)
ISSUER_NAME = "brand-portal"
NE, NS, NK = 49, 48, 48  # a compressed P-384 point, a scalar, an output
PROOF = 2 * NS  # a DLEQ proof: the scalars c and s
NONCE, DIGEST, KEY_ID = 32, 32, 32
TOKEN_INPUT = 2 + NONCE + DIGEST + KEY_ID
TOKEN = TOKEN_INPUT + NK
ISSUED_PREFIX = "privacypass:issued:"
SPENT_PREFIX = "privacypass:spent:"
WEEK = datetime.timedelta(weeks=1)

# KEYS[1] the week's issued hash; ARGV: account field, tokens asked for, B, expiry.
_GRANT = """
local had = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local grant = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - had)
if grant <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], grant)
redis.call('EXPIREAT', KEYS[1], ARGV[4])
return grant
"""

# KEYS[1] the week's spent set; ARGV: the nonce, expiry. One command and one reply per count
# (a MULTI/EXEC pipeline costs four replies).
_SPEND = """
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
return added
"""

_clients: dict[str, tuple[redis.Redis, object, object]] = {}
# Without Redis (a laptop's single development process) the same records live here.
_local_lock = threading.Lock()
LOCAL_RECORDS: dict[str, dict] = {}


class TokenRefused(Exception):
    """A token or token request that is malformed, forged, replayed or stale."""


class TokensUnavailable(Exception):
    """Redis, which holds the budgets and the spent tokens, is out of reach: try later."""


class BudgetSpent(TokenRefused):
    """The account has had this week's tokens already."""


def _redis() -> tuple[redis.Redis, object, object]:
    """The client, the grant script and the spend script."""
    url = settings.REDIS_URL
    if url not in _clients:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        _clients[url] = (client, client.register_script(_GRANT), client.register_script(_SPEND))
    return _clients[url]


def token_week(today: datetime.date | None = None) -> datetime.date:
    """The Monday of the ISO week whose key signs today's tokens (the portal's time zone)."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    return today - datetime.timedelta(days=today.weekday())


def _week_name(week: datetime.date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


def week_expire_at(week: datetime.date, *, weeks_after: int) -> int:
    """One fixed moment for a week's key, the same whoever wrote to it last: a day after
    the end of the week `weeks_after` weeks on."""
    end = week + WEEK * weeks_after + datetime.timedelta(days=1)
    return int(timezone.make_aware(datetime.datetime.combine(end, datetime.time())).timestamp())


@dataclass(frozen=True)
class WeekKey:
    week: datetime.date
    evaluator: p384.Evaluator
    public_key: bytes  # SerializeElement(pkS), 49 bytes
    key_id: bytes  # SHA-256 of the public key (RFC 9578, section 6.5)


@functools.lru_cache(maxsize=8)
def _week_key(secret: str, week: datetime.date) -> WeekKey:
    seed = salted_hmac("privacypass.key", _week_name(week), secret=secret, algorithm="sha256")
    info = f"brand portal counts {_week_name(week)}".encode()
    evaluator = p384.Evaluator.from_seed(seed.digest(), info)
    public_key = evaluator.public_key.serialize()
    return WeekKey(week, evaluator, public_key, hashlib.sha256(public_key).digest())


def week_key(week: datetime.date) -> WeekKey:
    """The week's key pair: the same in every process, derived, never stored."""
    return _week_key(settings.SECRET_KEY, week)


def token_challenge() -> bytes:
    """The one TokenChallenge (RFC 9577) every count answers: type, issuer, no redemption
    context, no origin info. The same for everyone, so a token names nothing but its week."""
    issuer = ISSUER_NAME.encode()
    return struct.pack("!HH", TOKEN_TYPE, len(issuer)) + issuer + b"\x00" + b"\x00\x00"


CHALLENGE_DIGEST = hashlib.sha256(token_challenge()).digest()


def _account_field(*, week: datetime.date, account_id: int) -> str:
    # Keyed by the week too: the same account's fields in two weeks share nothing.
    mac = salted_hmac("privacypass.issued", f"{_week_name(week)}:{account_id}")
    return mac.hexdigest()


def _grant(*, week: datetime.date, field: str, wanted: int) -> int:
    budget = settings.TRACKING_WEEKLY_TOKENS
    key = ISSUED_PREFIX + _week_name(week)
    if settings.REDIS_URL:
        _, grant, _ = _redis()
        expiry = week_expire_at(week, weeks_after=1)
        try:
            return int(grant(keys=[key], args=[field, wanted, budget, expiry]))
        except redis.RedisError as error:
            raise TokensUnavailable("the token records are out of reach") from error
    with _local_lock:
        issued = LOCAL_RECORDS.setdefault(key, {})
        granted = max(0, min(wanted, budget - issued.get(field, 0)))
        issued[field] = issued.get(field, 0) + granted
        return granted


def batch_issue(*, account_id: int, request: bytes, today: datetime.date | None = None) -> bytes:
    """Evaluate a batch of blinded token requests for one account, within its weekly budget.

    `request`: token_type (2 bytes), truncated_token_key_id (1), then the blinded
    elements as one vector with a 2-byte length. Returns the evaluated elements as a
    vector of the same form, then one batched DLEQ proof (c, s). An account never
    gets more than TRACKING_WEEKLY_TOKENS a week in all, however many batches it asks
    for: a partial batch answers the first elements only.
    """
    key = week_key(token_week(today))
    if len(request) < 5:
        raise TokenRefused("not a batched token request")
    token_type, truncated_key_id, length = struct.unpack("!HBH", request[:5])
    blinded = request[5:]
    if token_type != TOKEN_TYPE:
        raise TokenRefused("unknown token type")
    if truncated_key_id != key.key_id[-1]:
        raise TokenRefused("not this week's key: fetch the key again")
    if length != len(blinded) or not length or length % NE:
        raise TokenRefused("malformed blinded elements")
    if length // NE > settings.TRACKING_WEEKLY_TOKENS:
        raise TokenRefused("more tokens than one week's budget")
    try:
        elements = [
            p384.BlindedInput.deserialize(blinded[at : at + NE]) for at in range(0, length, NE)
        ]
    except ValueError as error:
        raise TokenRefused("a blinded element is not a point of P-384") from error
    field = _account_field(week=key.week, account_id=account_id)
    granted = _grant(week=key.week, field=field, wanted=len(elements))
    if not granted:
        raise BudgetSpent("this account has had its tokens for this week")
    evaluated = key.evaluator.evaluate_batch(elements[:granted]).serialize()
    # The library writes the proof first; the protocol sends the elements first.
    proof, evaluated_elements = evaluated[:PROOF], evaluated[PROOF:]
    return struct.pack("!H", len(evaluated_elements)) + evaluated_elements + proof


def _spend(*, week: datetime.date, nonce: bytes) -> bool:
    key = SPENT_PREFIX + _week_name(week)
    if settings.REDIS_URL:
        _, _, spend = _redis()
        try:
            added = spend(keys=[key], args=[nonce, week_expire_at(week, weeks_after=2)])
        except redis.RedisError as error:
            # Without the spent set a token could be spent twice: refuse for now, unspent.
            raise TokensUnavailable("the spent tokens are out of reach") from error
        return added == 1
    with _local_lock:
        spent = LOCAL_RECORDS.setdefault(key, set())
        if nonce in spent:
            return False
        spent.add(nonce)
        return True


def token_redeem(token: bytes, *, today: datetime.date | None = None) -> datetime.date:
    """Spend one token; return the Monday of the week it was issued for.

    Refuses (TokenRefused) a token of another type or challenge, one signed by a key
    other than this week's or last week's (forged, or older than that), one whose
    authenticator is not the VOPRF output of its input (forged), and one whose
    nonce was spent before (replayed). Last week's tokens are accepted so a count
    made just before the week closed still counts, in that week.
    """
    if len(token) != TOKEN:
        raise TokenRefused("not a token")
    token_type = int.from_bytes(token[:2])
    token_input, authenticator = token[:TOKEN_INPUT], token[TOKEN_INPUT:]
    nonce = token[2 : 2 + NONCE]
    digest = token[2 + NONCE : 2 + NONCE + DIGEST]
    key_id = token[2 + NONCE + DIGEST : TOKEN_INPUT]
    if token_type != TOKEN_TYPE or not hmac.compare_digest(digest, CHALLENGE_DIGEST):
        raise TokenRefused("not a token for counting")
    this_week = token_week(today)
    for week in (this_week, this_week - WEEK):
        key = week_key(week)
        if hmac.compare_digest(key_id, key.key_id):
            break
    else:
        raise TokenRefused("unknown or expired key")
    expected = key.evaluator.evaluate_known_input(token_input)
    if not hmac.compare_digest(authenticator, expected):
        raise TokenRefused("the token was not issued by this portal")
    if not _spend(week=key.week, nonce=nonce):
        raise TokenRefused("the token was spent before")
    return key.week
