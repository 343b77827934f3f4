"""Page 6 is generated from the live settings, so it cannot drift from the code."""

import re

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from tracking.suppression import calibration

KEPT = reverse("policies:page", args=["what-this-portal-keeps"])


def test_page_6_states_the_anonymity_threshold_in_force(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_MIN_COUNT = 7
    assert "A number below 7 reads “fewer than 7”" in client.get(KEPT).content.decode()
    settings.TRACKING_MIN_COUNT = 12
    assert "A number below 12 reads “fewer than 12”" in client.get(KEPT).content.decode()


def test_page_6_states_the_retention_period_in_force(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_RETENTION_MONTHS = 24
    assert "deleted after 24 months" in client.get(KEPT).content.decode()
    settings.TRACKING_RETENTION_MONTHS = 1
    assert "deleted after 1 month." in client.get(KEPT).content.decode()


def test_page_6_states_how_long_an_announcement_is_shown(client, employee, settings):
    client.force_login(employee)
    settings.ANNOUNCEMENT_DAYS = 3
    assert "home page for 3 days" in client.get(KEPT).content.decode()


def test_page_6_names_the_calendar_week_as_the_reporting_period(client, employee):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    assert "Counted by calendar week</strong> (ISO weeks, Monday to Sunday)" in html
    assert "no time finer than the week" in html


def test_page_6_states_the_privacy_budget_per_person_in_force_in_plain_words(
    client, employee, settings
):
    client.force_login(employee)
    settings.TRACKING_EPSILON = 1.0
    html = client.get(KEPT).content.decode()
    assert "by at most a factor of 2.7 (a privacy budget, ε, of 1.0 per person per week" in html
    assert "nobody reading the numbers can tell whether you counted" in html
    settings.TRACKING_EPSILON = 0.5
    html = client.get(KEPT).content.decode()
    assert "a factor of 1.6 (a privacy budget, ε, of 0.5 per person per week" in html


def test_page_6_states_the_bound_the_noise_and_the_year_from_opendp(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_WEEKLY_TOKENS, settings.TRACKING_EPSILON = 4, 1.0
    noise = calibration(bound=4, epsilon=1.0)
    html = client.get(KEPT).content.decode()
    assert "One person can add at most 4 counts a week" in html
    assert f"random noise of about ±{round(noise.noise_sd)} to every number" in html
    assert f"One count alone costs ε = {noise.count_epsilon:.2f}" in html
    assert f"at most ε = {round(noise.year_epsilon)} in all" in html


def test_page_6_says_counts_are_published_once_with_noise(client, employee):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    assert "Each week is published once, with noise." in html
    assert "signing out clears your choice, anything waiting and your tokens" in html


def test_page_6_states_the_weekly_bound_per_person_in_force(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_WEEKLY_TOKENS = 6
    html = client.get(KEPT).content.decode()
    assert "At most 6 counts per person a week, checked by the portal." in html
    settings.TRACKING_WEEKLY_TOKENS = 9
    assert "fetches 9 anonymous tokens" in client.get(KEPT).content.decode()


def test_page_6_is_generated_in_german_and_french(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_WEEKLY_TOKENS = 6
    german = client.get(KEPT, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Was gespeichert wird, nach den heutigen Einstellungen" in german
    assert "Höchstens 6 Zählungen pro Person und Woche" in german
    assert "What is kept, in today's settings" not in german
    french = client.get(KEPT, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce qui est conservé, selon les réglages actuels" in french
    assert "Au plus 6 comptages par personne et par semaine" in french
    assert "Counting is opt-in" not in french


def test_page_6_states_how_long_the_audit_log_is_kept_and_what_it_never_holds(
    client, employee, settings
):
    client.force_login(employee)
    settings.AUDIT_RETENTION_DAYS = 30
    html = client.get(KEPT).content.decode()
    assert "each entry is deleted after 30 days" in html
    assert "It never holds an employee's download, view, count or sign-in." in html
    settings.AUDIT_RETENTION_DAYS = 400
    german = client.get(KEPT, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "jeder Eintrag wird nach 400 Tagen gelöscht" in german


def test_page_6_says_what_a_share_link_keeps_and_that_its_visitors_leave_nothing(client, employee):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    assert (
        "Its secret is kept only as a fingerprint (SHA-256), and its password only as a hash."
        in html
    )
    assert "no cookie, no address, no count" in html
    assert "per link for a few minutes, never per visitor" in html


def test_page_6_states_the_sign_in_lockout_in_force(client, employee, settings):
    client.force_login(employee)
    settings.AXES_FAILURE_LIMIT = 3
    html = client.get(KEPT).content.decode()
    assert "Once the failures reach 3, that name is locked for 15 minutes." in html
    assert "Successful sign-ins are not recorded." in html


# Every field the portal's database holds, model by model, and the words of page 6 that
# account for it. A new model or field fails the test below until the page says what it
# keeps (or the field is listed under CONTENT: artwork and texts, about nobody).
MARKETING = "**Marketing's work carries their names.**"
CONTENT = None
ACCOUNTED = {
    "admin.LogEntry": {
        "The Django admin also keeps its own history": [
            "action_time", "user", "content_type", "object_id", "object_repr", "action_flag",
            "change_message",
        ],
    },
    "auth.Permission": {CONTENT: ["name", "content_type", "codename"]},
    "auth.Group": {CONTENT: ["name", "permissions"]},
    "auth.User": {
        "**Your account**": [
            "password", "last_login", "is_superuser", "username", "first_name", "last_name",
            "email", "is_staff", "is_active", "date_joined", "groups", "user_permissions",
        ],
    },
    "contenttypes.ContentType": {CONTENT: ["app_label", "model"]},
    "sessions.Session": {
        "**Your sign-in session.**": ["session_key", "session_data", "expire_date"],
    },
    "authtoken.Token": {"**API tokens.**": ["key", "user", "created"]},
    "authtoken.TokenProxy": {"**API tokens.**": ["key", "user", "created"]},
    "axes.AccessAttempt": {
        "**Failed password sign-ins.**": [
            "user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time",
            "get_data", "post_data", "failures_since_start",
        ],
    },
    "axes.AccessAttemptExpiration": {
        "**Failed password sign-ins.**": ["access_attempt", "expires_at"],
    },
    # Never written: the settings turn both logs off (checked below).
    "axes.AccessFailureLog": {
        "**Failed password sign-ins.**": [
            "user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time",
            "locked_out",
        ],
    },
    "axes.AccessLog": {
        "Successful sign-ins are not recorded.": [
            "user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time",
            "logout_time", "session_hash",
        ],
    },
    "assets.Collection": {CONTENT: ["name", "slug", "description", "order", "requires_review"]},
    "assets.Tag": {CONTENT: ["name", "slug"]},
    "assets.SearchTerm": {CONTENT: ["word"]},
    "assets.Asset": {
        MARKETING: ["uploaded_by", "replaced_by", "replaced_at", "file_note"],
        "**Artwork files carry nobody's whereabouts.**": [
            "original", "width", "height", "byte_size", "sha256", "format",
        ],
        CONTENT: [
            "title", "slug", "description", "usage_notes", "alt_text", "collection", "kind",
            "status", "credit_photographer", "credit_agency", "licence", "allowed_uses",
            "not_before", "available_until", "focal_x", "focal_y", "background", "keep_box",
            "crop_overrides", "text_box", "text_area", "text_align", "text_max_lines",
            "text_colour", "text_light_colour", "text_dark_colour", "signature_public",
            "signature_link", "ring_text", "created_at", "updated_at", "orientation",
            "search_document", "tags",
        ],
    },
    "assets.AssetVersion": {
        MARKETING: ["added_by", "added_at", "note"],
        "**Artwork files carry nobody's whereabouts.**": [
            "asset", "file", "width", "height", "byte_size", "sha256", "format", "replaced_at",
        ],
    },
    "assets.Review": {MARKETING: ["asset", "action", "by", "at", "comment"]},
    "assets.Rendition": {
        CONTENT: [
            "asset", "preset", "source_key", "source_sha256", "status", "error", "attempts",
            "claimed_until", "file", "width", "height", "byte_size", "format", "display",
            "display_format", "low_resolution", "updated_at", "kept_with",
        ],
    },
    "policies.PolicyPage": {CONTENT: ["slug", "title", "body", "order", "updated_at"]},
    "policies.PolicyPageVersion": {CONTENT: ["page", "language", "title", "body", "saved_at"]},
    "policies.Announcement": {
        MARKETING: ["created_by", "created_at"],
        CONTENT: [
            "title", "text", "collection", "asset", "published_at", "site_url", "email_status",
            "email_claimed_at", "emailed_at", "email_error",
        ],
    },
    "tracking.Release": {
        "**Each week is published once, with noise.**": [
            "week", "epsilon", "person_bound", "person_epsilon", "noise_scale", "min_count",
            "totals", "demo",
        ],
    },
    "tracking.ReleasedSizes": {
        "**Each week is published once, with noise.**": ["release", "asset", "counts"],
    },
    "guidelines.Guideline": {
        CONTENT: ["collection", "body", "swatches", "created_at", "updated_at", "dont_examples"],
    },
    "guidelines.GuidelineVersion": {CONTENT: ["guideline", "text", "saved_at"]},
    "sharing.ShareLink": {
        "**Share links for people outside the company.**": [
            "name", "secret_hash", "collection", "include_sizes", "include_originals",
            "password", "expires_at", "created_at", "created_by", "revoked_at", "assets",
        ],
    },
    "audit.AuditEntry": {"**The audit log.**": ["at", "actor", "actor_name", "action", "target"]},
}  # fmt: skip


def stored_fields(model) -> set[str]:
    """The model's own columns and many-to-many tables, a field per language once (title,
    not title_en, title_de, ...)."""
    names = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created
    }
    suffixes = tuple(f"_{code}" for code in settings.MODELTRANSLATION_LANGUAGES)
    return {
        name.rsplit("_", 1)[0]
        if name.endswith(suffixes) and name.rsplit("_", 1)[0] in names
        else name
        for name in names
    }


def test_page_6_accounts_for_every_field_the_database_holds(client, employee, settings):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    for model in apps.get_models():
        label = model._meta.label
        assert label in ACCOUNTED, f"{label} is new: say on page 6 what it keeps"
        accounted = {name for names in ACCOUNTED[label].values() for name in names}
        assert stored_fields(model) == accounted, f"{label}: page 6 and its fields differ"
        for words in ACCOUNTED[label]:
            if words is not CONTENT:
                assert markdown_html(words) in html, f"page 6 no longer says {words!r}"
    assert settings.AXES_DISABLE_ACCESS_LOG and not settings.AXES_ENABLE_ACCESS_FAILURE_LOG


def markdown_html(words: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", words)
