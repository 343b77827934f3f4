"""The vendored browser library (static/vendor/privacypass/) run by Node: the RFC 9497
P384-SHA384 VOPRF vectors, the portal server's real answers, and the token framing."""

import hashlib
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from privacypass.services import (
    CHALLENGE_DIGEST,
    ISSUER_NAME,
    TOKEN_TYPE,
    batch_issue,
    token_challenge,
    token_week,
    week_key,
)
from tests.conftest import missing_service

HERE = Path(__file__).parent
BUNDLE = Path(settings.BASE_DIR) / "static" / "vendor" / "privacypass" / "privacypass.min.js"
SUITE = json.loads((HERE / "rfc9497_p384_sha384_voprf.json").read_text())
BATCH = SUITE["vectors"][2]  # the batch of two


@pytest.fixture(scope="module")
def library():
    node = shutil.which("node")
    if not node:
        missing_service(
            "needs Node.js to run the vendored browser library (apt-get install nodejs)"
        )
    # The vectors' blinded elements are the same whatever the key: the portal evaluates them.
    key = week_key(token_week())
    blinded = b"".join(bytes.fromhex(item) for item in BATCH["BlindedElement"].split(","))
    request = struct.pack("!HBH", TOKEN_TYPE, key.key_id[-1], len(blinded)) + blinded
    response = batch_issue(account_id=1, request=request)
    nonce = os.urandom(32)
    token_input = struct.pack("!H", TOKEN_TYPE) + nonce + CHALLENGE_DIGEST + key.key_id
    job = {
        "bundle": str(BUNDLE),
        "suite": SUITE,
        "portal": {
            "public_key": key.public_key.hex(),
            "response": response.hex(),
            "blinds": BATCH["Blind"],
            "inputs": BATCH["Input"],
        },
        "token": {
            "type": TOKEN_TYPE,
            "issuer_name": ISSUER_NAME,
            "nonce": nonce.hex(),
            "digest": CHALLENGE_DIGEST.hex(),
            "key_id": key.key_id.hex(),
            "authenticator": key.evaluator.evaluate_known_input(token_input).hex(),
        },
    }
    ran = subprocess.run(
        [node, str(HERE / "check_library.mjs")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {"result": json.loads(ran.stdout), "key": key, "token_input": token_input, **job}


def test_the_library_derives_the_rfcs_key_pair(library):
    assert library["result"]["skSm"] == SUITE["skSm"]
    assert library["result"]["pkSm"] == SUITE["pkSm"]


@pytest.mark.parametrize("index", range(len(SUITE["vectors"])))
def test_the_library_blinds_evaluates_proves_and_finalizes_as_the_rfc_says(library, index):
    vector, computed = SUITE["vectors"][index], library["result"]["vectors"][index]
    assert computed["BlindedElement"] == vector["BlindedElement"]
    assert computed["EvaluationElement"] == vector["EvaluationElement"]
    assert computed["proof"] == vector["Proof"]["proof"]
    assert computed["Output"] == vector["Output"]


def test_the_library_accepts_the_portals_batch_proof_and_gets_the_portals_outputs(library):
    key = library["key"]
    expected = [
        key.evaluator.evaluate_known_input(bytes.fromhex(i)) for i in BATCH["Input"].split(",")
    ]
    assert library["result"]["portal_outputs"] == ",".join(output.hex() for output in expected)


def test_the_library_refuses_the_portals_answer_checked_against_another_key(library):
    assert library["result"]["other_key"] == "proof failed"


def test_the_library_frames_the_challenge_and_the_token_as_the_server_reads_them(library):
    assert library["result"]["challenge"] == token_challenge().hex()
    assert hashlib.sha256(token_challenge()).digest() == CHALLENGE_DIGEST
    authenticator = bytes.fromhex(library["token"]["authenticator"])
    assert library["result"]["token"] == (library["token_input"] + authenticator).hex()
