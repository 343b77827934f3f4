"""The kit in the reader's language: the platform cards' steps and the ZIP's names and README
come from platforms.json through the catalogues."""

import io
import re
import unicodedata
import zipfile

import pytest
from django.utils.http import content_disposition_header

from assets.renditions.platforms import UNSAFE_IN_FILE_NAMES
from tests.assets.imagegen import picture, to_bytes
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_asset(
            title="Frühlingsfahrt", data=to_bytes(picture(3000, 2000), "JPEG").getvalue()
        )


def zip_in(client, asset, language: dict) -> tuple[str, zipfile.ZipFile]:
    response = client.get(f"/assets/{asset.slug}/all-sizes.zip", **language)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return response["Content-Disposition"], archive


def test_a_german_zip_names_its_folders_and_files_in_german(client, employee, photo):
    client.force_login(employee)
    disposition, archive = zip_in(client, photo, GERMAN)
    assert disposition == content_disposition_header(True, "Frühlingsfahrt - alle Plattformen.zip")
    names = archive.namelist()
    assert "LinkedIn/Frühlingsfahrt - LinkedIn - Banner - 1584x396.jpg" in names
    assert "Facebook/Frühlingsfahrt - Facebook - Titelbild - 1640x924.jpg" in names
    assert "Videoanrufe/Frühlingsfahrt - Hintergrund für Videoanrufe - 1920x1080.jpg" in names
    readme = archive.read("README.txt").decode()
    assert "Wohin sie gehört: Ihr Banner für LinkedIn." in readme
    assert "1. Wählen Sie in Ihrem Profil Ihr Foto und dann Bearbeiten." in readme
    assert "Ihr LinkedIn-Profil öffnen: https://www.linkedin.com/in/me/" in readme
    assert "Open your LinkedIn profile" not in readme


def test_the_zips_names_are_safe_file_names_and_the_same_on_every_download(client, employee, photo):
    client.force_login(employee)
    for language in (GERMAN, FRENCH):
        names = zip_in(client, photo, language)[1].namelist()
        assert names == zip_in(client, photo, language)[1].namelist()
        for name in names:
            # What Windows refuses, and composed letters as macOS and Windows expect them.
            assert not any(UNSAFE_IN_FILE_NAMES.search(part) for part in name.split("/"))
            assert unicodedata.is_normalized("NFC", name)


def test_a_size_downloaded_in_french_is_named_in_french(client, employee, photo):
    client.force_login(employee)
    response = client.get(f"/assets/{photo.slug}/sizes/linkedin-banner/?for=linkedin", **FRENCH)
    assert response["Content-Disposition"] == content_disposition_header(
        True, "Frühlingsfahrt - LinkedIn - bannière - 1584x396.jpg"
    )


def test_an_asset_page_in_french_shows_the_how_to_steps_in_french(client, employee, photo):
    client.force_login(employee)
    page = client.get(photo.get_absolute_url(), **FRENCH).content.decode()
    steps = re.findall(r"<li>([^<]*)</li>", page)
    assert "Sur votre profil, sélectionnez votre photo, puis Modifier." in steps
    assert "Dans l’application Zoom, ouvrez Paramètres, puis Arrière-plan et effets." in steps
    assert "<strong>Photo de couverture</strong>" in page
    assert ">Ouvrir votre profil LinkedIn</a>" in page
    assert "On your profile" not in page
