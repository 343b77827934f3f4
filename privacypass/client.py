"""The client side of the tokens in Python, as static/js/count.js does it in the browser.

For the tests, the benchmark and scripts: it blinds with the `voprf` package's own
client, so every token it makes went through the real issuance, never a shortcut.
"""

import os
import struct
from collections.abc import Callable

from voprf import p384

from privacypass.services import CHALLENGE_DIGEST, NE, TOKEN_TYPE


def token_inputs(*, key_id: bytes, count: int) -> list[bytes]:
    """Fresh token inputs (RFC 9578's AuthenticatorInput): type, random nonce, the one
    challenge's digest, the key id."""
    return [
        struct.pack("!H", TOKEN_TYPE) + os.urandom(32) + CHALLENGE_DIGEST + key_id
        for _ in range(count)
    ]


def tokens_fetch(
    *, public_key: bytes, key_id: bytes, count: int, issue: Callable[[bytes], bytes | None]
) -> list[bytes]:
    """Blind `count` token inputs, have `issue` evaluate the batch (an HTTP call or the
    service itself; None when the week's budget is spent), check the server's proof and
    unblind: the finished tokens."""
    inputs = token_inputs(key_id=key_id, count=count)
    clients, blinded = zip(*(p384.Client.blind(token_input) for token_input in inputs), strict=True)
    elements = b"".join(element.serialize() for element in blinded)
    request = struct.pack("!HBH", TOKEN_TYPE, key_id[-1], len(elements)) + elements
    response = issue(request)
    if response is None:
        return []
    (length,) = struct.unpack("!H", response[:2])
    evaluated, proof = response[2 : 2 + length], response[2 + length :]
    outputs = p384.Client.finalize_batch(
        list(clients[: length // NE]),
        p384.VerifiableBatchOutput.deserialize(proof + evaluated),  # the library's order
        p384.PublicKey.deserialize(public_key),
    )
    return [token_input + output for token_input, output in zip(inputs, outputs, strict=False)]
