"""Dossier settings.

Every deploy-specific value comes from the environment through the small typed
helpers below. The defaults suit a laptop: SQLite and the search index under
``./data``, DEBUG off, a secret key generated once into the data folder.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    """The variable's value; unset or blank means the default (``VAR= make test`` is unset)."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DOSSIER_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DEBUG = env_bool("DJANGO_DEBUG", False)
# Behind TLS in production: secure cookies, HSTS and the HTTPS redirect.
HTTPS = env_bool("DJANGO_HTTPS", False)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    if HTTPS:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production (DJANGO_HTTPS=true).")
    # Development: generate one key into the data folder and keep it, so sessions
    # survive restarts without anybody typing a secret into a file.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "archive",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DOSSIER_PUBLIC=false every view asks for sign-in unless it says otherwise.
    "archive.accounts.PrivateArchiveMiddleware",
    # Last, as django-axes asks: counts failed sign-ins and locks out guessers.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "archive.feeds.feed_and_export_links",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'dossier.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(DATA_DIR / "index")))
# How long one search may spend evaluating its query before it stops as "too expensive".
SEARCH_TIME_BUDGET_MS = env_int("SEARCH_TIME_BUDGET_MS", 1500)
# One byte budget for everything decoded from the index and kept between searches (search/cache.py).
SEARCH_CACHE_BYTES = env_int("SEARCH_CACHE_BYTES", 128 * 1024 * 1024)
# The class the archive's pages reach search through (archive.search_backend); loaded on first use.
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "search.backend.WhooshBackend")
# Several web servers on one database each keep their own index, following the change
# queue (search/queue.py). The index's name in the registry (default: host and folder);
# how often a server process looks for changes made through the others (0: never); how
# long an index may be away before the queue stops keeping changes for it.
SEARCH_INDEX_NAME = env_str("SEARCH_INDEX_NAME", "")
SEARCH_FOLLOW_SECONDS = float(env_str("SEARCH_FOLLOW_SECONDS", "1"))
SEARCH_REPLICA_EXPIRY_HOURS = env_int("SEARCH_REPLICA_EXPIRY_HOURS", 7 * 24)
SEARCH_QUEUE_GAP_SECONDS = env_int("SEARCH_QUEUE_GAP_SECONDS", 300)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The app serves its own CSS and scripts (WhiteNoise): `make run` collects them into
# STATIC_ROOT compressed and under content-hashed names (cached for a year by browsers).
# Finders let `make dev` serve them straight from static/; a name missing from the
# manifest falls back to the plain file instead of failing the page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Largest file the importer will read; bigger files are reported and skipped.
# The size limit of one imported article (a JSON Lines line, a page, a web-archive record);
# files of any size are read as streams. DOSSIER_IMPORT_MAX_FILE_BYTES is its older name.
IMPORT_MAX_ARTICLE_BYTES = env_int(
    "DOSSIER_IMPORT_MAX_ARTICLE_BYTES", env_int("DOSSIER_IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
)
IMPORT_MAX_FILE_BYTES = IMPORT_MAX_ARTICLE_BYTES

# Background jobs (archive/jobs.py) through the Django tasks API. "database" (the default)
# keeps the queue in the database and needs nothing else; "redis" uses RQ for larger
# installations; "immediate" runs each job at once in the calling process (tests, scripts).
TASKS_BACKEND = env_str("DOSSIER_TASKS_BACKEND", "database")
REDIS_URL = env_str("DOSSIER_REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("DOSSIER_JOB_TIMEOUT", 6 * 3600)}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"DOSSIER_TASKS_BACKEND must be database, redis or immediate, not {TASKS_BACKEND!r}")
# The cache holds what every server process must agree on, such as the API's throttle counts
# (an anonymous client's 120 requests a minute are 120 in all, not 120 per gunicorn worker).
# "file" (the default): a folder in the data directory, shared by the workers of this host;
# "redis": shared by every host (the default when jobs use Redis); "memory": this process only.
CACHE_BACKEND = env_str("DOSSIER_CACHE", "redis" if TASKS_BACKEND == "redis" else "file")
if CACHE_BACKEND == "file":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache")}}
elif CACHE_BACKEND == "redis":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif CACHE_BACKEND == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"DOSSIER_CACHE must be file, redis or memory, not {CACHE_BACKEND!r}")
# A failed job is tried this many times in all (with a growing pause), then shown as failed.
JOB_MAX_ATTEMPTS = env_int("DOSSIER_JOB_MAX_ATTEMPTS", 3)
# One upload of files to import in the admin is at most this large (the files wait in the database).
UPLOAD_MAX_BYTES = env_int("DOSSIER_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Exports (CSV, JSON Lines, RIS) stop after this many articles.
EXPORT_MAX_ROWS = env_int("DOSSIER_EXPORT_MAX_ROWS", 100_000)
# Feeds list this many of the newest matching articles.
FEED_ITEMS = env_int("DOSSIER_FEED_ITEMS", 50)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the admin's JavaScript does not read it, but forms work either way
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles and images only from the app's
# own static files; no page needs an inline script, style or style= attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Accounts, roles and private archives (archive/accounts.py). DOSSIER_PUBLIC=false: every
# page, export, feed and API endpoint needs a signed-in reader; feeds take a per-user key.
DOSSIER_PUBLIC = env_bool("DOSSIER_PUBLIC", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "saved_list"
LOGOUT_REDIRECT_URL = "archive:home"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out client before any password is checked.
    "archive.accounts.SignInRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (site and admin): after this many from one address the address waits.
AXES_FAILURE_LIMIT = env_int("DOSSIER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("DOSSIER_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# E-mail (saved-search digests): printed to the console unless told otherwise;
# EMAIL_HOST set means SMTP, DOSSIER_EMAIL_FILE_PATH set means one file per message.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env_str("DOSSIER_EMAIL_FILE_PATH", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", EMAIL_BACKEND)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Dossier <dossier@localhost>")
# Digests link back to the archive: the address it is served at.
DOSSIER_SITE_URL = env_str("DOSSIER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The read API (archive/api/, search/api.py).
REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["archive.api.permissions.CanReadArchive"],
    # JSON only: people read the API at /api/docs/ (the browsable API's pages need inline styles).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "archive.api.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "archive.api.schema.ArchiveAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("DOSSIER_API_ANON_RATE", "120/min"),
        "user": env_str("DOSSIER_API_USER_RATE", "600/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dossier API",
    "DESCRIPTION": "Read access to the archive: articles, entities, sources, tags and search.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs follow the archive's rule: in a private archive, readers only.
    "SERVE_PERMISSIONS": ["archive.api.permissions.CanReadArchive"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator: the page loads nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
}
