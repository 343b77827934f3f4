"""What a person gets from the portal, as fingerprints to compare before and after a restore.

Imported by the restore test, and run as `python -m tests.ops.restore_probe USERNAME URL...`
against the restored database, where it prints the same fingerprints as JSON.
"""

import hashlib
import io
import json
import re
import sys
import zipfile

# Made afresh for each response: the CSRF token and the Content-Security-Policy nonce.
PER_RESPONSE = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def fingerprints(client, urls: list[str]) -> dict[str, str]:
    """Each URL's status and the SHA-256 of its body; of a ZIP, of its files' names and bytes
    (each entry carries the time the ZIP was made)."""
    prints = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type") == "application/zip":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(
                    name.encode() + archive.read(name) for name in sorted(archive.namelist())
                )
        digest = hashlib.sha256(PER_RESPONSE.sub(rb"\1=''", body)).hexdigest()
        prints[url] = f"{response.status_code} {digest}"
    return prints


if __name__ == "__main__":
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=sys.argv[1]))
    print(json.dumps(fingerprints(client, sys.argv[2:])))
