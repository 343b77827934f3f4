"""Sign-in through a real OpenID Connect provider process, browser-less, through the real views.

The provider (oidc-provider-mock, tests/accounts/provider.py) signs ID tokens with its own
key; the portal checks them against the keys it publishes, as in production.
"""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

START = "/accounts/oidc/start/"
PASSWORD = "correct horse battery"  # the role fixtures' password


def new_sub() -> str:
    return f"person-{uuid.uuid4().hex}"


def provider_callback(client, provider, sub: str, claims: dict, start: str = START) -> str:
    """The portal's redirect and the person's answer on the provider's page: the callback path."""
    provider.set_user(sub, claims)
    authorize = client.get(start)
    assert authorize.status_code == 302
    back = urlsplit(provider.approve(authorize["Location"], sub))
    assert (
        f"{back.scheme}://{back.netloc}{back.path}" == "http://testserver/accounts/oidc/callback/"
    )
    return f"{back.path}?{back.query}"


def sign_in(client, provider, sub: str, claims: dict | None = None, start: str = START):
    return client.get(provider_callback(client, provider, sub, claims or {}, start))


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def the_only_provider_user() -> User:
    (user,) = User.objects.filter(username__startswith="oidc-")
    return user


def assert_plain_page(response, status: int, heading: str) -> None:
    page = response.content.decode()
    assert response.status_code == status
    assert heading in page
    assert "Traceback" not in page
    assert "Back to sign in" in page


def test_the_portal_sends_the_person_to_the_provider_with_state_nonce_and_pkce(client, oidc):
    authorize = client.get(START)
    url = urlsplit(authorize["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc.url}/oauth2/authorize"
    assert query["client_id"] == [oidc.client_id]
    assert query["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]
    assert (query["response_type"], query["scope"]) == (["code"], ["openid"])
    assert {"state", "nonce", "code_challenge"} <= query.keys()
    assert query["code_challenge_method"] == ["S256"]


def test_a_person_signs_in_through_the_provider_and_lands_on_the_library(client, oidc):
    landed = sign_in(client, oidc, new_sub(), {"groups": ["staff-all"]})
    assert landed.status_code == 302
    assert landed["Location"] == "/"
    assert client.get("/").status_code == 200


def test_after_signing_in_the_person_lands_where_they_were_going(client, oidc):
    landed = sign_in(client, oidc, new_sub(), start=f"{START}?next=/policies/")
    assert landed["Location"] == "/policies/"


def test_the_first_sign_in_makes_an_account_with_an_opaque_name_and_nothing_else(
    client, oidc, settings
):
    settings.OIDC_RP_SCOPES = "openid email profile"  # the provider then sends name and email
    sub = new_sub()
    claims = {"email": "erin@example.com", "name": "Erin Example", "groups": ["staff-all"]}
    sign_in(client, oidc, sub, claims)
    user = the_only_provider_user()
    assert sub not in user.username and "erin" not in user.username.lower()
    assert (user.email, user.first_name, user.last_name) == ("", "", "")
    assert not user.has_usable_password()
    assert roles_of(user) == {"Employees"}


def test_the_same_person_signing_in_again_gets_the_same_account(client, oidc):
    sub = new_sub()
    sign_in(client, oidc, sub)
    client.logout()
    sign_in(client, oidc, sub)
    assert User.objects.filter(username__startswith="oidc-").count() == 1


def test_accounts_are_matched_by_the_providers_subject_not_by_email(
    client, oidc, settings, employee
):
    settings.OIDC_RP_SCOPES = "openid email"
    same_address = {"email": "erin@example.com"}  # the local employee's address too
    sign_in(client, oidc, new_sub(), same_address)
    client.logout()
    sign_in(client, oidc, new_sub(), same_address)
    assert User.objects.filter(username__startswith="oidc-").count() == 2
    employee.refresh_from_db()
    assert employee.last_login is None


def test_a_marketing_group_gives_the_marketing_role_and_everyone_is_an_employee(client, oidc):
    sign_in(client, oidc, new_sub(), {"groups": ["brand-marketing", "engineering"]})
    assert roles_of(the_only_provider_user()) == {"Marketing", "Employees"}
    assert client.get("/library/").status_code == 200


def test_a_leadership_group_opens_the_uptake_dashboard(client, oidc):
    sign_in(client, oidc, new_sub(), {"groups": ["leadership"]})
    assert client.get("/uptake/").status_code == 200


def test_a_single_string_claim_maps_like_a_list(client, oidc, settings):
    settings.OIDC_ROLE_CLAIM = "department"
    sign_in(client, oidc, new_sub(), {"department": "brand-marketing"})
    assert "Marketing" in roles_of(the_only_provider_user())


def test_a_person_moved_out_of_marketing_loses_the_role_at_the_next_sign_in(client, oidc):
    sub = new_sub()
    sign_in(client, oidc, sub, {"groups": ["brand-marketing"]})
    assert client.get("/library/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, oidc, sub, {"groups": ["engineering"]})
    assert roles_of(the_only_provider_user()) == {"Employees"}
    assert client.get("/library/").status_code == 403


def test_a_person_with_no_mapped_role_sees_the_ask_your_administrator_page(client, oidc, settings):
    settings.OIDC_ROLE_MAP = {"brand-marketing": "Marketing"}
    landed = sign_in(client, oidc, new_sub(), {"groups": ["engineering"]})
    page = client.get(landed["Location"])
    assert page.status_code == 403
    assert "ask your administrator" in page.content.decode()


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in_again(client, oidc):
    sub = new_sub()
    sign_in(client, oidc, sub)
    User.objects.filter(username__startswith="oidc-").update(is_active=False)
    assert client.get("/")["Location"] == "/accounts/login/?next=/"
    response = sign_in(client, oidc, sub)
    assert_plain_page(response, 403, "Signing in with Example Corp did not work")
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_the_provider_down_at_the_start_gets_a_plain_page(client, oidc, settings, unused_port):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{unused_port}"
    assert_plain_page(client.get(START), 502, "Example Corp is not answering")


def test_the_provider_going_down_before_the_callback_gets_a_plain_page(
    client, oidc, settings, unused_port
):
    callback = provider_callback(client, oidc, new_sub(), {})
    settings.OIDC_ISSUER = f"http://127.0.0.1:{unused_port}"
    assert_plain_page(client.get(callback), 502, "Example Corp is not answering")
    assert "_auth_user_id" not in client.session


def test_a_forged_state_gets_a_plain_page_and_signs_no_one_in(client, oidc):
    callback = provider_callback(client, oidc, new_sub(), {})
    forged = callback.replace("state=", "state=forged")
    assert_plain_page(client.get(forged), 400, "This sign-in link has expired")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username__startswith="oidc-").exists()


def test_a_callback_opened_in_another_browser_is_refused(client, oidc):
    callback = provider_callback(client, oidc, new_sub(), {})
    other = Client()
    assert_plain_page(other.get(callback), 400, "This sign-in link has expired")
    assert "_auth_user_id" not in other.session


def test_a_callback_used_twice_signs_in_only_once(client, oidc):
    callback = provider_callback(client, oidc, new_sub(), {})
    assert client.get(callback).status_code == 302
    client.logout()
    assert_plain_page(client.get(callback), 400, "This sign-in link has expired")


def test_a_wrong_client_secret_gets_a_plain_page_and_signs_no_one_in(client, oidc, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    response = sign_in(client, oidc, new_sub())
    assert_plain_page(response, 502, "Example Corp did not accept the portal")
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # no lockout row for a portal-side mistake


def test_a_sign_in_cancelled_at_the_provider_gets_a_plain_page(client, oidc):
    authorize = client.get(START)
    answer = requests.post(
        authorize["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(answer.headers["Location"])
    assert parse_qs(back.query)["error"] == ["access_denied"]
    response = client.get(f"{back.path}?{back.query}")
    assert_plain_page(response, 403, "Signing in with Example Corp did not work")


def test_a_provider_error_from_a_link_elsewhere_leaves_a_password_user_signed_in(
    client, oidc, employee
):
    client.force_login(employee)
    response = client.get("/accounts/oidc/callback/?error=access_denied")
    assert client.session.get("_auth_user_id") == str(employee.pk)
    assert client.get("/").status_code == 200
    assert_plain_page(response, 400, "This sign-in link has expired")


def test_a_provider_error_with_a_guessed_state_leaves_a_provider_user_signed_in(client, oidc):
    sign_in(client, oidc, new_sub())
    response = client.get("/accounts/oidc/callback/?error=access_denied&state=guessed")
    assert client.get("/").status_code == 200
    assert response.status_code == 400


def test_a_sign_in_cancelled_at_the_provider_ends_only_that_attempt(client, oidc, employee):
    client.force_login(employee)
    authorize = client.get(START)
    answer = requests.post(
        authorize["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(answer.headers["Location"])
    cancelled = f"{back.path}?{back.query}"
    assert_plain_page(client.get(cancelled), 403, "Signing in with Example Corp did not work")
    assert client.session.get("_auth_user_id") == str(employee.pk)
    assert client.session["oidc_states"] == {}
    assert client.get(cancelled).status_code == 400  # that attempt is over


def test_signing_out_ends_the_session_and_links_to_the_providers_sign_out(client, oidc):
    sign_in(client, oidc, new_sub())
    response = client.post("/accounts/logout/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are signed out of the brand portal" in page
    assert f'href="{oidc.url}/oauth2/end_session?client_id={oidc.client_id}"' in page
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_a_password_user_signing_out_goes_back_to_the_sign_in_page(client, oidc, employee):
    client.force_login(employee)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_sign_in_page_offers_the_company_sign_in_first(client, oidc):
    page = client.get("/accounts/login/?next=/library/").content.decode()
    button = page.index(f'href="{START}?next=/library/">Sign in with Example Corp</a>')
    assert button < page.index('name="password"')
    assert "Or sign in with a portal password" in page


def test_without_the_provider_the_sign_in_page_has_only_the_password_form(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_the_policy_page_says_the_provider_logs_sign_ins_and_the_portal_does_not(client, employee):
    client.force_login(employee)
    page = client.get("/policies/what-this-portal-keeps/").content.decode()
    assert "identity provider logs each time you sign in to the portal" in page
    assert "the portal does not see or store that log" in page


class TestPasswordsForAdministratorsOnly:
    @pytest.fixture(autouse=True)
    def _admins_only(self, oidc, settings):
        settings.LOCAL_SIGN_IN_ADMINS_ONLY = True

    def sign_in_with_password(self, client, username: str, password=PASSWORD):
        return client.post("/accounts/login/", {"username": username, "password": password})

    def test_an_administrator_still_signs_in_with_a_password(self, client, staff):
        assert self.sign_in_with_password(client, "sam").status_code == 302

    def test_an_employees_right_password_gets_the_usual_refusal(self, client, employee):
        response = self.sign_in_with_password(client, "erin")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_an_employees_open_password_session_ends(self, client, employee):
        client.force_login(employee)
        assert client.get("/")["Location"] == "/accounts/login/?next=/"

    def test_the_sign_in_page_says_passwords_are_for_administrators(self, client):
        page = client.get("/accounts/login/").content.decode()
        assert "Administrators: sign in with your portal password" in page

    def test_five_wrong_passwords_still_lock_an_administrators_username(self, client, staff):
        for _ in range(5):
            self.sign_in_with_password(client, "sam", "wrong")
        assert self.sign_in_with_password(client, "sam").status_code == 429

    def test_people_still_sign_in_through_the_provider(self, client, oidc):
        assert sign_in(client, oidc, new_sub())["Location"] == "/"


def test_the_providers_locale_claim_chooses_the_portals_language(client, oidc, settings):
    # Providers release the standard locale claim with the profile scope.
    settings.OIDC_RP_SCOPES = "openid profile"
    response = sign_in(client, oidc, new_sub(), {"groups": ["staff-all"], "locale": "de-CH"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="de" dir="ltr">' in page


def test_a_language_picked_in_the_footer_wins_over_the_locale_claim(client, oidc, settings):
    settings.OIDC_RP_SCOPES = "openid profile"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = sign_in(client, oidc, new_sub(), {"groups": ["staff-all"], "locale": "de-DE"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="fr" dir="ltr">' in client.get("/").content.decode()


def test_a_locale_the_portal_does_not_offer_leaves_the_browsers_language(client, oidc, settings):
    settings.OIDC_RP_SCOPES = "openid profile"
    response = sign_in(client, oidc, new_sub(), {"locale": "pt_BR"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
