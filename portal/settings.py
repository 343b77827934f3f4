"""Settings for the brand asset portal: one file, environment first.

With no environment at all the portal runs on SQLite, local media files under
var/media/ and in-process Celery tasks. DATABASE_URL, REDIS_URL and the S3_*
variables switch to PostgreSQL, Redis and S3-compatible storage.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.urls.converters import SlugConverter
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET_KEY = "insecure-placeholder-only-for-local-development"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_secret(name: str) -> str:
    """NAME, or the contents of the file NAME_FILE names (a mounted secret), not both."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not path:
        return os.environ.get(name, "")
    if os.environ.get(name):
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        # One trailing newline is how most tools write a secret file; it is not part of it.
        return Path(path).read_text().removesuffix("\n")
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE cannot be read: {error.strerror}.") from None


def env_map(name: str, values: tuple[str, ...]) -> dict[str, str]:
    """Comma-separated key=value pairs, each value one of `values`."""
    mapping: dict[str, str] = {}
    for pair in env_list(name):
        key, _, value = (part.strip() for part in pair.partition("="))
        if not key or value not in values:
            raise ImproperlyConfigured(
                f"{name} must be key=value pairs separated by commas, each value one of "
                f"{', '.join(values)}, not {pair!r}."
            )
        if key in mapping:
            raise ImproperlyConfigured(f"{name} names {key!r} twice.")
        mapping[key] = value
    return mapping


def env_email(name: str) -> str:
    """One email address, or empty."""
    address = os.environ.get(name, "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"{name} must be one email address, not {address!r}."
            ) from None
    return address


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    value = env_secret(name).strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.hostname:
            expected = " or ".join(f"{scheme}://" for scheme in schemes)
            raise ImproperlyConfigured(f"{name} must be a URL starting with {expected}.")
    return value


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY") or PLACEHOLDER_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or (["127.0.0.1", "localhost"] if DEBUG else [])

if not DEBUG:
    if SECRET_KEY == PLACEHOLDER_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the portal's host when DEBUG is off.")

INSTALLED_APPS = [
    # Before the admin, so the admin's forms know the per-language fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "accounts",
    "assets",
    "policies",
    "tracking",
    "privacypass",
    "guidelines",
    "sharing",
    "ops",
    "audit",
]

MIDDLEWARE = [
    # First: the anonymous count request loses its cookies and client address here.
    "tracking.middleware.count_requests_without_identity",
    # Next, so a request's time includes all the rest (only with METRICS_ENABLED).
    "ops.metrics.request_metrics",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the picker's cookie, else the browser's Accept-Language (no cookie set).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the whole body of a POST.
    "portal.middleware.RequestLimits",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The portal is internal: every page needs a signed-in user unless a view
    # says otherwise with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the lockout flag that a failed sign-in left on the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: SQLite on a laptop, PostgreSQL from DATABASE_URL.
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql"))
if DATABASE_URL:
    # Persistent connections, checked before reuse: one that died while PostgreSQL
    # restarted is replaced on the next request instead of failing it.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "portal.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and result backend, and the cache. Without it tasks run
# in-process, which is what a laptop without services needs.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # named, or kombu warns at each task
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A queue per kind of work, so a worker can be given some (`celery worker -Q renditions`) and
# a slow mail server or a long release never holds up an upload's sizes. Listed, so a worker
# started without -Q works on all of them.
CELERY_TASK_QUEUES = [
    Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, "renditions", "mail", "releases")
]
CELERY_TASK_ROUTES = {
    "assets.tasks.*": {"queue": "renditions"},
    "accounts.tasks.*": {"queue": "mail"},
    "policies.tasks.*": {"queue": "mail"},
    "tracking.tasks.*": {"queue": "releases"},
}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when Redis is down: the request goes on and the sweep queues the work later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# An upload's sizes come before the sweep's re-queued renditions (a lost message, or a new
# engine or preset version for the whole library): one queue, two priorities. Redis keeps
# each priority in a list of its own and a worker reads priority 0 (every task's default)
# before 9. Each worker process reserves one task at a time, so no swept work waits reserved
# ahead of a new upload; a worker's -Q and the routes stay as they were.
RENDITIONS_SWEEP_PRIORITY = 9
# Days the audit log keeps a staff action; the renditions sweep deletes older entries.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The sweeps' and the release's periods are settings only so that the topology harness
# (bench/topology.py) sees a dead worker's work handed on and a week released within its run.
CELERY_BEAT_SCHEDULE = {
    "sweep-renditions": {
        "task": "assets.tasks.sweep_renditions",
        "schedule": float(env_int("RENDITIONS_SWEEP_SECONDS", 60, minimum=1)),
        "kwargs": {"older_than": env_int("RENDITIONS_STALE_SECONDS", 120, minimum=1)},
    },
    "sweep-announcement-emails": {
        "task": "policies.tasks.sweep_announcement_emails",
        "schedule": 60.0,
    },
    "prune-counts": {"task": "tracking.tasks.prune_counts", "schedule": 24 * 60 * 60},
    "release-closed-weeks": {
        "task": "tracking.tasks.release_closed_weeks",
        "schedule": float(env_int("TRACKING_RELEASE_SECONDS", 60 * 60, minimum=1)),
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    logging.getLogger("portal").warning(
        "REDIS_URL is not set: Celery tasks run in-process (eager mode)."
    )

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Files: local media under var/media/, or an S3-compatible bucket.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

S3_BUCKET = os.environ.get("S3_BUCKET", "").strip()
S3_ORIGINS: list[str] = []
# How long a signed download link on the bucket works.
DOWNLOAD_URL_SECONDS = env_int("DOWNLOAD_URL_SECONDS", 300, minimum=10)
S3_ENDPOINT_URL = env_url("S3_ENDPOINT_URL", ("http", "https"))
if S3_BUCKET:
    file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # Files are served through the portal's own views, never by public URL.
            "default_acl": "private",
            "querystring_auth": True,
            # Signed download links: Signature Version 4, the one every region takes.
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
    # Downloads are redirects to signed links on the bucket; its pages show previews from it.
    if S3_ENDPOINT_URL:
        endpoint = urlsplit(S3_ENDPOINT_URL)
        S3_ORIGINS = [
            f"{endpoint.scheme}://{endpoint.netloc}",
            f"{endpoint.scheme}://{S3_BUCKET}.{endpoint.netloc}",
        ]
    else:
        S3_ORIGINS = [
            f"https://{S3_BUCKET}.s3.amazonaws.com",
            f"https://{S3_BUCKET}.s3.{os.environ.get('S3_REGION') or 'us-east-1'}.amazonaws.com",
        ]
elif S3_ENDPOINT_URL:
    raise ImproperlyConfigured("S3_ENDPOINT_URL is set but S3_BUCKET is not.")
else:
    file_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": file_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads
ASSET_MAX_UPLOAD_BYTES = env_int("ASSET_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1)
ASSET_MAX_PIXELS = env_int("ASSET_MAX_PIXELS", 60_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Bodies are refused from their Content-Length before anything reads them (see
# portal/middleware.py): large ones only at the views marked as taking originals, from
# people who may run them; the proxy in front should cap the same (deploy/nginx.conf.example).
UPLOAD_MAX_REQUEST_BYTES = env_int(
    "UPLOAD_MAX_REQUEST_BYTES", 4 * ASSET_MAX_UPLOAD_BYTES + 1024 * 1024, minimum=1
)
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE, minimum=1024)

# /readyz: seconds each of PostgreSQL, Redis and the storage has to answer.
READY_TIMEOUT = 2.0
# /metrics (Prometheus): off unless METRICS_ENABLED, then only with this bearer token.
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_TOKEN = env_secret("METRICS_TOKEN")
if METRICS_ENABLED and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "METRICS_TOKEN (or METRICS_TOKEN_FILE) must hold a random value of at least 32 "
        "characters when METRICS_ENABLED is on."
    )

# Anonymous counts: leadership sees each closed ISO week once, as noisy numbers of
# at least TRACKING_MIN_COUNT. One person adds at most TRACKING_WEEKLY_TOKENS counts
# a week (the anonymous tokens an account gets per ISO week, privacypass/), and the
# noise is set so that all of them together change any release by
# at most a factor e^TRACKING_EPSILON (docs/counting-privacy.md). Releases older
# than the retention go.
TRACKING_MIN_COUNT = env_int("TRACKING_MIN_COUNT", 5, minimum=5)
TRACKING_WEEKLY_TOKENS = env_int("TRACKING_WEEKLY_TOKENS", 6, minimum=1)
TRACKING_EPSILON = 1.0
TRACKING_RETENTION_MONTHS = env_int("TRACKING_RETENTION_MONTHS", 24, minimum=1)

# Authentication
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "assets:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
    "accounts.backends.ProviderBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in through the company's identity provider (OpenID Connect), on when OIDC_ISSUER is
# set. Its endpoints come from the issuer's discovery document when someone signs in, so
# the portal starts (and administrators sign in with passwords) while the provider is down.
OIDC_ISSUER = env_url("OIDC_ISSUER", ("https",) if not DEBUG else ("https", "http")).rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "your company account"
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "").strip() or "openid"
OIDC_ROLE_CLAIM = os.environ.get("OIDC_ROLE_CLAIM", "").strip() or "groups"
# Claim value -> role; "*" gives a role to everyone the provider signs in. The names are the
# four roles of accounts/roles.py (settings load before the apps and cannot import them).
OIDC_ROLE_MAP = env_map("OIDC_ROLE_MAP", ("Employees", "Marketing", "Leadership", "Brand lead"))
LOCAL_SIGN_IN_ADMINS_ONLY = env_bool("LOCAL_SIGN_IN_ADMINS_ONLY", False)
if OIDC_ISSUER:
    missing = [
        name
        for name, value in [
            ("OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("OIDC_ROLE_MAP", OIDC_ROLE_MAP),
        ]
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"{' and '.join(missing)} must be set when OIDC_ISSUER is.")
    if "openid" not in OIDC_RP_SCOPES.split():
        raise ImproperlyConfigured("OIDC_SCOPES must include openid.")
elif LOCAL_SIGN_IN_ADMINS_ONLY:
    raise ImproperlyConfigured(
        "LOCAL_SIGN_IN_ADMINS_ONLY needs OIDC_ISSUER: otherwise only administrators could sign in."
    )
# mozilla-django-oidc: validated RS256 ID tokens with the provider's published keys, PKCE,
# the client secret in the Authorization header; no tokens kept in the session.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)

# Repeated failed sign-ins lock the username, real or not, for a while. Locking by
# username only: the portal keeps no client addresses or browser strings (see accounts/lockout.py).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "accounts.lockout.AnonymousDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.no_client_address"
AXES_DISABLE_ACCESS_LOG = True  # no table of successful sign-ins
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False  # log lines name the username only
# axes warns when the client address is not a lockout parameter; leaving it out is the
# privacy choice above (a username stays locked whichever address or browser tries it).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Brand asset portal API",
    "DESCRIPTION": "Read-only access to published brand artwork.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # What the <slug:> route matches, so clients (and schemathesis) know a slug no route takes.
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": f"^{SlugConverter.regex}$"}},
}

# Security headers. Everything the browser loads comes from the portal itself.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *S3_ORIGINS],
        "connect-src": ["'self'"],
        # The vendored HEIC decoder runs in a Worker it makes from a blob: URL.
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # The __Host- prefix pins cookies to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Mail: one EMAIL_URL (smtp://user:password@host:587?tls=true, or smtps:// for TLS from the
# first byte), or the EMAIL_* variables one by one. Passwords may come from *_FILE.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
NO_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
EMAIL_URL = env_url("EMAIL_URL", ("smtp", "smtps"))
if EMAIL_URL:
    email_url = urlsplit(EMAIL_URL)
    email_options = parse_qs(email_url.query)
    EMAIL_BACKEND = SMTP_BACKEND
    EMAIL_HOST = email_url.hostname
    EMAIL_USE_SSL = email_url.scheme == "smtps"
    EMAIL_USE_TLS = email_options.get("tls", [""])[0].lower() in ("1", "true", "yes", "on")
    EMAIL_PORT = email_url.port or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
    EMAIL_HOST_USER = unquote(email_url.username or "")
    EMAIL_HOST_PASSWORD = unquote(email_url.password or "")
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or "localhost"
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
        SMTP_BACKEND
        if os.environ.get("EMAIL_HOST", "").strip()
        else "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else NO_MAIL_BACKEND
    )
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Mail uses STARTTLS (tls) or TLS from the start (smtps), not both.")
# A mail server that hangs must not hold a worker for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "brand-portal@localhost")
if not DEBUG and EMAIL_BACKEND.rsplit(".", 2)[-2] in ("console", "locmem"):
    # Password-reset links would end up in the process's logs, or nowhere.
    raise ImproperlyConfigured(
        "Mail must go to a real server when DEBUG is off: set EMAIL_URL "
        "(smtp://user:password@host:587?tls=true) or EMAIL_HOST and its EMAIL_* settings, "
        "or set no mail at all (then password reset by email and the announcement email are off)."
    )
# Only password reset and the announcement email send mail. Without a server both are off and
# say so, and everything else runs: a build step's collectstatic and migrate, or a portal
# whose people sign in through the identity provider.
MAIL_ENABLED = EMAIL_BACKEND != NO_MAIL_BACKEND
if not MAIL_ENABLED:
    logging.getLogger("portal").warning(
        "No mail server is set (EMAIL_URL): password reset by email and the announcement "
        "email are off."
    )

# Announcements: a banner on the home page for this many days, and optionally one
# email to all staff, in their language. Each address is a list, never a person:
# ALL_STAFF_EMAIL_DE and ALL_STAFF_EMAIL_FR reach the people who read German or French
# (their directory's list, or one they joined), ALL_STAFF_EMAIL everyone else, in English.
# Empty: no email in that language. Never a per-person list.
ANNOUNCEMENT_DAYS = env_int("ANNOUNCEMENT_DAYS", 14, minimum=1)


ALL_STAFF_EMAIL = env_email("ALL_STAFF_EMAIL")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
# Content per language (django-modeltranslation): a column per language, English the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
# The languages content has a column for: fixed here, so a test that offers one more interface
# language (the pseudo-locale) finds the same columns.
MODELTRANSLATION_LANGUAGES = tuple(code for code, _ in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The announcement email's list for each other language (above, with ALL_STAFF_EMAIL).
ALL_STAFF_EMAIL_BY_LANGUAGE = {
    code: env_email(f"ALL_STAFF_EMAIL_{code.upper()}")
    for code in MODELTRANSLATION_LANGUAGES
    if code != LANGUAGE_CODE
}
# A row made in any language has its English text too: every field falls back to it.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# One handler for everything, and on it the one rule that keeps artworks out of
# log lines (portal/redaction.py). Django's own handlers are replaced: "django"
# and "django.server" are named here so that theirs go, and everything reaches
# the root's. Celery's worker and beat log through this too (portal/celery.py).
# LOG_FORMAT=json writes each record as one JSON line (ops/logs.py) through it.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_paths": {"()": "portal.redaction.PathRedaction"}},
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
        "json": {"()": "ops.logs.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"propagate": True},
        # The development server's line per request, only for failures.
        "django.server": {"level": "WARNING", "propagate": True},
    },
}
