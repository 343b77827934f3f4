"""Everything the server keeps about issuance, joined with everything it keeps about
redemption, on every field and value: nothing matches.

Issuance and redemption are recorded as the server and a logging proxy would see them:
the rows and Redis entries each phase adds, and the bytes on the wire.
"""

import io

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from privacypass.client import tokens_fetch
from privacypass.services import CHALLENGE_DIGEST, NE, token_week, week_key
from tests.factories import make_asset
from tests.tokens import BATCH_REQUEST, token_text
from tracking.tally import pending_push

PEOPLE = 4
MIN_LENGTH = 8  # shorter values are the numbers of tokens and counts, which many share


def _redis_entries() -> set[tuple[bytes, bytes, bytes]]:
    store = redis.Redis.from_url(settings.REDIS_URL)
    entries = set()
    for key in store.scan_iter(count=1000):
        kind = store.type(key)
        if kind == b"hash":
            entries |= {(key, field, value) for field, value in store.hgetall(key).items()}
        elif kind == b"set":
            entries |= {(key, member, b"") for member in store.smembers(key)}
        elif kind == b"string":
            entries.add((key, b"", store.get(key)))
        else:
            entries.add((key, kind, b""))
    return entries


def _database_rows() -> set[str]:
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    return set(dump.getvalue().replace("}, {", "}\n{").splitlines())


def _snapshot() -> tuple[set, set]:
    pending_push()
    return _redis_entries(), _database_rows()


def _atoms(redis_added: set, rows_added: set, wire: list[bytes]) -> set[bytes]:
    atoms = {part for entry in redis_added for part in entry} | set(wire)
    atoms |= {row.encode() for row in rows_added}
    return {atom for atom in atoms if len(atom) >= MIN_LENGTH}


def _joined(one: set[bytes], other: set[bytes]) -> set[bytes]:
    return {a for a in one for b in other if a == b or a in b or b in a}


def _wallet(client: Client, key, wire: list[bytes]) -> list[bytes]:
    """A week's batch fetched as the page fetches it, every byte on the wire kept."""

    def issue(request: bytes) -> bytes:
        response = client.post(reverse("privacypass:issue"), request, content_type=BATCH_REQUEST)
        length = int.from_bytes(response.content[:2])
        wire.extend(request[at : at + NE] for at in range(5, len(request), NE))
        wire.extend(response.content[at : at + NE] for at in range(2, 2 + length, NE))
        wire.append(response.content[2 + length :])  # the proof
        wire.append(client.cookies[settings.SESSION_COOKIE_NAME].value.encode())
        return response.content

    return tokens_fetch(public_key=key.public_key, key_id=key.key_id, count=6, issue=issue)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_issuance_record_joins_any_redemption_record(real_services, django_user_model):
    employees = Group.objects.get(name="Employees")
    people = []
    for number in range(PEOPLE):
        person = django_user_model.objects.create_user(f"person-{number}", password="x")
        person.groups.add(employees)
        client = Client()
        client.force_login(person)
        people.append((person, client))
    asset = make_asset()
    key = week_key(token_week())

    redis_before, rows_before = _snapshot()
    issued_wire: list[bytes] = []
    wallets = []
    for person, client in people:
        answer = client.get(reverse("privacypass:key"))
        issued_wire += [answer.content, str(person.pk).encode(), person.username.encode()]

        wallets.append(_wallet(client, key, issued_wire))
    redis_issued, rows_issued = _snapshot()

    redeemed_wire: list[bytes] = []
    for wallet in reversed(wallets):
        for token in wallet[:3]:
            form = {
                "asset": asset.slug,
                "kind": "download",
                "preset": "",
                "token": token_text(token),
            }
            assert Client().post("/count/", form).status_code == 204
            redeemed_wire += [token[2:34], token[130:], token_text(token).encode()]
    redis_redeemed, rows_redeemed = _snapshot()

    assert rows_redeemed == rows_issued, "a count writes nothing to PostgreSQL"
    issuance = _atoms(redis_issued - redis_before, rows_issued - rows_before, issued_wire)
    redemption = _atoms(redis_redeemed - redis_issued, set(), redeemed_wire)
    # What every token of the week carries by design, the same for everyone: not a join.
    week_constants = {key.public_key, key.key_id, CHALLENGE_DIGEST}
    assert issuance and redemption
    assert _joined(issuance - week_constants, redemption - week_constants) == set()
    # Nor can anyone holding SECRET_KEY join them through the account: the issued hash
    # is keyed by account, and no redemption record holds anything of an account.
    issued_fields = {field for _, field, _ in redis_issued - redis_before}
    assert len(issued_fields) == PEOPLE
    assert _joined(issued_fields, redemption) == set()
