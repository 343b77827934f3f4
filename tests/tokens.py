"""Real anonymous tokens for tests: the browser's side of issuance, run in Python."""

import base64
import hashlib

from django.test import Client
from django.urls import reverse

from privacypass.client import tokens_fetch

BATCH_REQUEST = "application/private-token-batch-request"


def token_text(token: bytes) -> str:
    """A token as the page sends it in a count: unpadded base64url."""
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def tokens_issue(user, *, count: int | None = None, client: Client | None = None) -> list[str]:
    """Fetch a batch as `user`'s browser does (the key, then one batched request) and
    return the finished tokens; fewer than asked when the week's budget is spent."""
    if client is None:
        client = Client()
        client.force_login(user)
    key = client.get(reverse("privacypass:key")).json()
    public_key = base64.urlsafe_b64decode(key["token_key"])

    def issue(request: bytes) -> bytes | None:
        response = client.post(reverse("privacypass:issue"), request, content_type=BATCH_REQUEST)
        if response.status_code == 429:
            return None
        assert response.status_code == 200, response.content
        return response.content

    tokens = tokens_fetch(
        public_key=public_key,
        key_id=hashlib.sha256(public_key).digest(),
        count=count or key["batch"],
        issue=issue,
    )
    return [token_text(token) for token in tokens]
