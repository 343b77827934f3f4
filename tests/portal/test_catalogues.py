"""The German and French catalogues hold every interface string, translated and reviewed.

New strings from any branch land in the catalogues through `make messages`; this test runs
it on a copy of the project, so a string nobody translated yet fails the suite here.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from assets.renditions.platforms import texts
from assets.renditions.translated import CONTEXT

ROOT = Path(settings.BASE_DIR)
CATALOGUES = [
    f"{lang}/LC_MESSAGES/{domain}.po" for lang in ("de", "fr") for domain in ("django", "djangojs")
]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "media", "staticfiles", "__pycache__", "*.mo", ".*_cache"
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The catalogues as `make messages` leaves them, in a copy of the project."""
    if not shutil.which("xgettext") or not shutil.which("make"):
        pytest.fail("gettext's xgettext and make are needed (make setup installs gettext)")
    copy = tmp_path_factory.mktemp("messages") / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCE)
    subprocess.run(
        ["make", "--no-print-directory", "-C", copy, "messages", f"PYTHON={sys.executable}"],
        check=True,
        capture_output=True,
    )
    return copy / "locale"


def entries(po: Path, *only: str) -> str:
    """The entries `msgattrib` selects, without the header."""
    found = subprocess.run(
        ["msgattrib", "--no-wrap", *only, po], check=True, capture_output=True, text=True
    ).stdout
    return "\n\n".join(entry for entry in found.split("\n\n") if 'msgid ""\nmsgstr ""' not in entry)


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_interface_string_is_in_the_catalogue_and_translated(extracted, catalogue):
    assert entries(extracted / catalogue, "--untranslated") == ""


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_no_translation_is_fuzzy(extracted, catalogue):
    assert entries(extracted / catalogue, "--only-fuzzy") == ""


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_translation_keeps_the_placeholders_of_its_original(catalogue):
    # msgfmt --check refuses a %(name)s that the English has and the translation lost.
    subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", ROOT / "locale" / catalogue], check=True
    )


def msgids(po: Path) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', entries(po), flags=re.M))


def test_the_committed_catalogues_hold_no_string_the_code_no_longer_has(extracted):
    # New strings fail the tests above; a string removed from the code would linger here.
    for catalogue in CATALOGUES:
        assert msgids(ROOT / "locale" / catalogue) - msgids(extracted / catalogue) == set()


def test_the_platform_data_is_in_the_catalogues(extracted):
    # makemessages does not read JSON: assets' makemessages adds platforms.json's and
    # presets.json's phrases, so each is translated (and checked above) like any string.
    for catalogue in ("de/LC_MESSAGES/django.po", "fr/LC_MESSAGES/django.po"):
        found = re.findall(
            rf'^msgctxt "{CONTEXT}"\nmsgid "(.*)"$', entries(extracted / catalogue), re.M
        )
        assert {json.dumps(text, ensure_ascii=False)[1:-1] for text, _ in texts()} == set(found)
