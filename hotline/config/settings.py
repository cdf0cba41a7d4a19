"""Django settings, read only from the environment (django-environ).

Every setting is listed in `.env.example`. A `.env` file in the working directory (or the one
named by HOTLINE_ENV_FILE) is read if present; real environment variables win over it.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # the `hotline` package
PROJECT_DIR = BASE_DIR.parent

env = environ.Env()
_env_file = os.environ.get("HOTLINE_ENV_FILE", str(Path.cwd() / ".env"))
if Path(_env_file).is_file():
    environ.Env.read_env(_env_file, overwrite=False)

HOTLINE_ENV = env.str("HOTLINE_ENV", default="development")
if HOTLINE_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"HOTLINE_ENV must be development, production or test, not {HOTLINE_ENV!r}"
    )
PRODUCTION = HOTLINE_ENV == "production"

DATA_DIR = Path(env.str("HOTLINE_DATA_DIR", default=str(PROJECT_DIR / "var"))).resolve()
# The SQLite file and collected static files live here; both need the folder to exist.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)

_INSECURE_KEY = "django-insecure-hotline-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when HOTLINE_ENV=production. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _INSECURE_KEY
elif PRODUCTION and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 32 characters.")
#: Earlier SECRET_KEYs, kept while a rotation settles: sessions and signatures made with them
#: stay valid, and sealed TOTP keys (hotline.common.sealing) stay readable until resealed.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Key of the identity-number hash (hotline.common.identity.id_hash). Set once per city and never
# changed: a new key orphans every stored hash. Production requires its own value.
ID_HASH_KEY = env.str("ID_HASH_KEY", default="")
if not ID_HASH_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ID_HASH_KEY is required when HOTLINE_ENV=production.")
    ID_HASH_KEY = "hotline-development-id-hash-key"

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "hotline.common",
    "hotline.geo",
    "hotline.accounts",
    "hotline.knowledge",
    "hotline.orders",
    "hotline.triage",
    "hotline.console",
    "hotline.intake",
    "hotline.stats",
    "hotline.workforce",
    "hotline.control",
    "hotline.sampling",
    "hotline.care",
    "hotline.screening",
    "hotline.reserve",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotline.common.middleware.SecurityHeadersMiddleware",
    # Before anything reads the request: U+0000 in a path, query or form field is refused.
    "hotline.common.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the platform speaks one language (LANGUAGES), which Django uses
    # without it; choosing per request cost ~70 µs on every request (docs/PERFORMANCE.md).
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hotline.accounts.middleware.AccountGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

#: Where a request holding U+0000 is answered in a surface's own error shape (path prefix: a
#: callable of the request and the message); elsewhere RefuseNulMiddleware's 400 page.
NUL_REFUSALS = {
    "/api/": "hotline.common.middleware.refuse_nul_json",
    "/open311/": "hotline.intake.open311.refuse_nul",
}

ROOT_URLCONF = "hotline.config.urls"
WSGI_APPLICATION = "hotline.config.wsgi.application"

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
                "hotline.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# Default: an SQLite file in the data directory, in WAL mode (the init_command below runs on
# every connection). PostgreSQL: DATABASE_URL=postgres://user@host:5432/name
_default_db = f"sqlite:///{DATA_DIR / 'hotline.sqlite3'}"
# An empty DATABASE_URL (as in a copied .env.example) means the default.
DATABASES = {
    "default": environ.Env.db_url_config(env.str("DATABASE_URL", default="") or _default_db)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend plus a file lock that queues write transactions (see its docstring).
    DATABASES["default"]["ENGINE"] = "hotline.common.sqlite_backend"
    DATABASES["default"].setdefault("OPTIONS", {})
    # Writers wait for the lock instead of failing at once when two workers write together.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # WAL lets readers go on while one writer writes; NORMAL sync is safe under WAL. A page
    # cache of 16 MB instead of SQLite's 2 MB: a batch of 500 orders changes more pages than
    # 2 MB hold (each order touches a leaf of ~20 indexes), so the default cache evicted pages
    # it had to read again within the same transaction — ~30 µs of CPU per batched order
    # (docs/PERFORMANCE.md, "Batches"). Memory only: durability is unchanged.
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command",
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA cache_size=-16000;",
    )
# Persistent connections on both engines: opening one (and, on SQLite, running the pragmas
# above) cost ~2.6 ms of CPU per request, most of a receive's own cost (docs/PERFORMANCE.md).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# axes first: it refuses a locked-out user or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "hotline.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login lockout (django-axes) ----------------------------------------------------------
# Locked per username and, separately, per address: five wrong passwords for one name lock that
# name from every address; five from one address lock that address for every name.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT (and the proxy's X-Forwarded-For).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Sessions and the second factor ----------------------------------------------------------
# An agent's screen shows callers' data: an idle agent session ends after this many seconds.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_IDLE_ROLES = env.list("SESSION_IDLE_ROLES", default=["agent", "volunteer_agent"])
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
# Roles that must enrol a TOTP second factor before using the platform (empty: optional).
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
#: Roles offered the TOTP enrolment page.
OTP_ROLES = ["admin", "supervisor"]

# --- Audit log ---------------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365 * 3)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# The largest body a request may carry: the largest valid batch of orders (500 appeals of
# 4,000 characters, JSON-escaped as \uXXXX: ~12 MB) must fit; Django's 2.5 MB default refused
# it. Anything larger is answered 413 `request_too_large` (hotline.common.api_errors).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=16 * 1024 * 1024)

# --- Static files (served by whitenoise) --------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production whitenoise serves straight from the app folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security headers and cookies -------------------------------------------------------------
# Production serves over TLS (HOTLINE_TLS=false only for a closed network without it): cookies
# are then sent only over HTTPS and browsers are told to stay on HTTPS (HSTS).
HOTLINE_TLS = env.bool("HOTLINE_TLS", default=PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HOTLINE_TLS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HOTLINE_TLS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HOTLINE_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# TLS ends at the reverse proxy, which says so in X-Forwarded-Proto.
if env.bool("SECURE_PROXY_SSL", default=HOTLINE_TLS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# hotline.common.middleware.SecurityHeadersMiddleware sends these. No 'unsafe-inline' anywhere:
# every script and style is a static file (data reaches scripts through data-* attributes).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # blob: for pictures the page makes from a file the user picks (the checkpoint reads a
    # photographed card with jsQR through an object URL); they never leave the browser.
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(self), payment=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# The outbox's gateway: a dotted path to a callable taking one Notification (raise to retry).
# The default logs the message: no SMS gateway is wired in this deployment.
OUTBOX_SENDER = env.str("OUTBOX_SENDER", default="hotline.orders.outbox.send")
