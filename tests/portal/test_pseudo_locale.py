"""No page shows English that did not come through the catalogues: a pseudo-locale crawl.

A pseudo catalogue is made from the German one's msgids (complete: test_catalogues.py), every
letter turned into an accented look-alike. Every page is then fetched as each role in that
language; any plain-ASCII word left in what a reader sees is a string nobody wrapped, unless
it is content (a title, a name, a policy's text) or a word Django itself translates.
"""

import re
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.auth.models import User
from django.utils import timezone

from assets.models import Asset, Collection, Tag
from assets.renditions.platforms import load_platforms
from assets.renditions.presets import load_presets
from guidelines.models import Guideline
from policies.models import Announcement, PolicyPage
from tests.factories import make_announcement, make_asset, make_release
from tracking.models import week_of

pytestmark = pytest.mark.django_db

PSEUDO = "qps"  # ISO 639's private-use range, as Windows names its pseudo-locale
LOOK_ALIKES = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçðéƒĝĥíĵķĺɱñóþǫŕšţúṽŵẋýžÁƁÇÐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ",
)
# Left as they are inside a msgstr: placeholders, HTML tags and entities, escapes.
KEPT = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrfix]|%[-#0 +]*\d*(?:\.\d+)?[sdrfix%]"
    r"|\{[^{}]*\}|<[^>]*>|&\w+;|\\."
)
# Words that are the same in every language here, or names of formats and brands.
UNIVERSAL = {
    "JPEG",
    "PNG",
    "SVG",
    "SVGZ",
    "WebP",
    "HEIC",
    "AVIF",
    "TIFF",
    "ZIP",
    "CSV",
    "JSON",
    "HTML",
    "HEX",
    "RGB",
    "CMYK",
    "Pantone",
    "OIDC",
    "https",
    "html",
    "KB",
    "MB",
    "GB",
    "bytes",
}


def pseudo(text: str) -> str:
    kept = KEPT.findall(text)
    parts = KEPT.split(text)
    out = [parts[0].translate(LOOK_ALIKES)]
    for keep, part in zip(kept, parts[1:], strict=True):
        out += [keep, part.translate(LOOK_ALIKES)]
    return "".join(out)


def pseudo_catalogue(source: Path, target: Path) -> None:
    """`source`'s msgids, each also its msgstr in look-alike letters, compiled to `target`."""
    english = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-obsolete", source],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    entries = []
    for entry in english.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in entry.splitlines():
            if match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
                key = match[1]
                fields[key] = match[2]
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" not in fields:
            continue
        if fields["msgid"] == "":
            entries.append(entry)  # the header: charset and plural forms
            continue
        lines = [f'msgctxt "{fields["msgctxt"]}"'] if "msgctxt" in fields else []
        lines.append(f'msgid "{fields["msgid"]}"')
        if "msgid_plural" in fields:
            lines.append(f'msgid_plural "{fields["msgid_plural"]}"')
            plural = pseudo(fields["msgid_plural"])
            lines += [f'msgstr[0] "{pseudo(fields["msgid"])}"', f'msgstr[1] "{plural}"']
        else:
            lines.append(f'msgstr "{pseudo(fields["msgid"])}"')
        entries.append("\n".join(lines))
    po = target.with_suffix(".po")
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text("\n\n".join(entries) + "\n")
    subprocess.run(["msgfmt", "-o", target, po], check=True)


@pytest.fixture
def pseudo_locale(settings, tmp_path, monkeypatch):
    # Django's own strings too (form labels, dates, the admin), so that only ours can be left.
    django_root = Path(django.__file__).parent
    catalogues = [Path(settings.BASE_DIR) / "locale", django_root / "conf" / "locale"]
    catalogues += sorted(django_root.glob("contrib/*/locale"))
    paths = []
    for number, locale in enumerate(catalogues):
        for source in locale.glob("de/LC_MESSAGES/*.po"):
            target = tmp_path / str(number) / PSEUDO / "LC_MESSAGES" / f"{source.stem}.mo"
            pseudo_catalogue(source, target)
        paths.append(tmp_path / str(number))
    settings.LOCALE_PATHS = paths
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    # The footer's picker names each language in its own words, from Django's table.
    info = {"bidi": False, "code": PSEUDO, "name": "Pseudo", "name_local": pseudo("Pseudo")}
    monkeypatch.setitem(LANG_INFO, PSEUDO, info)


class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside scripts and styles, and labelling attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.hidden = 0
        self.hidden_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Scripts and styles are not read; an element in a language of its own (the picker's
        # "Deutsch", "français") is that language on purpose.
        if tag in ("script", "style") or (tag != "html" and "lang" in dict(attrs)):
            self.hidden += 1
            self.hidden_tags.append(tag)
            return
        for name, value in attrs:
            if value and name in ("alt", "title", "aria-label", "placeholder"):
                self.texts.append(value)
            if name == "value" and tag == "input" and ("type", "submit") in attrs:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if self.hidden_tags and tag == self.hidden_tags[-1]:
            self.hidden_tags.pop()
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def content_words() -> set[str]:
    """Words of what people wrote or named: titles, names, policy and guideline texts."""
    texts = [
        *Asset.objects.values_list("title", flat=True),
        *Asset.objects.values_list("description", flat=True),
        *Asset.objects.values_list("usage_notes", flat=True),
        *Collection.objects.values_list("name", flat=True),
        *Tag.objects.values_list("name", flat=True),
        *User.objects.values_list("username", flat=True),
        *Announcement.objects.values_list("title", flat=True),
        *Announcement.objects.values_list("text", flat=True),
        *PolicyPage.objects.values_list("title", flat=True),
        *PolicyPage.objects.values_list("body", flat=True),
        *Guideline.objects.values_list("body", flat=True),
        # Where marketing's sizes and steps were read: pages cited by their own titles.
        *(platform.source for platform in load_platforms()),
        *(preset.source for preset in load_presets()),
        settings.OIDC_PROVIDER_NAME,
        # Each language named in its own language, as pickers do (the edit pages' columns).
        *(name for _, name in settings.LANGUAGES),
        settings.ALL_STAFF_EMAIL,
        *(str(policy.html) for policy in PolicyPage.objects.all()),
    ]
    return {word for text in texts for word in re.findall(r"[A-Za-z]+", text or "")}


def english_on(client, url: str) -> set[str]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=PSEUDO, follow=True)
    assert response.status_code in (200, 403, 404), url
    parser = VisibleText()
    parser.feed(response.content.decode())
    words = {word for text in parser.texts for word in re.findall(r"[A-Za-z]{2,}", text)}
    return words - content_words() - UNIVERSAL


@pytest.fixture
def portal(django_capture_on_commit_callbacks, marketer):
    """A little of everything: artwork with its sizes, guidelines, announcements, a week."""
    collection = Collection.objects.create(name="Summer campaign", slug="summer-campaign")
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_asset(title="Harbour at dawn", collection=collection, uploaded_by=marketer)
        logo = make_asset(title="Wordmark", kind=Asset.Kind.LOGO, filename="mark.png")
    photo.tags.set([Tag.objects.create(name="Seaside", slug="seaside")])
    draft = make_asset(title="Autumn teaser", status=Asset.Status.DRAFT)
    Guideline.objects.create(collection=collection, body="## Colours\n\nSea blue.")
    make_announcement(title="Summer frames", published_at=timezone.now())
    waiting = make_announcement(title="Autumn frames")
    week = week_of(timezone.localdate() - timedelta(days=7))
    make_release(week, downloads={photo: {"": 40, "linkedin-banner": 30}}, using={photo: 30})
    return {"photo": photo, "logo": logo, "draft": draft, "announcement": waiting}


def pages_for(role: str, portal: dict) -> list[str]:
    photo, draft = portal["photo"], portal["draft"]
    policy = PolicyPage.objects.first().slug
    signed_out = ["/accounts/login/", "/accounts/password-reset/", "/no-such-page/"]
    everyone = [
        "/",
        "/?q=harbour",
        photo.get_absolute_url(),
        portal["logo"].get_absolute_url(),
        "/policies/",
        f"/policies/{policy}/",
        f"/policies/{policy}/history/",
        "/collections/summer-campaign/guidelines/",
        "/collections/summer-campaign/guidelines/history/",
        "/no-such-page/",
    ]
    marketing = [
        "/library/",
        "/library/upload/",
        f"/library/{photo.slug}/edit/",
        f"/library/{draft.slug}/edit/",
        draft.get_absolute_url(),
        f"/library/{photo.slug}/delete/",
        "/announcements/",
        "/announcements/new/",
        f"/announcements/{portal['announcement'].pk}/",
        f"/announcements/{portal['announcement'].pk}/edit/",
        "/collections/summer-campaign/guidelines/edit/",
        f"/policies/{policy}/edit/",
    ]
    return {
        "signed out": signed_out,
        "employee": everyone + ["/library/"],  # the 403 page
        "marketing": everyone + marketing,
        "leadership": everyone + ["/uptake/", "/uptake/?kind=using"],
        "admin": everyone,
    }[role]


@pytest.mark.parametrize("role", ["signed out", "employee", "marketing", "leadership", "admin"])
def test_no_page_shows_a_string_that_skipped_the_catalogue(
    client, pseudo_locale, portal, role, employee, marketer, leader, staff
):
    user = {"employee": employee, "marketing": marketer, "leadership": leader, "admin": staff}
    if role in user:
        client.force_login(user[role])
    found = {url: english_on(client, url) for url in pages_for(role, portal)}
    assert {url: words for url, words in found.items() if words} == {}


def test_the_pseudo_catalogue_is_what_the_pages_use(client, pseudo_locale):
    # Guards the crawl: a page in plain English would also have no "English" left to flag
    # if the words were all content, so check one known string arrives transformed.
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=PSEUDO).content.decode()
    assert pseudo("Sign in") in page
    assert f'<html lang="{PSEUDO}" dir="ltr">' in page
