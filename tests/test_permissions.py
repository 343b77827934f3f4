"""Every URL pattern × every role × GET and POST, with the outcome each must get.

The table is checked against the URL configuration: a new URL without an entry
here fails `test_every_url_has_an_expected_outcome`.

Outcomes: a status code, "login" (redirect to the sign-in page) or "no role"
(the polite "ask your administrator" page).
"""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from assets.models import Collection
from assets.renditions.rendering import renditions_make
from assets.services import asset_replace_file
from guidelines.services import guideline_save
from sharing.services import share_link_create
from tests.factories import image_bytes, make_announcement, make_asset, upload

ROLES = ("anonymous", "outsider", "employee", "marketer", "leader", "staff", "brand_lead")
LOGIN, NO_ROLE = "login", "no role"

# Each row: (GET outcomes, POST outcomes), one per role in ROLES order.
EVERYONE_READS = (
    (LOGIN, NO_ROLE, 200, 200, 200, 200),
    (LOGIN, 405, 405, 405, 405, 405),
)
MARKETING_READS = (
    (LOGIN, NO_ROLE, 403, 200, 403, 200),
    (LOGIN, 405, 405, 405, 405, 405),
)
MARKETING_FORM = (
    (LOGIN, NO_ROLE, 403, 200, 403, 200),
    (LOGIN, NO_ROLE, 403, 200, 403, 200),
)
MARKETING_ACTION = (
    (LOGIN, 405, 405, 405, 405, 405),
    (LOGIN, NO_ROLE, 403, 302, 403, 302),
)
LEADERSHIP_READS = (
    (LOGIN, NO_ROLE, 403, 403, 200, 200),
    (LOGIN, 405, 405, 405, 405, 405),
)
POLICY_READ = (
    (LOGIN, 200, 200, 200, 200, 200),
    (LOGIN, 405, 405, 405, 405, 405),
)
API_READ = (
    (403, 403, 200, 200, 200, 200),
    (403, 403, 405, 405, 405, 405),
)

EXPECTED = {
    "assets:home": EVERYONE_READS,
    "assets:detail": EVERYONE_READS,
    "assets:original": EVERYONE_READS,
    "assets:preview": EVERYONE_READS,
    "assets:preview-image": EVERYONE_READS,
    "assets:rendition": EVERYONE_READS,
    "assets:rendition-zip": EVERYONE_READS,
    # Employees watch sizes appear too; the failure reasons in it are for marketing only.
    "assets:rendition-status": EVERYONE_READS,
    # Mail clients fetch the signature banner without a session: it answers everyone, as
    # the same response (see tests/assets/test_kit.py).
    "assets:signature-image": ((200,) * 6, (405,) * 6),
    "assets:library": MARKETING_READS,
    "assets:upload": MARKETING_FORM,
    "assets:edit": MARKETING_FORM,
    "assets:publish": MARKETING_ACTION,
    "assets:archive": MARKETING_ACTION,
    "assets:retry-renditions": MARKETING_ACTION,
    "assets:replace-file": MARKETING_ACTION,
    "assets:restore-version": MARKETING_ACTION,
    "assets:version-thumbnail": MARKETING_READS,
    "assets:version-preview": MARKETING_READS,
    "assets:version-file": MARKETING_READS,
    "assets:version-note": MARKETING_ACTION,
    "assets:current-file-note": MARKETING_ACTION,
    "assets:compare-versions": MARKETING_READS,
    # An empty POST sends marketing back to the upload page with a message.
    "assets:set-kind": MARKETING_ACTION,
    "assets:delete": (MARKETING_FORM[0], (LOGIN, NO_ROLE, 403, 302, 403, 302)),
    # Review: marketing submits, a brand lead decides (an empty POST is refused with a
    # message and sent back to the asset page).
    "assets:review-queue": (
        (LOGIN, NO_ROLE, 403, 403, 403, 200),
        (LOGIN, 405, 405, 405, 405, 405),
    ),
    "assets:review-submit": MARKETING_ACTION,
    "assets:review-approve": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, NO_ROLE, 403, 403, 403, 302),
    ),
    "assets:review-send-back": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, NO_ROLE, 403, 403, 403, 302),
    ),
    # Signed-in people are sent on from the login page; a failed login shows the form.
    "accounts:login": ((200, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302)),
    # Signing out ends on the sign-in page.
    "accounts:logout": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN,) * 6),
    # The identity provider's way in is open to everyone and answers only GET; without
    # OIDC_ISSUER (as here) it is not there. The flow itself: tests/accounts/test_oidc.py.
    "accounts:oidc-start": ((404,) * 6, (405,) * 6),
    "accounts:oidc-callback": ((404,) * 6, (405,) * 6),
    # Policies are for everyone signed in, a contractor with no role included.
    "policies:index": POLICY_READ,
    "policies:page": POLICY_READ,
    "policies:history": POLICY_READ,
    "policies:edit": MARKETING_FORM,
    "policies:announcements": MARKETING_READS,
    "policies:announcement": MARKETING_READS,
    "policies:announcement_new": MARKETING_FORM,
    "policies:announcement_edit": MARKETING_FORM,
    "policies:publish": MARKETING_ACTION,
    # The anonymous count carries no cookies, so it cannot ask who sends it; an
    # empty body is refused the same way for everyone.
    # Guidelines are for every role; marketing writes them.
    "guidelines:page": EVERYONE_READS,
    "guidelines:history": EVERYONE_READS,
    "guidelines:dont-image": EVERYONE_READS,
    "guidelines:edit": MARKETING_FORM,
    "tracking:count": ((405,) * 6, (400,) * 6),
    # Marketing makes and ends share links; an empty new link is refused with the form.
    "sharing:links": MARKETING_READS,
    "sharing:create": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, NO_ROLE, 403, 400, 403, 400)),
    "sharing:revoke": MARKETING_ACTION,
    # A share link opens for anyone who has it, signed in or not (a POST is its password
    # form's, and a link without a password answers it with the page too).
    "sharing:shared": ((200,) * 6, (200,) * 6),
    "sharing:original": ((200,) * 6, (405,) * 6),
    "sharing:rendition": ((200,) * 6, (405,) * 6),
    # Choosing a language and the scripts' strings: for everyone, the sign-in page too.
    "set_language": ((302,) * 6, (302,) * 6),
    "javascript-catalog": ((200,) * 6, (405,) * 6),
    # The week's anonymous tokens: for anyone with a role; an empty batch is refused.
    "privacypass:key": EVERYONE_READS,
    "privacypass:issue": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, NO_ROLE, 400, 400, 400, 400)),
    "tracking:dashboard": LEADERSHIP_READS,
    "tracking:dashboard-csv": LEADERSHIP_READS,
    "tracking:api": LEADERSHIP_READS,
    # Password reset is for people who cannot sign in, so it is open to everyone; an empty
    # POST redisplays the form, and a made-up link shows "this link no longer works".
    "accounts:password-reset": ((200,) * 6, (200,) * 6),
    "accounts:password-reset-done": ((200,) * 6, (405,) * 6),
    "accounts:password-reset-confirm": ((200,) * 6, (200,) * 6),
    "accounts:password-reset-complete": ((200,) * 6, (405,) * 6),
    "api:asset-list": API_READ,
    "api:asset-detail": API_READ,
    # The proxy's and the operator's probes answer everyone and change nothing; metrics
    # are off unless METRICS_ENABLED (tests/ops/test_metrics.py has them on).
    "ops:healthz": ((200,) * 6, (405,) * 6),
    "ops:readyz": ((200,) * 6, (405,) * 6),
    "ops:metrics": ((404,) * 6, (405,) * 6),
    # The schema describes the API to any signed-in user; it holds no data.
    "api:schema": ((403, 200, 200, 200, 200, 200), (403, 405, 405, 405, 405, 405)),
}
# Django's admin guards itself: only staff get in, everyone else meets its login.
ADMIN_INDEX = ((302, 302, 302, 302, 302, 200), (302, 302, 302, 302, 302, 200))
# The rows above name the first six roles. A brand lead gets what an employee gets,
# except here: the review queue and the decisions are theirs.
BRAND_LEAD_DIFFERS = {
    "assets:review-queue": (200, 405),
    "assets:review-approve": (405, 302),
    "assets:review-send-back": (405, 302),
}


def expected_outcome(name: str, rows: tuple, method: str, role: str) -> str | int:
    post = method == "POST"
    if role == "brand_lead":
        return BRAND_LEAD_DIFFERS[name][post] if name in BRAND_LEAD_DIFFERS else rows[post][2]
    return rows[post][ROLES.index(role)]


def named_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_an_expected_outcome():
    names = {name for name in named_patterns() if not name.startswith("admin:")}
    assert names - EXPECTED.keys() == set(), "add the new URLs to EXPECTED"
    assert EXPECTED.keys() - names == set(), "EXPECTED names URLs that no longer exist"


@pytest.fixture
def as_role(client, request):
    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in


def outcome(response) -> str | int:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    if response.status_code == 403 and "not set up for the portal" in response.content.decode():
        return NO_ROLE
    return response.status_code


CASES = [
    (name, method, role, expected_outcome(name, expected, method, role))
    for name, expected in EXPECTED.items()
    for method in ("GET", "POST")
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "expected"), CASES)
def test_each_role_gets_the_expected_outcome(as_role, name, method, role, expected):
    response = getattr(as_role(role), method.lower())(url_with_data(name))
    assert outcome(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employee", "marketer"])
@pytest.mark.parametrize("name", EXPECTED)
def test_head_works_wherever_get_does(as_role, name, role):
    url = url_with_data(name)
    response = as_role(role).head(url)
    assert outcome(response) == EXPECTED[name][0][ROLES.index(role)]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == b""


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*EXPECTED, "admin:index"])
def test_methods_that_change_or_echo_get_405_everywhere(as_role, name):
    url = url_with_data(name)
    client = as_role("marketer")
    for method in ("PUT", "PATCH", "DELETE", "TRACE"):
        assert client.generic(method, url).status_code == 405, method


def url_with_data(name: str) -> str:
    """The URL of the named pattern, with an asset and an announcement for it to show."""
    asset = make_asset(title="Shown", data=image_bytes("JPEG", (64, 64)))
    if name.startswith(
        (
            "assets:rendition",
            "assets:signature",
            "assets:preview",
            "guidelines:dont-image",
            "sharing:rendition",
        )
    ):
        renditions_make(asset=asset)
    slug = "taking-part-is-voluntary" if name.startswith("policies:") else asset.slug
    if name.startswith("guidelines:"):
        collection = Collection.objects.create(name="Core", slug="core")
        asset.collection = collection
        asset.save()
        guideline_save(
            collection=collection, bodies={"en": "Be kind."}, swatches=[], dont_examples=[asset]
        )
        slug = collection.slug
    values = {
        "slug": slug,
        "asset": asset.slug,
        "preset": "thumbnail" if name == "assets:preview-image" else "avatar-small",
        "pk": make_announcement(asset=asset).pk,
        "uidb64": "MQ",
        "token": "x-y",
    }
    if name in (
        "assets:restore-version",
        "assets:version-thumbnail",
        "assets:version-preview",
        "assets:version-file",
        "assets:version-note",
        "assets:compare-versions",
    ):
        replaced = asset_replace_file(
            asset=asset, file=upload(), filename="new.jpg", replaced_by=None
        )
        values["pk"] = replaced.versions.get().pk
    if name.startswith("sharing:"):
        link, values["secret"] = share_link_create(
            created_by=None, name="Agency", assets=[asset], days=14, include_originals=True
        )
        values["pk"] = link.pk
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(name, kwargs={key: values[key] for key in _arguments(name)})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_staff_get_into_the_admin(as_role, role, method):
    response = getattr(as_role(role), method.lower())("/admin/")
    assert response.status_code == expected_outcome("admin:index", ADMIN_INDEX, method, role)


def _arguments(name: str) -> list[str]:
    """The keyword arguments the named URL pattern takes."""
    resolver = get_resolver()
    *namespaces, url_name = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    (_, _, _, converters), *_ = resolver.reverse_dict.getlist(url_name)
    return list(converters)
