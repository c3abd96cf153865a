"""Coach Portal settings: one module, read from the environment, safe by default.

`DEBUG` is off unless asked for, so a missing config var on the platform never turns on debug pages.
Locally, `make` writes a git-ignored `.env` (DEBUG=1 and generated secrets) that is loaded below.
Every variable is named and explained in `.env.example` and the README.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from coachportal.env import env_bool, env_int, env_list, env_str
from coachportal.organizations.crypto import validate_keys

BASE_DIR = Path(__file__).resolve().parent.parent
log = logging.getLogger("coachportal.settings")

if not env_bool("COACHPORTAL_SKIP_DOTENV") and (BASE_DIR / ".env").exists():
    # Real environment variables win over the file.
    load_dotenv(BASE_DIR / ".env", override=False)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (a long random string), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

# Provider API keys are encrypted at rest with these Fernet keys (newest first; older ones still decrypt).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            'FIELD_ENCRYPTION_KEYS is not set. Generate one with: python -c "from cryptography.fernet '
            'import Fernet; print(Fernet.generate_key().decode())" and set it in the environment.'
        )
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1rZXktbmV2ZXItcHJvZCE="]  # development only
    log.warning("FIELD_ENCRYPTION_KEYS is not set: using the development encryption key (DEBUG is on).")
try:
    validate_keys(FIELD_ENCRYPTION_KEYS)
except ValueError as error:
    raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: {error}.") from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = "Coach Portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "coachportal.accounts",
    "coachportal.organizations",
    "coachportal.athletes",
    "coachportal.sessions",
    "coachportal.uploads",
    "coachportal.matches",
    "coachportal.notes",
    "coachportal.sharing",
    "coachportal.reports",
    "coachportal.notifications",
    "coachportal.dashboard",
    "coachportal.operations",
    "coachportal.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: an over-size body is refused from its Content-Length alone.
    "coachportal.bodylimit.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coachportal.accounts.nostore.PrivateNoStoreMiddleware",
    "coachportal.accounts.zones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coachportal.htmx_messages.HtmxMessagesMiddleware",
    "coachportal.accounts.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coachportal.urls"
WSGI_APPLICATION = "coachportal.wsgi.application"

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
                "coachportal.organizations.context_processors.organizations",
                "coachportal.organizations.context_processors.rejected_keys",
            ],
        },
    },
    {
        # Only hot fragments (library rows, profile trends, compare, notes lists: jinja2/), measured
        # several times faster to write than with the engine above; why, and what the environment allows:
        # coachportal/jinja_env.py.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "coachportal.jinja_env.environment"},
    },
]

# SQLite file by default; DATABASE_URL (PostgreSQL in production and CI) reuses connections and
# checks them before use, so a database restart costs one failed health check, not a broken dyno.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The throttle comes first: a locked-out account + IP is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "coachportal.accounts.backends.LoginThrottleBackend",
    "coachportal.accounts.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link lives one day
INVITE_EXPIRY_DAYS = env_int("INVITE_EXPIRY_DAYS", 7)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: whitenoise serves them compressed, with hashed names and far-future cache headers; the
# storage keeps each hashed URL once worked out (coachportal/static_storage.py).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    # Web and worker dynos share no disk: uploaded videos live in the bucket.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "coachportal.static_storage.StaticStorage"},
}

# Uploads: files above this size go to a temporary file, never held whole in memory.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 2048)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Library exports: up to this many rows stream straight to the browser; larger ones are written to
# storage by the worker (a stream cut by the web timeout would end as a silently truncated file), and
# their files are kept this many hours.
EXPORT_STREAM_MAX_ROWS = env_int("EXPORT_STREAM_MAX_ROWS", 50_000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 48)

# Background work (django-tasks with its database backend; `manage.py db_worker` runs it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Providers: base URLs come only from settings, never from user input.
AIKYNETIX_BASE_URL = env_str("AIKYNETIX_BASE_URL", "https://api.aikynetix.app")
AIONTHEBALL_BASE_URL = env_str("AIONTHEBALL_BASE_URL", "https://aiontheball.nl/api/v1")
PROVIDER_TIMEOUT_SECONDS = env_int("PROVIDER_TIMEOUT_SECONDS", 30)
# Sessions asked of AiKYNETIX per page when syncing the library (its filter endpoint's `limit`).
SYNC_PAGE_SIZE = env_int("SYNC_PAGE_SIZE", 50)
# How long forwarding one video may wait for AiKYNETIX's answer once the file is sent.
UPLOAD_FORWARD_READ_TIMEOUT = env_int("UPLOAD_FORWARD_READ_TIMEOUT", 300)
# The portal's public address, from which AI on the Ball downloads registered match files (default:
# the address of the request that registered the match).
MATCHES_PUBLIC_BASE_URL = env_str("MATCHES_PUBLIC_BASE_URL")
SANDBOX_ALLOWED = env_bool("SANDBOX_ALLOWED", False)

# Email: SMTP when EMAIL_HOST is set, otherwise printed to the console (local use).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    # The console backend writes password-reset and invitation links into the log: production refuses
    # it unless someone chose it on purpose (a demo without mail); `check --deploy` still warns then.
    EMAIL_CONSOLE_ALLOWED = env_bool("EMAIL_CONSOLE_ALLOWED", False)
    if not DEBUG and not EMAIL_CONSOLE_ALLOWED:
        raise ImproperlyConfigured(
            "EMAIL_HOST is not set, so email would be printed to the log, reset and invitation links "
            "included. Set EMAIL_HOST (and EMAIL_HOST_USER/EMAIL_HOST_PASSWORD), or set "
            "EMAIL_CONSOLE_ALLOWED=1 to accept that on purpose."
        )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coach Portal <noreply@localhost>")
# The portal's address as people reach it, for links in emails sent by background tasks (no request).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

# Security headers; the HTTPS-only ones are on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database; this store reads them with a prepared statement (see its docstring).
SESSION_ENGINE = "coachportal.accounts.sessionstore"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
# On shared computers: end the session when the browser closes (the cookie age still caps it).
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# With this on, every request renews the expiry, so SESSION_COOKIE_AGE becomes an idle timeout.
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", False)
# Prod-like local running: DEBUG off on plain http://localhost, for checking static files, error pages
# and logs before a deploy. It turns off the HTTPS-only settings below, so it is refused for any host
# name that is not this machine.
LOCAL_PLAIN_HTTP = env_bool("LOCAL_PLAIN_HTTP", False)
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
if LOCAL_PLAIN_HTTP and not DEBUG:
    _remote = [h for h in ALLOWED_HOSTS if h not in _LOCAL_HOSTS and not h.endswith(".localhost")]
    if _remote:
        raise ImproperlyConfigured(
            f"LOCAL_PLAIN_HTTP=1 is for this machine only, but ALLOWED_HOSTS names {', '.join(_remote)}. "
            "Remove LOCAL_PLAIN_HTTP in production."
        )
if not DEBUG and not LOCAL_PLAIN_HTTP:
    # The platform's router terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Login throttling (django-axes): an account + client IP is locked out after AXES_FAILURE_LIMIT failed
# logins for AXES_COOLOFF_MINUTES; a successful login resets the count. Attempts live in the database.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coachportal.accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_FORM_FIELD = "username"  # the login form's email field keeps Django's name
AXES_USERNAME_CALLABLE = "coachportal.accounts.throttle.client_username"
AXES_CLIENT_IP_CALLABLE = "coachportal.accounts.throttle.client_ip"
# How many proxies we run in front of the app (Heroku's router: 1). The client IP is read from
# X-Forwarded-For that many entries from the right; entries further left are set by the client and
# could be forged to dodge the throttle. 0 (the default) ignores the header and uses the socket address,
# which behind a proxy throttles per account only: safe, if coarser. Set 1 on Heroku-style hosts.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Views of one share link allowed per minute (coachportal.sharing), counted in the database.
SHARE_LINK_VIEWS_PER_MINUTE = env_int("SHARE_LINK_VIEWS_PER_MINUTE", 30)

# Content Security Policy (django-csp): no inline scripts or styles anywhere. The providers' video hosts
# and the S3 bucket are added per request by coachportal.accounts.csp from the settings above.
CSP_EXTRA_MEDIA_HOSTS = env_list("CSP_EXTRA_MEDIA_HOSTS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # blob: the upload page reads a chosen file's duration and size through an object URL.
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Tokens in logged paths are redacted; refused requests (4xx) are logged without a traceback.
    "filters": {
        "redact_secrets": {"()": "coachportal.logredact.RedactSecrets"},
        "no_4xx_tracebacks": {"()": "coachportal.logredact.NoTracebackBelow500"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets", "no_4xx_tracebacks"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if DEBUG and "SECRET_KEY" not in os.environ:
    log.warning("Using the development SECRET_KEY (DEBUG is on and SECRET_KEY is not set).")

FORM_RENDERER = "coachportal.forms.FormRenderer"
