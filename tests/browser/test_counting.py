"""The opt-in count in Chromium: it waits in the browser, survives leaving the page, and is
withdrawn by unticking; signing out leaves nothing for the next person. Each count spends
one of the week's anonymous tokens, which every signed-in page fetches on its own."""

import base64
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import EMPLOYEES
from tracking.models import week_of
from tracking.tally import week_counts

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LATER = 21_000  # ms: past the longest random delay
OPT_IN = "Count my downloads anonymously — on every artwork, until I sign out or untick"


def _waiting() -> dict:
    return week_counts(week_of(timezone.localdate()))


def _queue(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('portal.count-queue') || '[]')")


def _tokens(page) -> list:
    stored = "JSON.parse(localStorage.getItem('portal.count-tokens') || '{}')"
    return page.evaluate(f"({stored}).tokens || []")


def _wait_for_tokens(page, count: int = 6) -> None:
    # Polled from here: the CSP forbids the eval that wait_for_function would need.
    for _ in range(200):
        if len(_tokens(page)) == count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page holds {len(_tokens(page))} tokens, not {count}")


@pytest.fixture
def asset_page(browser_as, employee, library, real_services):
    context = browser_as(employee, viewport={"width": 1200, "height": 820})
    counts = []
    context.on("request", lambda r: counts.append(r) if r.url.endswith("/count/") else None)
    page = context.new_page()
    page.clock.install()
    page.goto(library["photo"].get_absolute_url())
    _wait_for_tokens(page)
    page.get_by_label(OPT_IN).check()
    return page, counts, library["photo"]


def _download_banner(page) -> None:
    with page.expect_download():
        page.locator('a[data-count-preset="linkedin-banner"]').first.click()


def test_a_count_waits_and_is_sent_from_the_next_page_once_without_cookies(asset_page):
    page, counts, photo = asset_page
    _download_banner(page)
    _download_banner(page)  # the same size twice in a week counts once
    assert len(_queue(page)) == 1
    page.goto("/")  # leaving the page before the moment comes
    with page.expect_response(lambda r: r.url.endswith("/count/")) as sent:
        page.clock.run_for(LATER)
    assert sent.value.status == 204
    assert "cookie" not in {name.lower() for name in sent.value.request.all_headers()}
    assert _waiting() == {("download", photo.pk, "linkedin-banner"): 1}
    assert _queue(page) == [] and len(counts) == 1


def test_unticking_withdraws_counts_not_sent_yet_and_gives_their_tokens_back(asset_page):
    page, counts, _ = asset_page
    before = _tokens(page)
    _download_banner(page)
    assert len(_tokens(page)) == 5, "the waiting count holds one token"
    page.get_by_label(OPT_IN).uncheck()
    page.clock.run_for(LATER)
    assert _queue(page) == [] and counts == [] and _waiting() == {}
    assert sorted(_tokens(page)) == sorted(before)


def test_im_using_this_can_be_undone_until_sent_and_its_token_comes_back(asset_page, screenshot):
    page, counts, _ = asset_page
    before = _tokens(page)
    page.get_by_role("button", name="I'm using this").click()
    expect(page.get_by_role("status")).to_have_text(
        "Counted as in use this week. You can undo it until it is sent, in a few seconds."
    )
    screenshot(page, "count-panel", page.locator(".count-panel"))
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("button", name="I'm using this")).to_be_focused()
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()
    page.clock.run_for(LATER)
    assert _queue(page) == [] and counts == [] and _waiting() == {}
    assert sorted(_tokens(page)) == sorted(before)


def test_once_sent_im_using_this_says_so_plainly_and_offers_no_undo(asset_page):
    page, counts, photo = asset_page
    page.get_by_role("button", name="I'm using this").click()
    with page.expect_response(lambda r: r.url.endswith("/count/")):
        page.clock.run_for(LATER)
    expect(page.get_by_role("status")).to_have_text("Counted as in use this week.")
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()
    assert _waiting() == {("using", photo.pk, ""): 1}
    page.reload()  # and so it stays, on this page as on any other
    expect(page.get_by_role("status")).to_have_text("Counted as in use this week.")
    assert "thank" not in page.locator(".count-panel").inner_text().lower()


def test_the_choice_is_one_for_all_artwork_and_the_box_says_so_on_every_page(asset_page, library):
    page, _, _ = asset_page
    expect(page.get_by_label(OPT_IN)).to_have_accessible_description(
        "One setting for all artwork in this browser: ticking it here ticks it on every asset "
        "page. Unticking takes back the counts not sent yet."
    )
    page.goto(library["team"].get_absolute_url())
    expect(page.get_by_label(OPT_IN)).to_be_checked()


def test_signing_out_clears_the_choice_and_the_waiting_counts(asset_page, browser_as, employee):
    page, counts, photo = asset_page
    _download_banner(page)
    page.get_by_role("button", name="I'm using this").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('portal.count'))")
    assert stored == [] and _queue(page) == [] and _tokens(page) == []
    page.clock.run_for(LATER)
    assert counts == [] and _waiting() == {}
    # The next person on this browser finds the box unticked.
    page.context.add_cookies(browser_as(employee).cookies())
    page.goto(photo.get_absolute_url())
    expect(page.get_by_label(OPT_IN)).not_to_be_checked()
    expect(page.get_by_role("button", name="I'm using this")).to_be_enabled()


def test_every_signed_in_page_fetches_the_weeks_tokens_once_without_any_opt_in(
    browser_as, employee, library, real_services
):
    context = browser_as(employee)
    fetched = []
    context.on("request", lambda r: fetched.append(r.url) if "/tokens/" in r.url else None)
    page = context.new_page()
    page.goto("/")  # no asset page, nothing ticked
    _wait_for_tokens(page)
    page.goto(library["photo"].get_absolute_url())
    page.goto("/")
    assert [url.rsplit("/tokens/", 1)[1] for url in fetched] == ["key/", "issue/"]
    assert len(set(_tokens(page))) == 6


def test_a_count_spends_one_token_and_its_request_carries_no_cookie_and_no_identifier(
    browser_as, library, real_services, django_user_model
):
    person = django_user_model.objects.create_user("sentinel-qx7", password="x")
    person.groups.add(Group.objects.get(name=EMPLOYEES))
    context = browser_as(person, viewport={"width": 1200, "height": 820})
    issuance = []
    context.on("request", lambda r: issuance.append(r) if "/tokens/issue/" in r.url else None)
    page = context.new_page()
    page.clock.install()
    page.goto(library["photo"].get_absolute_url())
    _wait_for_tokens(page)
    page.get_by_label(OPT_IN).check()
    _download_banner(page)
    spent = _queue(page)[0]["token"]
    assert len(_tokens(page)) == 5 and spent not in _tokens(page)
    with page.expect_response(lambda r: r.url.endswith("/count/")) as sent:
        page.clock.run_for(LATER)
    assert sent.value.status == 204
    photo = library["photo"]
    assert _waiting() == {("download", photo.pk, "linkedin-banner"): 1}, "landed with the push"

    request = sent.value.request
    headers = {name.lower(): value for name, value in request.all_headers().items()}
    assert "cookie" not in headers and "authorization" not in headers
    body = dict(parse_qsl(request.post_data))
    assert body == {
        "asset": photo.slug,
        "kind": "download",
        "preset": "linkedin-banner",
        "token": spent,
    }
    assert "sentinel" not in request.post_data + repr(headers)
    # Nothing of the token was on the wire at issuance: the blinding hides it from the server.
    token = base64.urlsafe_b64decode(spent + "==")
    nonce, authenticator = token[2:34], token[130:]
    (issued,) = issuance
    seen = issued.post_data_buffer + issued.response().body()
    assert nonce not in seen and authenticator not in seen
