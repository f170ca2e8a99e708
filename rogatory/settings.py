"""Settings for Rogatory; everything that varies by deployment comes from the environment."""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ------------------------------------------------------------------------------------

DEBUG = _env_bool("ROGATORY_DEBUG", False)
SECRET_KEY = os.environ.get("ROGATORY_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-process key is safe for the command line and tests: nothing it signs outlives it.
    # A server that keeps sessions needs ROGATORY_SECRET_KEY; `rogatory serve` insists on it.
    SECRET_KEY = "insecure-" + os.urandom(32).hex()
ALLOWED_HOSTS = _env_list("ROGATORY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rogatory.core",
    "rogatory.reference",
    "rogatory.register",
    "rogatory.intake",
    "rogatory.statistics",
    "rogatory.accounts",
    "rogatory.audit",
    "rogatory.api",
    "rogatory.web",
    "rogatory.publication",
    "rogatory.deadlines",
    "rogatory.reminders",
    "rogatory.drafting",
    "rogatory.engagements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 503 with Retry-After, not 500, while the database cannot be reached.
    "rogatory.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "rogatory.web.middleware.PermissionsPolicyMiddleware",
    # After authentication and messages: it signs out an idle or too old session and says why.
    "rogatory.web.middleware.SessionTimeoutMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rogatory.audit.middleware.AuditContextMiddleware",
    # Last, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rogatory.urls"
WSGI_APPLICATION = "rogatory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "rogatory.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------


def _database(url: str) -> dict:
    """Return the settings of the database at `url`, with the options Rogatory runs it with."""
    database = dj_database_url.parse(url, conn_max_age=60)
    # A kept connection that a database restart broke is replaced before the next request uses
    # it, instead of failing that request.
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            # WAL lets readers work during a long import; IMMEDIATE avoids "database is locked"
            # when two writers start a transaction at the same time.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler prices the figures' correlated subqueries by their worst case
        # and spends seconds compiling queries that run in milliseconds (benchmarks/pages.py: an
        # as-of report took 3.2 s with JIT, 0.08 s without).
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


DATABASES = {
    "default": _database(
        os.environ.get("ROGATORY_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'rogatory.sqlite3'}"
    )
}
if os.environ.get("ROGATORY_REPLICA_DATABASE_URL"):
    # A read-only copy fed by PostgreSQL's streaming replication. Reports and lists read from it
    # (rogatory/core/replica.py marks them); everything else, and every write, uses the primary.
    DATABASES["replica"] = _database(os.environ["ROGATORY_REPLICA_DATABASE_URL"])
    # A test run has no replica of its own: reads meant for it go to the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["rogatory.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ----------------------------------------------------------------------


def _cache(url: str) -> dict:
    """Return the settings of the cache that `url` names; the database's own table by default."""
    scheme, _, location = url.partition("://")
    if not url:
        # Shared by every server and worker without another service to run.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rogatory_cache",
        }
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # One Redis may serve other applications too.
            "KEY_PREFIX": "rogatory",
        }
    if scheme == "locmem":
        # One process's memory: for tests and a single development server only.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": location or "rogatory",
        }
    raise ImproperlyConfigured(
        f"ROGATORY_CACHE_URL must start with redis://, rediss://, unix:// or locmem://, not {url!r}"
    )


CACHES = {"default": _cache(os.environ.get("ROGATORY_CACHE_URL", ""))}

_SESSION_ENGINES = {
    # In the database, sessions survive a restart of every server and of the cache.
    "database": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
}
_session_store = os.environ.get("ROGATORY_SESSION_STORE") or "database"
if _session_store not in _SESSION_ENGINES:
    raise ImproperlyConfigured(
        f"ROGATORY_SESSION_STORE must be database or cache, not {_session_store!r}"
    )
SESSION_ENGINE = _SESSION_ENGINES[_session_store]

# --- Users and sign-in -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"
# A session ends this long after signing in, however busy (rogatory.web.middleware), and
# after ROGATORY_SESSION_IDLE_MINUTES without a request; the sign-in page then says which.
SESSION_COOKIE_AGE = int(os.environ.get("ROGATORY_SESSION_SECONDS", str(8 * 3600)))
ROGATORY_SESSION_IDLE_SECONDS = int(os.environ.get("ROGATORY_SESSION_IDLE_MINUTES", "30")) * 60
# API tokens expire: after ROGATORY_TOKEN_DAYS unless a shorter lifetime is chosen; supervisors,
# administrators and `rogatory token create --days` may choose up to ROGATORY_TOKEN_MAX_DAYS.
ROGATORY_TOKEN_DAYS = int(os.environ.get("ROGATORY_TOKEN_DAYS", "90"))
ROGATORY_TOKEN_MAX_DAYS = max(
    int(os.environ.get("ROGATORY_TOKEN_MAX_DAYS", "365")), ROGATORY_TOKEN_DAYS
)
# Lock out a user name and address pair after this many failed sign-ins, for this long.
AXES_FAILURE_LIMIT = int(os.environ.get("ROGATORY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ROGATORY_LOGIN_LOCKOUT_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "rogatory.core.clients.client_address"
# How many reverse proxies stand in front of Rogatory; their X-Forwarded-For names the client.
ROGATORY_PROXY_COUNT = int(os.environ.get("ROGATORY_PROXY_COUNT", "0"))
OTP_TOTP_ISSUER = "Rogatory"

# --- Passwords -------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time ----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("ROGATORY_TIME_ZONE", "UTC")
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------

STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("ROGATORY_S3_BUCKET"):
    # Documents in an S3-compatible bucket, which every server and worker reaches alike. The
    # credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
    # an instance role), never from these settings.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ROGATORY_S3_BUCKET"],
            "endpoint_url": os.environ.get("ROGATORY_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ROGATORY_S3_REGION") or None,
            "location": os.environ.get("ROGATORY_S3_PREFIX", "").strip("/"),
            "default_acl": "private",
            # Rogatory streams every download itself after checking who asks, so no address
            # of an object may open it on its own.
            "querystring_auth": False,
            "file_overwrite": False,
            # A download is spooled to disk beyond this, not held in a worker's memory.
            "max_memory_size": 1024 * 1024,
        },
    }
# Uploads larger than this are refused before they reach a view (documents, register files).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROGATORY_MAX_UPLOAD_BYTES = int(os.environ.get("ROGATORY_MAX_UPLOAD_MB", "50")) * 1024 * 1024
STATIC_ROOT = Path(os.environ.get("ROGATORY_STATIC_ROOT", Path.cwd() / "static"))
MEDIA_ROOT = Path(os.environ.get("ROGATORY_MEDIA_DIR", Path.cwd() / "media"))

# --- Security --------------------------------------------------------------------------------

# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_bool("ROGATORY_SSL_REDIRECT", not DEBUG)
# Load balancers and monitors probe the health endpoints over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = int(os.environ.get("ROGATORY_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = _env_bool("ROGATORY_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Cookies travel only over HTTPS in production. A demo on http://127.0.0.1 turns this off.
SESSION_COOKIE_SECURE = _env_bool("ROGATORY_SECURE_COOKIES", not DEBUG)
# Lax, not Strict: a link to a request page in an e-mail opens it signed in, while a form
# another site posts still arrives without the cookies (and fails the CSRF check anyway).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Pages send the CSRF token in their forms and in htmx's hx-headers; no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page needs are switched off; pages may only write to the clipboard (the
# token page's Copy button) and never read it. rogatory.web.middleware sends the header.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "clipboard-read=(), clipboard-write=(self)"
)


def _inline_style_sources(*names: str) -> list[str]:
    """Return the CSP sources that allow the one inline <style> element of each template."""
    sources = []
    for name in names:
        template = BASE_DIR / "web" / "templates" / "web" / name
        if not template.is_file():
            continue
        style = template.read_text(encoding="utf-8").split("<style>", 1)[1].split("</style>")[0]
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode("ascii")
        sources.append(f"'sha256-{digest}'")
    return sorted(set(sources))


# No inline script or style runs: scripts and styles come from our static files only. The one
# exception is the <style> of the 500 page (and of the 503 page that extends it), allowed by its
# hash, because those pages must look right when the static files or the database are what
# failed. Charts are SVG images (data: URLs), whose own styles apply inside the image only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *_inline_style_sources("500.html")],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- E-mail and reminders --------------------------------------------------------------------

# Reminders of deadlines go out by e-mail. In development (ROGATORY_DEBUG) they are printed to
# the console by default; in production they go to the SMTP server below. "file" writes each
# message to ROGATORY_EMAIL_FILE_PATH; a dotted path names any other Django e-mail backend.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_email_backend = os.environ.get("ROGATORY_EMAIL_BACKEND") or ("console" if DEBUG else "smtp")
if _email_backend not in _EMAIL_BACKENDS and "." not in _email_backend:
    raise ImproperlyConfigured(
        "ROGATORY_EMAIL_BACKEND must be console, file, smtp, locmem, dummy or the dotted path "
        f"of an e-mail backend, not {_email_backend!r}"
    )
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = Path(os.environ.get("ROGATORY_EMAIL_FILE_PATH", Path.cwd() / "mail"))
EMAIL_HOST = os.environ.get("ROGATORY_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ROGATORY_EMAIL_PORT", "25"))
# The password comes from the environment only, like every other secret.
EMAIL_HOST_USER = os.environ.get("ROGATORY_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ROGATORY_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("ROGATORY_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("ROGATORY_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set ROGATORY_EMAIL_USE_TLS (STARTTLS, usually port 587) or ROGATORY_EMAIL_USE_SSL "
        "(implicit TLS, usually port 465), not both"
    )
# A mail server that does not answer must not hold a reminder run for ever.
EMAIL_TIMEOUT = int(os.environ.get("ROGATORY_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("ROGATORY_EMAIL_FROM", "rogatory@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Our own state (ISO 3166-1 alpha-2): which treaties bind us and a counterpart, shown on a
# request letter's draft. The shipped treaty parties are those of the Russian Federation.
ROGATORY_OUR_STATE = (os.environ.get("ROGATORY_OUR_STATE") or "RU").upper()
# The address users open Rogatory at, such as https://rogatory.example; links in e-mails start
# with it. Without it they are paths only (/requests/12/).
ROGATORY_BASE_URL = os.environ.get("ROGATORY_BASE_URL", "").rstrip("/")
# `rogatory worker` queues the day's reminders once the local time (TIME_ZONE) passes this hour.
ROGATORY_REMINDER_HOUR = int(os.environ.get("ROGATORY_REMINDER_HOUR", "7"))
if not 0 <= ROGATORY_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(
        f"ROGATORY_REMINDER_HOUR must be an hour from 0 to 23, not {ROGATORY_REMINDER_HOUR}"
    )
# Users have no language of their own yet; digests are written in this one.
ROGATORY_REMINDER_LANGUAGE = os.environ.get("ROGATORY_REMINDER_LANGUAGE") or LANGUAGE_CODE
if ROGATORY_REMINDER_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"ROGATORY_REMINDER_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, "
        f"not {ROGATORY_REMINDER_LANGUAGE!r}"
    )

# --- Logging ---------------------------------------------------------------------------------

# No log line holds personal data: rogatory.core.logging replaces addresses by the routes they
# match and withholds exceptions' messages. The filter sits on the handler, for every record, and
# on the loggers that see requests, so that whatever else listens to them gets clean records too.
_PERSONAL_DATA = {"filters": ["personal_data"]}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "rogatory.core.logging.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", **_PERSONAL_DATA}},
    "loggers": {
        "django.request": _PERSONAL_DATA,
        "django.security": _PERSONAL_DATA,
        "rogatory.api.errors": _PERSONAL_DATA,
        # The development server's own lines, which would otherwise bypass the filter.
        "django.server": {"handlers": ["console"], "propagate": False, **_PERSONAL_DATA},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ROGATORY_LOG_LEVEL", "WARNING")},
}

# --- Background tasks ------------------------------------------------------------------------

# Register imports and exports run as background tasks (django-tasks), so that a large file
# never holds a web worker. By default a task waits in the database until `rogatory worker`, a
# process of its own, runs it (`rogatory serve --with-worker` starts one beside the server).
# ROGATORY_TASKS=immediate runs each task inside the process that asks for it instead: one
# process and no worker, at the price of long requests.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks = os.environ.get("ROGATORY_TASKS") or "database"
if _tasks not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"ROGATORY_TASKS must be database or immediate, not {_tasks!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks]}}
