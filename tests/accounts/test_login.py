import datetime
import re
import time

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core import mail

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


def sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, headers=BROWSER)


def fail_five_times(client, username: str) -> None:
    for _ in range(4):
        assert sign_in(client, username, "wrong password").status_code == 200
    assert sign_in(client, username, "wrong password").status_code == 429  # the fifth locks


def test_five_failed_sign_ins_lock_the_username_even_for_the_right_password(client, employee):
    fail_five_times(client, "erin")
    response = sign_in(client, "erin", "correct horse battery")
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long_the_pause_lasts(client, employee):
    fail_five_times(client, "erin")
    assert "paused for 15 minutes" in sign_in(client, "erin", "x").content.decode()


def test_a_locked_unknown_username_looks_the_same_as_a_locked_real_one(client, employee):
    fail_five_times(client, "erin")
    fail_five_times(client, "nobody")
    real, unknown = sign_in(client, "erin", "x"), sign_in(client, "nobody", "x")
    assert (real.status_code, page(real)) == (unknown.status_code, page(unknown))


def page(response) -> str:
    """The page without its CSRF tokens, which are masked anew on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def form_errors(response) -> str:
    page = response.content.decode()
    start = page.index('class="form-errors"')
    return page[start : page.index("</div>", start)]


def test_a_wrong_password_and_an_unknown_username_get_the_same_message(client, employee):
    real = form_errors(sign_in(client, "erin", "wrong password"))
    unknown = form_errors(sign_in(client, "nobody", "wrong password"))
    assert "Please enter a correct username and password" in real
    assert real == unknown


def test_a_locked_username_does_not_lock_anyone_else(client, employee, marketer):
    fail_five_times(client, "erin")
    assert sign_in(client, "mark", "correct horse battery").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, employee):
    fail_five_times(client, "erin")
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert sign_in(client, "erin", "correct horse battery").status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(client, employee):
    for _ in range(4):
        sign_in(client, "erin", "wrong password")
    assert sign_in(client, "erin", "correct horse battery").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "erin", "wrong password")
    assert sign_in(client, "erin", "correct horse battery").status_code == 302


def test_a_failed_sign_in_is_recorded_without_address_browser_or_password(client, employee):
    sign_in(client, "erin", "wrong password")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.user_agent) == ("erin", None, "")
    assert (attempt.http_accept, "wrong password" in attempt.post_data) == ("", False)


def test_successful_sign_ins_are_not_recorded(client, employee):
    assert sign_in(client, "erin", "correct horse battery").status_code == 302
    assert not AccessLog.objects.exists()


def test_the_login_page_links_to_password_reset(client):
    page = client.get(LOGIN).content.decode()
    assert 'href="/accounts/password-reset/"' in page
    assert "Forgot your password?" in page


def test_without_a_mail_server_the_login_page_says_password_reset_is_off(client, settings):
    settings.MAIL_ENABLED = False
    page = client.get(LOGIN).content.decode()
    assert "Forgot your password?" not in page
    assert "Reset by email is off on this portal" in page


def test_without_a_mail_server_the_reset_page_says_it_is_off_and_sends_nothing(
    client, employee, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "erin@example.com"})
    assert "Password reset by email is off" in response.content.decode()
    assert "who can set a new password for you" in response.content.decode()
    assert mail.outbox == []


@pytest.fixture
def reset_request(client, django_capture_on_commit_callbacks):
    """Ask for a reset link; the queued task runs in-process after the commit."""

    def ask(email: str, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/password-reset/", {"email": email}, **options)

    return ask


def reset_link(message) -> str:
    return re.search(r"https?://testserver(/accounts/password-reset/\S+/)", message.body)[1]


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, employee, reset_request):
    response = reset_request("erin@example.com")
    assert response["Location"] == "/accounts/password-reset/sent/"
    (message,) = mail.outbox
    assert message.to == ["erin@example.com"]
    form = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a whole new phrase 42", "new_password2": "a whole new phrase 42"},
        follow=True,
    )
    assert "Your new password is saved" in done.content.decode()
    assert sign_in(client, "erin", "a whole new phrase 42").status_code == 302


def test_an_unknown_address_sees_the_same_pages_and_no_mail_is_sent(
    client, employee, reset_request
):
    known = reset_request("erin@example.com", follow=True)
    mail.outbox.clear()
    unknown = reset_request("who@example.com", follow=True)
    assert unknown.redirect_chain == known.redirect_chain
    assert page(unknown) == page(known)
    assert "If that address belongs to a portal account" in unknown.content.decode()
    assert mail.outbox == []


def test_a_reset_link_works_only_once(client, employee, reset_request):
    reset_request("erin@example.com")
    link = reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    new = {"new_password1": "a whole new phrase 42", "new_password2": "a whole new phrase 42"}
    client.post(form.redirect_chain[-1][0], new)
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_reset_mail_is_sent_by_a_real_worker_after_the_page_answers(
    client, employee, celery_worker
):
    response = client.post("/accounts/password-reset/", {"email": "erin@example.com"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = mail.outbox
    assert message.to == ["erin@example.com"]
    assert reset_link(message).startswith("/accounts/password-reset/")
