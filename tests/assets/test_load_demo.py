import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from assets.management.commands.load_demo import demo_assets
from assets.models import Asset, Collection, Rendition
from assets.renditions.presets import get_preset

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings, tmp_path):
    # pytest-django runs tests with DEBUG off; demo data is for DEBUG on. The kept passwords go
    # under a temporary directory, never into the checkout's var/.
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+)\s+(\S+)\s+\(", output, re.MULTILINE))


def test_demo_data_gives_each_role_a_user_whose_printed_password_works(debug, client, capsys):
    call_command("load_demo")
    passwords = printed_passwords(capsys.readouterr().out)
    assert set(passwords) == {"employee", "marketing", "leadership", "admin"}
    for username, password in passwords.items():
        # django-axes checks every sign-in against its request.
        assert client.login(request=HttpRequest(), username=username, password=password)
    assert Collection.objects.count() == 3
    assert Asset.objects.count() == 9
    assert Asset.objects.published().count() == 8


def test_the_demo_looks_like_a_brand_a_logo_banners_a_poster_photos_and_a_frame(
    debug, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    kinds = sorted(Asset.objects.values_list("kind", "format"))
    assert kinds.count(("logo", "SVG")) == kinds.count(("logo", "PNG")) == 1
    assert kinds.count(("illustration", "JPEG")) == 3  # two banners and the poster
    assert kinds.count(("photo", "JPEG")) == 3
    assert kinds.count(("frame", "PNG")) == 1
    assert not Asset.objects.filter(usage_notes="").exists()
    assert not Asset.objects.filter(tags=None).exists()
    assert not Rendition.objects.exclude(status=Rendition.Status.READY).exists()


def test_the_demo_is_the_same_bytes_every_time(debug):
    call_command("load_demo")
    first = set(Asset.objects.values_list("sha256", flat=True))
    Asset.objects.all().delete()
    call_command("load_demo")
    assert set(Asset.objects.values_list("sha256", flat=True)) == first


def test_demo_passwords_stay_the_same_until_new_ones_are_asked_for(debug, capsys):
    call_command("load_demo")
    first = printed_passwords(capsys.readouterr().out)
    call_command("load_demo")
    assert printed_passwords(capsys.readouterr().out) == first
    call_command("load_demo", "--new-passwords")
    renewed = printed_passwords(capsys.readouterr().out)
    assert set(renewed) == set(first)
    assert all(renewed[name] != first[name] for name in first)


def test_demo_data_can_be_loaded_twice_without_duplicates(debug):
    call_command("load_demo")
    call_command("load_demo")
    assert Asset.objects.count() == 9


def test_demo_users_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DEBUG is off"):
        call_command("load_demo")
    assert not Asset.objects.exists()


def test_the_demo_banners_put_employees_names_on_the_sea_never_on_the_words():
    banners = [item for item in demo_assets() if item.get("text_box")]
    assert len(banners) == 2
    for item in banners:
        text, words = item["text_box"], item["keep_box"]
        assert text["y"] >= words["y"] + words["h"]  # below the title and the tagline
        asset = Asset(width=3168, height=792, kind=item["kind"], keep_box=words, text_box=text)
        x, y, w, h = asset.text_slot(get_preset("linkedin-banner"))
        zone = get_preset("linkedin-banner").safe_zone
        assert zone.x <= x and x + w <= zone.x + zone.w  # clear of the profile photo


def test_the_demo_artwork_is_found_by_its_german_and_french_titles(debug, client, employee):
    call_command("load_demo")
    client.force_login(employee)
    german = client.get("/", {"q": "Frühlingsfahrten"}, HTTP_ACCEPT_LANGUAGE="de")
    assert "Frühlingsfahrten</mark>" in german.content.decode()
    french = client.get("/", {"q": "bannière"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Bannière traversée de nuit" in french.content.decode().replace("<mark>", "").replace(
        "</mark>", ""
    )


def test_the_demo_speaks_german_and_french_to_employees_too(debug):
    call_command("load_demo")
    for language in ("de", "fr"):
        assert not Asset.objects.filter(**{f"usage_notes_{language}": ""}).exists()
    logo = Asset.objects.get(kind=Asset.Kind.LOGO, format="SVG")
    assert (logo.ring_text_de, logo.ring_text_fr) == (
        "Segeln mit Fjordlight",
        "Naviguez avec Fjordlight",
    )
