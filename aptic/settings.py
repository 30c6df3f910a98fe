"""Settings, read from the environment.

Two modes (ADR 0001):
- production (the default): nothing is assumed; a secret key, allowed hosts and a database URL
  must be given, cookies are secure, DEBUG is off.
- embedded (APTIC_ENV=embedded): a developer's or a small deployment's machine: SQLite under
  var/, a secret key generated once into var/, e-mails printed on the console, background work
  run in-process. `make run` and `make test` set it.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("APTIC_VAR_DIR", BASE_DIR / "var"))

APTIC_ENV = os.environ.get("APTIC_ENV", "production")
if APTIC_ENV not in ("production", "embedded"):
    raise ImproperlyConfigured(f"APTIC_ENV must be 'production' or 'embedded', not {APTIC_ENV!r}.")
EMBEDDED = APTIC_ENV == "embedded"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_secret_key() -> str:
    """A key generated once per machine, so sessions survive a restart of `make run`."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Off unless asked for (DJANGO_DEBUG=1), in embedded mode too: `make run` shows the French error pages
# a visitor sees, not Django's debug pages; whitenoise serves the static files either way.
DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Where `make run` serves (the Makefile passes its HOST and PORT): the embedded site URL follows it.
EMBEDDED_HOST = os.environ.get("HOST", "127.0.0.1") if EMBEDDED else ""
EMBEDDED_PORT = os.environ.get("PORT", "8000") if EMBEDDED else ""

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (_embedded_secret_key() if EMBEDDED else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is required in production. For a local run, set APTIC_ENV=embedded (the Makefile does)."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", f"127.0.0.1,localhost,testserver,{EMBEDDED_HOST.strip('[]')}" if EMBEDDED else ""
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Public base URL, used in e-mails (invitations, password reset) and later in QR codes.
# A server listening on every interface is reached at 127.0.0.1.
_embedded_url_host = "127.0.0.1" if EMBEDDED_HOST in ("0.0.0.0", "::", "[::]") else EMBEDDED_HOST  # noqa: S104
SITE_URL = (
    os.environ.get("APTIC_SITE_URL") or (f"http://{_embedded_url_host}:{EMBEDDED_PORT}" if EMBEDDED else "")
).rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("APTIC_SITE_URL is required in production (e.g. https://aptic.fr).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "aptic.core",
    "aptic.jobs",
    "aptic.accounts",
    "aptic.audit",
    "aptic.territories",
    "aptic.vocabulary",
    "aptic.providers",
    "aptic.places",
    "aptic.opendata",
    "aptic.ledger",
    "aptic.vouchers",
    "aptic.billing",
    "aptic.printing",
    "aptic.distribution",
    "aptic.payouts",
    "aptic.reporting",
    "aptic.funders",
    "aptic.directory",
    "aptic.diagnostic",
    "aptic.site",
    "aptic.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (ADR 0020).
    "csp.middleware.CSPMiddleware",
    "aptic.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every view needs a logged-in user unless marked public (ADR 0004).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Staff pages and the back office need a second factor (ADR 0019).
    "aptic.accounts.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aptic.urls"
WSGI_APPLICATION = "aptic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "aptic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aptic.site.context_processors.navigation",
            ],
            # French numbers, plurals, lists and dates (ADR 0023) in every template, new ones too.
            "builtins": ["aptic.core.templatetags.aptic"],
        },
    },
]

# Database: DATABASE_URL wins; embedded mode falls back to SQLite under var/.
_default_db_url = f"sqlite:///{VAR_DIR / 'aptic.sqlite3'}" if EMBEDDED else None
_db_url = os.environ.get("DATABASE_URL") or _default_db_url
if not _db_url:
    raise ImproperlyConfigured("DATABASE_URL is required in production.")
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the page server read while a background job writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "site:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Brute-force protection (ADR 0018, accounts/lockout.py): failures count per account, whatever the
# letter case, and per account and address; an address alone, that a whole staff may share, locks
# at a much higher count.
APTIC_LOGIN_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
APTIC_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("APTIC_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_FAILURE_LIMIT = "aptic.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "aptic.accounts.lockout.login_identifier"
AXES_CLIENT_IP_CALLABLE = "aptic.accounts.lockout.login_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "aptic.accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Staff two-factor authentication (ADR 0019): the issuer shown in authenticator apps; code
# attempts are throttled by django-otp (1 s, 2 s, 4 s… after each failure).
OTP_TOTP_ISSUER = "#APTIC"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if EMBEDDED
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Embedded mode serves static files from the apps directly, with no collectstatic step.
WHITENOISE_USE_FINDERS = EMBEDDED
WHITENOISE_AUTOREFRESH = EMBEDDED
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "#APTIC <ne-pas-repondre@aptic.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMBEDDED:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Security headers and cookies: strict unless embedded (plain http on 127.0.0.1).
SESSION_COOKIE_SECURE = not EMBEDDED
CSRF_COOKIE_SECURE = not EMBEDDED
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not EMBEDDED)
SECURE_HSTS_SECONDS = 0 if EMBEDDED else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not EMBEDDED
SECURE_HSTS_PRELOAD = not EMBEDDED
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "aptic.core.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_one_line": {"()": "aptic.core.logs.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # A 403 or 404 is one line, not a traceback (aptic/core/logs.py).
        "django.request": {"filters": ["client_errors_one_line"]},
        # Libraries that narrate their work at INFO (Factur-X: a dozen lines per invoice).
        "factur-x": {"level": "WARNING"},
    },
}

# Map tiles: any XYZ tile server; the default is OpenStreetMap's, whose usage policy suits low traffic.
APTIC_MAP_TILE_URL = os.environ.get("APTIC_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
APTIC_MAP_ATTRIBUTION = os.environ.get(
    "APTIC_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def _origin(url: str) -> str:
    """The origin of a tile URL template: `https://{s}.tile.example.org/{z}/…` gives
    `https://*.tile.example.org`."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    host = "*." + host.split("}.", 1)[1] if host.startswith("{") and "}." in host else host
    return f"{scheme}://{host}"


# Content-Security-Policy (django-csp 4, ADR 0020): scripts and styles come only from our own static
# files (no inline code, no style attribute); images also from the map's tile server. Pages needing
# an inline script take `{{ request.csp_nonce }}`. The API's Swagger page has its own, looser,
# policy (aptic/vouchers/api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", _origin(APTIC_MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy: the browser features a page may use. The counter scans QR codes with the camera;
# the map offers "around me"; nothing else.
APTIC_PERMISSIONS_POLICY = {
    "camera": ["self"],
    "geolocation": ["self"],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "browsing-topics": [],
}

# Public voucher page: lookups per address and window (seconds), against code enumeration. Use a
# shared cache (Redis) in production, or the limit multiplies by the number of processes.
APTIC_VOUCHER_LOOKUP_LIMIT = int(os.environ.get("APTIC_VOUCHER_LOOKUP_LIMIT", "30"))
APTIC_VOUCHER_LOOKUP_WINDOW = int(os.environ.get("APTIC_VOUCHER_LOOKUP_WINDOW", "600"))
APTIC_TRUSTED_PROXY_COUNT = int(os.environ.get("APTIC_TRUSTED_PROXY_COUNT", "0"))
# Public forms that send e-mails (ADR 0018): sent forms per client address and per target e-mail, per window (s).
APTIC_PASSWORD_RESET_THROTTLE = {"per_address": 10, "per_email": 3, "window": 3600}
APTIC_PROVIDER_APPLY_THROTTLE = {"per_address": 5, "per_email": 3, "window": 86400}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # Entries are keyed by database ids: two databases sharing one Redis need two prefixes.
            "KEY_PREFIX": os.environ.get("APTIC_CACHE_PREFIX", ""),
        }
    }

# Background work (ADR 0013): Celery with Redis in production; a thread of the web process in
# embedded mode; "sync" runs each job at once (tests, one-off commands).
APTIC_JOBS_BACKEND = os.environ.get("APTIC_JOBS_BACKEND", "thread" if EMBEDDED else "celery")
if APTIC_JOBS_BACKEND not in ("celery", "thread", "sync"):
    raise ImproperlyConfigured("APTIC_JOBS_BACKEND must be 'celery', 'thread' or 'sync'.")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")
if APTIC_JOBS_BACKEND == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("REDIS_URL (or CELERY_BROKER_URL) is required for background work in production.")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"

# Files that only their owners and staff may read (bank statements, signed quotes, address files,
# print files): kept outside MEDIA_ROOT and served by views that check access.
PRIVATE_ROOT = Path(os.environ.get("APTIC_PRIVATE_ROOT", VAR_DIR / "private"))

# The platform's legal identity on quotes and invoices (aptic/core/legal.py) and its debtor account
# in SEPA files (aptic/payouts/sepa.py): APTIC_LEGAL_NAME, _SIRET, _ADDRESS… and APTIC_SEPA_DEBTOR_NAME,
# _IBAN, _BIC. Unset, demonstration values apply, which the deployment checklist refuses in production.
for _name, _value in os.environ.items():
    if _name.startswith(("APTIC_LEGAL_", "APTIC_SEPA_DEBTOR_")) and _value:
        globals()[_name] = _value

# The SEPA transfer message (ADR 0044): the EPC's pain.001.001.09, or pain.001.001.03 for a bank that
# still asks for the 2009 version.
APTIC_SEPA_SCHEMA = os.environ.get("APTIC_SEPA_SCHEMA", "pain.001.001.09")
if APTIC_SEPA_SCHEMA not in ("pain.001.001.09", "pain.001.001.03"):
    raise ImproperlyConfigured("APTIC_SEPA_SCHEMA must be 'pain.001.001.09' or 'pain.001.001.03'.")

# Invitations to join an organisation stay valid this long.
APTIC_INVITATION_DAYS = 14
