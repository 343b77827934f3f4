"""The server's VOPRF against RFC 9497's test vectors for P384-SHA384 in VOPRF mode.

The vectors fix the client's blind and the prover's random scalar; the `voprf` package's
evaluator draws its own, so its proofs differ from the vectors' and are checked by a
second implementation instead (the browser library, test_browser_library.py).
"""

import json
from pathlib import Path

import pytest
from voprf import p384

from privacypass.services import NE, PROOF

SUITE = json.loads((Path(__file__).parent / "rfc9497_p384_sha384_voprf.json").read_text())
VECTORS = SUITE["vectors"]


def _evaluator() -> p384.Evaluator:
    return p384.Evaluator.from_seed(bytes.fromhex(SUITE["seed"]), bytes.fromhex(SUITE["keyInfo"]))


def _hex_list(text: str) -> list[bytes]:
    return [bytes.fromhex(item) for item in text.split(",")]


def test_derive_key_pair_gives_the_rfcs_public_key():
    assert _evaluator().public_key.serialize().hex() == SUITE["pkSm"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"batch of {v['Batch']}")
def test_blind_evaluate_gives_the_rfcs_evaluated_elements(vector):
    blinded = [p384.BlindedInput.deserialize(e) for e in _hex_list(vector["BlindedElement"])]
    evaluated = _evaluator().evaluate_batch(blinded).serialize()[PROOF:]  # proof first
    elements = [evaluated[at : at + NE].hex() for at in range(0, len(evaluated), NE)]
    assert ",".join(elements) == vector["EvaluationElement"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"batch of {v['Batch']}")
def test_the_servers_own_evaluation_gives_the_rfcs_outputs(vector):
    outputs = [_evaluator().evaluate_known_input(item) for item in _hex_list(vector["Input"])]
    assert ",".join(output.hex() for output in outputs) == vector["Output"]
