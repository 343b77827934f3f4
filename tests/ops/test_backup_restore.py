"""The backup of docs/operations.md, restored into a fresh database and media directory:
the pages and downloads give the same bytes."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from assets.renditions.rendering import renditions_make
from tests.conftest import missing_service
from tests.factories import image_bytes, make_asset
from tests.ops.restore_probe import fingerprints

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def tools():
    for tool in ("pg_dump", "pg_restore", "rsync"):
        if not shutil.which(tool):
            missing_service(f"needs the {tool} program")


@pytest.fixture
def fresh_database(postgresql):
    """An empty database on the same server, dropped afterwards; its connection options."""
    params = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    server = {key: params[key] for key in ("host", "port", "user") if params.get(key)}
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**server, "dbname": name}
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def libpq(options: dict) -> list[str]:
    return [
        f"--host={options['host']}",
        f"--port={options['port']}",
        f"--username={options['user']}",
    ]


def test_a_restored_backup_serves_the_same_pages_and_downloads(
    tools, fresh_database, client, employee, settings, tmp_path
):
    photo = make_asset(title="Harbour", data=image_bytes("JPEG", (400, 300)))
    logo = make_asset(title="Mark", filename="logo.png", data=image_bytes("PNG", (300, 300)))
    for asset in (photo, logo):
        renditions_make(asset=asset)
    urls = [reverse("assets:home"), reverse("api:asset-list")]
    for asset in (photo, logo):
        urls += [
            asset.get_absolute_url(),
            reverse("assets:original", args=[asset.slug]),
            reverse("assets:rendition-zip", args=[asset.slug]),
            *(
                reverse("assets:rendition", args=[asset.slug, size.preset])
                for size in asset.current_renditions()
            ),
        ]
    client.force_login(employee)
    before = fingerprints(client, urls)
    assert all(value.startswith("200 ") for value in before.values())

    # The backup, as docs/operations.md writes it: the database, then the files.
    database = connection.get_connection_params()
    dump, media = tmp_path / "portal.dump", tmp_path / "restored-media"
    subprocess.run(
        ["pg_dump", "--format=custom", *libpq(database), f"--file={dump}", database["dbname"]],
        check=True,
    )
    subprocess.run(["rsync", "-a", f"{settings.MEDIA_ROOT}/", f"{media}/"], check=True)

    # The restore, into a database and a directory of their own.
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", *libpq(fresh_database),
         f"--dbname={fresh_database['dbname']}", str(dump)],
        check=True,
    )  # fmt: skip
    restored = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": "postgres://{user}@{host}:{port}/{dbname}".format(**fresh_database),
        "MEDIA_ROOT": str(media),
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.ops.restore_probe", employee.username, *urls],
        cwd=ROOT, env=restored, capture_output=True, text=True, check=True,
    )  # fmt: skip
    after = json.loads(result.stdout.splitlines()[-1])
    assert after == before
