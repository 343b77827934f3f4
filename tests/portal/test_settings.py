"""Start-up behaviour of portal/settings.py, each case in a fresh process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "S3_",
    "EMAIL_",
    "OIDC_",
    "LOCAL_SIGN_IN_",
    "METRICS_",
    "LOG_FORMAT",
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "brand.example.com",
    "EMAIL_URL": "smtp://portal:secret@smtp.example.com:587?tls=true",
}
SHOW = "from django.conf import settings; print({})"


def start(code: str = "pass", **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OURS)}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DATABASE_URL",
            "mysql://db/portal",
            "DATABASE_URL must be a URL starting with postgres://",
        ),
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL must be a URL starting with redis://"),
        ("S3_ENDPOINT_URL", "minio:9000", "S3_ENDPOINT_URL must be a URL"),
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("ASSET_MAX_PIXELS", "lots", "ASSET_MAX_PIXELS must be a whole number"),
        ("TRACKING_MIN_COUNT", "3", "TRACKING_MIN_COUNT must be at least 5"),
        (
            "ALL_STAFF_EMAIL_DE",
            "alle@example.com, tous@example.com",
            "ALL_STAFF_EMAIL_DE must be one email address",
        ),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(variable, value, message):
    result = start(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


ISSUER = {"OIDC_ISSUER": "https://sso.example.com/realms/staff"}
CLIENT = {"OIDC_CLIENT_ID": "brand-portal", "OIDC_ROLE_MAP": "brand-marketing=Marketing"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_ISSUER": "sso.example.com"}, "OIDC_ISSUER must be a URL starting with https://"),
        (
            {**PRODUCTION, "OIDC_ISSUER": "http://sso.example.com"},
            "OIDC_ISSUER must be a URL starting with https://.",
        ),
        ({"OIDC_ROLE_MAP": "brand-marketing"}, "OIDC_ROLE_MAP must be key=value pairs"),
        ({"OIDC_ROLE_MAP": "it=Admins"}, "each value one of Employees, Marketing, Leadership"),
        ({"OIDC_ROLE_MAP": "a=Marketing,a=Leadership"}, "OIDC_ROLE_MAP names 'a' twice"),
        ({"OIDC_TIMEOUT": "0"}, "OIDC_TIMEOUT must be at least 1"),
        (
            {"LOCAL_SIGN_IN_ADMINS_ONLY": "mostly"},
            "LOCAL_SIGN_IN_ADMINS_ONLY must be true or false",
        ),
        ({"LOCAL_SIGN_IN_ADMINS_ONLY": "true"}, "LOCAL_SIGN_IN_ADMINS_ONLY needs OIDC_ISSUER"),
        (
            ISSUER,
            "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET and OIDC_ROLE_MAP must be set when OIDC_ISSUER",
        ),
        (
            {"OIDC_CLIENT_SECRET": "s", "OIDC_CLIENT_SECRET_FILE": "/run/secrets/oidc"},
            "Set OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE, not both.",
        ),
        (
            {"OIDC_CLIENT_SECRET_FILE": "/nonexistent/oidc-secret"},
            "OIDC_CLIENT_SECRET_FILE cannot be read",
        ),
        (
            {**ISSUER, **CLIENT, "OIDC_CLIENT_SECRET": "s", "OIDC_SCOPES": "email groups"},
            "OIDC_SCOPES must include openid",
        ),
    ],
)
def test_a_malformed_sign_in_setting_stops_start_up_naming_it(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_identity_provider_is_configured_from_the_environment(tmp_path):
    secret = tmp_path / "oidc-client-secret"
    secret.write_text("s3cret from a file\n")
    result = start(
        SHOW.format(
            "settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_SECRET, settings.OIDC_ROLE_CLAIM, "
            "settings.OIDC_ROLE_MAP, settings.LOCAL_SIGN_IN_ADMINS_ONLY, sep='|'"
        ),
        OIDC_ISSUER="https://sso.example.com/realms/staff/",
        OIDC_CLIENT_ID="brand-portal",
        OIDC_CLIENT_SECRET_FILE=str(secret),
        OIDC_ROLE_MAP="brand-marketing=Marketing, leadership=Leadership, *=Employees",
        LOCAL_SIGN_IN_ADMINS_ONLY="true",
    )
    assert result.stdout.strip().split("|") == [
        "https://sso.example.com/realms/staff",
        "s3cret from a file",
        "groups",
        "{'brand-marketing': 'Marketing', 'leadership': 'Leadership', '*': 'Employees'}",
        "True",
    ]


def test_without_debug_the_placeholder_secret_key_is_refused():
    result = start(DEBUG="false", ALLOWED_HOSTS="brand.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_debug_an_empty_allowed_hosts_is_refused():
    result = start(DEBUG="false", SECRET_KEY="k" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name" in result.stderr


def test_with_no_environment_it_runs_on_sqlite_local_files_and_eager_tasks():
    result = start(
        SHOW.format(
            "settings.DATABASES['default']['ENGINE'], "
            "settings.STORAGES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER"
        )
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.files.storage.FileSystemStorage",
        "True",
    ]
    assert "Celery tasks run in-process" in result.stderr


def test_the_environment_switches_to_postgresql_redis_and_s3():
    result = start(
        SHOW.format(
            "settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
            "settings.STORAGES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER"
        ),
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
        S3_BUCKET="brand-assets",
        S3_ENDPOINT_URL="https://s3.internal",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.internal:6379/0",
        "storages.backends.s3.S3Storage",
        "False",
    ]


def test_production_settings_pass_the_deploy_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{key: value for key, value in os.environ.items() if not key.startswith(OURS)},
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


MAIL = (
    "settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER, "
    "settings.EMAIL_HOST_PASSWORD, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL"
)


WITHOUT_MAIL = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
MAIL_OFF = (
    "No mail server is set (EMAIL_URL): password reset by email and the announcement email are off."
)


def test_without_debug_the_console_mail_backend_is_refused():
    result = start(**WITHOUT_MAIL, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert result.returncode != 0
    assert "Mail must go to a real server when DEBUG is off" in result.stderr


def test_production_settings_without_a_mail_server_start_and_say_what_is_off():
    result = start(SHOW.format("settings.MAIL_ENABLED"), **WITHOUT_MAIL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert MAIL_OFF in result.stderr


def test_a_build_step_collects_static_files_without_a_mail_server(tmp_path):
    command = (
        "from django.core.management import call_command; "
        "call_command('collectstatic', '--noinput', '--dry-run', verbosity=0)"
    )
    result = start(command, **WITHOUT_MAIL)
    assert result.returncode == 0, result.stderr


def test_a_deployment_signing_in_only_through_oidc_starts_without_a_mail_server():
    oidc_only = {**ISSUER, **CLIENT, "OIDC_CLIENT_SECRET": "s", "LOCAL_SIGN_IN_ADMINS_ONLY": "true"}
    result = start(**WITHOUT_MAIL, **oidc_only)
    assert result.returncode == 0, result.stderr
    assert MAIL_OFF in result.stderr


def test_with_a_mail_server_nothing_is_said_about_mail():
    result = start(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "mail" not in result.stderr.lower()


def test_without_debug_the_locmem_mail_backend_is_refused():
    result = start(
        **{**PRODUCTION, "EMAIL_URL": ""},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    assert result.returncode != 0
    assert "Mail must go to a real server when DEBUG is off" in result.stderr


def test_one_email_url_sets_host_port_user_password_and_tls():
    result = start(SHOW.format(MAIL), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "portal",
        "secret",
        "True",
        "False",
    ]


def test_the_mail_password_can_come_from_a_file(tmp_path):
    secret = tmp_path / "mail-password"
    secret.write_text("from a file\n")
    result = start(
        SHOW.format(MAIL),
        **{**PRODUCTION, "EMAIL_URL": ""},
        EMAIL_HOST="smtp.internal",
        EMAIL_PORT="465",
        EMAIL_HOST_USER="portal",
        EMAIL_HOST_PASSWORD_FILE=str(secret),
        EMAIL_USE_SSL="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.core.mail.backends.smtp.EmailBackend smtp.internal 465 portal "
        "from a file False True"
    )


def test_a_secret_file_that_cannot_be_read_stops_start_up_naming_it(tmp_path):
    result = start(**PRODUCTION, SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both." in result.stderr
    result = start(
        **{key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"},
        SECRET_KEY_FILE=str(tmp_path / "missing"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY_FILE cannot be read" in result.stderr


def test_with_s3_the_pages_may_show_images_from_the_bucket_and_nowhere_else():
    result = start(
        SHOW.format("settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']"),
        S3_BUCKET="brand-assets",
        S3_ENDPOINT_URL="https://s3.internal:9000",
    )
    assert result.stdout.strip() == str(
        [
            "'self'",
            "data:",
            "blob:",
            "https://s3.internal:9000",
            "https://brand-assets.s3.internal:9000",
        ]
    )


@pytest.mark.parametrize("token", [{}, {"METRICS_TOKEN": "short"}])
def test_metrics_enabled_without_a_long_token_stops_start_up(token):
    result = start(METRICS_ENABLED="true", **token)
    assert result.returncode != 0
    assert "METRICS_TOKEN (or METRICS_TOKEN_FILE) must hold a random value" in result.stderr


def test_the_metrics_token_may_come_from_a_file(tmp_path):
    secret = tmp_path / "metrics-token"
    secret.write_text("t" * 40 + "\n")
    result = start(
        SHOW.format("len(settings.METRICS_TOKEN)"),
        METRICS_ENABLED="true",
        METRICS_TOKEN_FILE=str(secret),
    )
    assert result.stdout.strip() == "40", result.stderr


def test_log_format_json_writes_each_record_as_one_json_line():
    code = (
        "import logging; log = logging.getLogger('assets');\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('two\\nlines')"
    )
    result = start(code, LOG_FORMAT="json", REDIS_URL="redis://127.0.0.1:6379/0")
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == (
        "ERROR",
        "assets",
        "two\nlines",
    )
    assert "ZeroDivisionError" in record["exception"]


def test_an_unknown_log_format_stops_start_up():
    result = start(LOG_FORMAT="xml")
    assert "LOG_FORMAT must be plain or json, not 'xml'." in result.stderr
