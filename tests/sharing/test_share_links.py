"""Share links through the real views: marketing makes and ends them, outsiders open them."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, Collection
from assets.renditions.rendering import renditions_make
from audit.models import AuditEntry
from sharing.models import ShareLink, secret_hash
from sharing.views import GUESS_LIMIT
from tests.factories import image_bytes, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_earlier_limits():
    # The rate limits live in the cache (this run's own Redis database, or memory).
    cache.clear()


@pytest.fixture
def spring() -> Collection:
    return Collection.objects.create(name="Spring", slug="spring")


def with_sizes(**fields) -> Asset:
    asset = make_asset(data=image_bytes("JPEG", (400, 300)), **fields)
    renditions_make(asset=asset)
    return asset


def make_link(client: Client, marketer, **fields) -> str:
    """Make a link through the page, as marketing does; returns its path."""
    client.force_login(marketer)
    data = {"name": "Nordlys agency", "days": 14, "include_sizes": "on", **fields}
    response = client.post(reverse("sharing:create"), data)
    assert response.status_code == 201, response.content.decode()
    url = re.search(r">(http://testserver(/share/[^<]+))</textarea>", response.content.decode())
    client.logout()
    return url.group(2)


def test_a_marketer_shares_a_collection_and_an_outsider_sees_only_its_published_artwork(
    client, marketer, spring
):
    make_asset(title="Harbour at dawn", collection=spring)
    make_asset(title="Secret draft", collection=spring, status=Asset.Status.DRAFT)
    make_asset(title="Old ferry", collection=spring, status=Asset.Status.ARCHIVED)
    make_asset(title="Elsewhere")
    url = make_link(client, marketer, collection=spring.pk)

    outside = Client()
    response = outside.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Harbour at dawn" in html
    assert "Secret draft" not in html and "Old ferry" not in html and "Elsewhere" not in html


def test_a_share_link_sets_no_cookie_and_carries_no_count_script(client, marketer, spring):
    with_sizes(title="Harbour at dawn", collection=spring)
    url = make_link(client, marketer, collection=spring.pk)
    outside = Client()
    page = outside.get(url)
    file_url = re.search(r'href="(/share/[^"]+/sizes/[^"]+)"', page.content.decode()).group(1)
    download = outside.get(file_url)
    assert download.status_code == 200
    for response in (page, download):
        assert "Set-Cookie" not in response.headers
        assert not response.cookies
    html = page.content.decode()
    assert (
        "count.js" not in html and "privacypass" not in html and "csrfmiddlewaretoken" not in html
    )


def test_a_password_link_opens_with_the_password_and_still_sets_no_cookie(client, marketer, spring):
    with_sizes(title="Harbour at dawn", collection=spring)
    url = make_link(client, marketer, collection=spring.pk, password="tern-gull-skerry")
    outside = Client(enforce_csrf_checks=True)

    asked = outside.get(url)
    assert "Harbour at dawn" not in asked.content.decode()
    wrong = outside.post(url, {"password": "guess"})
    assert wrong.status_code == 403 and "not right" in wrong.content.decode()
    right = outside.post(url, {"password": "tern-gull-skerry"})
    html = right.content.decode()
    assert right.status_code == 200 and "Harbour at dawn" in html
    file_url = re.search(r'href="(/share/[^"]+/sizes/[^"]+)"', html).group(1).replace("&amp;", "&")
    download = outside.get(file_url)
    assert download.status_code == 200
    for response in (asked, wrong, right, download):
        assert "Set-Cookie" not in response.headers


def test_a_download_without_the_unlocked_value_goes_back_to_the_password(client, marketer, spring):
    asset = make_asset(title="Harbour at dawn", collection=spring)
    url = make_link(client, marketer, collection=spring.pk, password="tern-gull-skerry")
    response = Client().get(f"{url}{asset.slug}/sizes/linkedin-banner/?unlock=forged")
    assert response.status_code == 302 and response.url == url


def test_password_guesses_are_limited_per_link_even_the_right_one_after_the_limit(
    client, marketer, spring
):
    make_asset(title="Harbour at dawn", collection=spring)
    url = make_link(client, marketer, collection=spring.pk, password="tern-gull-skerry")
    outside = Client()
    for number in range(GUESS_LIMIT):
        assert outside.post(url, {"password": f"guess {number}"}).status_code == 403
    refused = outside.post(url, {"password": "tern-gull-skerry"})
    assert refused.status_code == 429
    assert "Harbour at dawn" not in refused.content.decode()


def test_a_revoked_link_opens_nothing_at_once(client, marketer, spring):
    make_asset(title="Harbour at dawn", collection=spring)
    url = make_link(client, marketer, collection=spring.pk)
    link = ShareLink.objects.get()
    client.force_login(marketer)
    client.post(reverse("sharing:revoke", args=[link.pk]))
    assert Client().get(url).status_code == 404


def test_making_and_ending_a_link_are_in_the_audit_log_once(client, marketer, spring):
    make_link(client, marketer, collection=spring.pk)
    link = ShareLink.objects.get()
    client.force_login(marketer)
    client.post(reverse("sharing:revoke", args=[link.pk]))
    client.post(reverse("sharing:revoke", args=[link.pk]))  # ending it again changes nothing
    entries = AuditEntry.objects.order_by("at", "id")
    assert [(e.actor_name, e.action, e.target) for e in entries] == [
        (marketer.username, AuditEntry.Action.SHARE_LINK_MADE, "Nordlys agency"),
        (marketer.username, AuditEntry.Action.SHARE_LINK_REVOKED, "Nordlys agency"),
    ]


def test_an_expired_link_opens_nothing(client, marketer, spring):
    url = make_link(client, marketer, collection=spring.pk)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(url).status_code == 404


def test_a_link_lasts_14_days_unless_told_and_never_more_than_90(client, marketer, spring):
    client.force_login(marketer)
    form = client.get(reverse("sharing:links")).content.decode()
    assert re.search(r'name="days"[^>]*value="14"', form)
    response = client.post(
        reverse("sharing:create"),
        {"name": "Too long", "days": 91, "collection": spring.pk, "include_sizes": "on"},
    )
    assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_only_the_hash_of_the_secret_is_stored(client, marketer, spring):
    url = make_link(client, marketer, collection=spring.pk)
    secret = url.strip("/").split("/")[-1]
    link = ShareLink.objects.get()
    assert len(secret) >= 40
    assert link.secret_hash == secret_hash(secret) and secret not in link.secret_hash


def test_chosen_artwork_is_shared_and_a_later_draft_of_it_disappears(client, marketer):
    chosen = make_asset(title="Harbour at dawn")
    make_asset(title="Not chosen")
    url = make_link(client, marketer, assets=[chosen.pk])
    assert "Not chosen" not in Client().get(url).content.decode()
    chosen.status = Asset.Status.DRAFT
    chosen.save()
    assert "Harbour at dawn" not in Client().get(url).content.decode()
    original = Client().get(f"{url}{chosen.slug}/original/")
    assert original.status_code == 404


def test_a_link_gives_originals_only_when_marketing_ticked_them(client, marketer, spring):
    asset = make_asset(title="Harbour at dawn", collection=spring)
    sizes_only = make_link(client, marketer, collection=spring.pk)
    assert Client().get(f"{sizes_only}{asset.slug}/original/").status_code == 404
    both = make_link(client, marketer, collection=spring.pk, include_originals="on")
    original = Client().get(f"{both}{asset.slug}/original/")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == asset.original.open("rb").read()


def test_a_link_that_gives_no_files_is_refused(client, marketer, spring):
    client.force_login(marketer)
    response = client.post(
        reverse("sharing:create"), {"name": "Nothing", "days": 14, "collection": spring.pk}
    )
    assert response.status_code == 400 and not ShareLink.objects.exists()


def test_marketing_sees_every_live_link_with_who_made_it_and_when_it_ends(client, marketer, spring):
    make_link(client, marketer, collection=spring.pk, name="Nordlys agency")
    make_link(client, marketer, collection=spring.pk, name="Ended one")
    ShareLink.objects.filter(name="Ended one").update(revoked_at=timezone.now())
    client.force_login(marketer)
    html = client.get(reverse("sharing:links")).content.decode()
    ends = ShareLink.objects.get(name="Nordlys agency").expires_at
    assert "Nordlys agency" in html and "mark" in html
    assert timezone.localtime(ends).strftime("%-d %b %Y") in html
    assert "Ended one" not in html


@pytest.mark.parametrize("role", ["employee", "leader", "outsider"])
def test_no_other_role_sees_or_makes_share_links(request, client, role, spring):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("sharing:links")).status_code == 403
    created = client.post(
        reverse("sharing:create"),
        {"name": "Mine", "days": 14, "collection": spring.pk, "include_sizes": "on"},
    )
    assert created.status_code == 403 and not ShareLink.objects.exists()


def test_the_contractors_page_says_what_a_share_link_shows(client, employee):
    client.force_login(employee)
    html = client.get("/policies/contractors-and-partners/").content.decode()
    assert "Links from Marketing" in html and "sets no cookie" in html


def test_an_outsider_reads_a_share_link_in_their_language_and_its_direction(
    client, marketer, spring, settings
):
    url = make_link(client, marketer, collection=spring.pk)
    german = Client().get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de" dir="ltr">' in german
    assert "Geteiltes Bildmaterial" in german
    assert re.search(
        r"Bis \d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September"
        r"|Oktober|November|Dezember) 20\d\d mit Ihnen geteilt",
        german,
    )
    # Hebrew stands in for any right-to-left language, as on the staff pages.
    settings.LANGUAGES = [*settings.LANGUAGES, ("he", "עברית")]
    hebrew = Client().get(url, HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert '<html lang="he" dir="rtl">' in hebrew
