"""The interface in English, German and French: which language a person gets, and where."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_asset, upload

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CH,fr;q=0.9"}


def test_the_sign_in_page_follows_the_browsers_language(client):
    page = client.get("/accounts/login/", **GERMAN).content.decode()
    assert '<html lang="de" dir="ltr">' in page
    assert "Das Markenportal ist für Menschen, die mit uns arbeiten." in page


def test_a_language_the_portal_does_not_offer_falls_back_to_english(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "The brand portal is for people who work with us." in page


def test_the_footer_offers_every_language_in_its_own_name(client, employee):
    client.force_login(employee)
    page = client.get("/", **GERMAN).content.decode()
    assert 'action="/language/"' in page
    for code, name in (("en", "English"), ("de", "Deutsch"), ("fr", "français")):
        assert f'<option value="{code}" lang="{code}"' in page
        assert name in page


def test_the_picker_overrides_the_browsers_language_and_goes_back_to_the_page(client, employee):
    client.force_login(employee)
    response = client.post("/language/", {"language": "fr", "next": "/policies/"}, **GERMAN)
    assert response.status_code == 302
    assert response["Location"] == "/policies/"
    page = client.get("/policies/", **GERMAN).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Principes" in page


def test_the_choice_is_kept_in_the_browser_only_not_on_the_account(client, employee):
    client.force_login(employee)
    response = client.post("/language/", {"language": "de", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert settings.LANGUAGE_COOKIE_NAME not in client.session


def test_the_count_endpoint_stays_without_cookies_whatever_the_language(client, fresh_token):
    asset = make_asset()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    data = {"asset": asset.slug, "preset": "", "kind": "download", "token": fresh_token()}
    response = client.post("/count/", data, **GERMAN)
    assert response.status_code == 204
    assert not response.cookies


def test_the_error_pages_speak_the_readers_language(client, employee):
    client.force_login(employee)
    page = client.get("/no-such-page/", **FRENCH).content.decode()
    assert "Rien ici" in page
    assert "Retour aux visuels de la marque" in page


def test_an_upload_refusal_is_in_the_readers_language(client, marketer):
    client.force_login(marketer)
    response = client.post("/library/upload/", {"files": [upload("empty.png", b"")]}, **GERMAN)
    assert "die Datei ist leer" in response.content.decode()


def test_messages_after_an_action_are_in_the_readers_language(client, marketer):
    asset = make_asset(status="draft", title="Sommerkampagne")
    client.force_login(marketer)
    response = client.post(f"/library/{asset.slug}/publish/", follow=True, **FRENCH)
    assert "« Sommerkampagne » est publié : les collaborateurs le voient maintenant." in (
        response.content.decode()
    )


def test_the_scripts_strings_come_from_a_url_without_sign_in(client):
    response = client.get("/jsi18n/", **GERMAN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "Wird hochgeladen" in response.content.decode()


def test_every_page_loads_the_script_strings_before_its_own_scripts(client, employee):
    client.force_login(employee)
    page = client.get(make_asset().get_absolute_url()).content.decode()
    catalogue = page.index('<script src="/jsi18n/" defer></script>')
    assert catalogue < page.index("js/count.js")
    assert "<script>" not in page  # no inline script: the CSP stays as it is


def test_a_right_to_left_language_turns_the_page_around(client, employee, settings):
    # Hebrew as a stand-in for any right-to-left language: the portal has no catalogue for
    # it, so the text stays English, but the page declares its direction for the CSS.
    settings.LANGUAGES = [*settings.LANGUAGES, ("he", "עברית")]
    client.force_login(employee)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert '<html lang="he" dir="rtl">' in page


def test_the_stylesheets_lay_text_out_by_reading_direction_not_by_left_and_right():
    # Logical properties flip with dir="rtl"; left/right stay only for positions on a picture.
    physical = re.compile(
        r"(margin|padding|border)-(left|right)\b|text-align:\s*(left|right)|float:\s*(left|right)"
    )
    for css in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css"):
        assert not physical.findall(css.read_text()), css.name


def test_german_words_may_break_at_syllables():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    assert re.search(r"body \{[^}]*hyphens: auto", css)
