"""Sinergi settings: one file, configured by environment variables.

Every variable is documented in README.md ("Configuration"). Parsing is strict: a value
that cannot be read fails at start-up instead of being silently replaced by a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SINERGI_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_probability(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not 0 < value < 1:
        raise ImproperlyConfigured(f"{name}={raw!r} must be a probability between 0 and 1 (exclusive).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_or_create_secret_key() -> str:
    """A stable key without configuration: generated once into var/ (0600) when not given."""
    configured = os.environ.get("SINERGI_SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = env_bool("SINERGI_DEBUG", False)
SECRET_KEY = read_or_create_secret_key()
# Keys that encrypt sensitive fields at rest, the current one first (sinergi/encryption/keys.py; rotation in
# docs/operations.md). Unset: one key generated into var/field_keys, for the demo only.
SINERGI_FIELD_KEYS = env_list("SINERGI_FIELD_KEYS", [])
# Retention per record type in days, overriding sinergi/privacy/retention.py POLICY ("import_rows=90,persons=3650").
SINERGI_RETENTION_DAYS = env_list("SINERGI_RETENTION_DAYS", [])
ALLOWED_HOSTS = env_list("SINERGI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("SINERGI_CSRF_TRUSTED_ORIGINS", [])
# Public address used in links sent out of the system (emails, QR codes on letters).
SITE_URL = env_str("SINERGI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "simple_history",
    "django_tasks_db",
    "ninja",  # serves its Swagger UI from its own static files, not a CDN
    "sinergi.accounts",
    "sinergi.regions",
    "sinergi.audit",
    "sinergi.encryption",
    "sinergi.backup",
    "sinergi.registry",
    "sinergi.directory",
    "sinergi.sop",
    "sinergi.cases",
    "sinergi.referrals",
    "sinergi.notifications",
    "sinergi.sources",
    "sinergi.imports",
    "sinergi.matching",
    "sinergi.changes",
    "sinergi.assistance",
    "sinergi.sharing",
    "sinergi.assessments",
    "sinergi.benefits",
    "sinergi.programmes",
    "sinergi.outreach",
    "sinergi.statements",
    "sinergi.reports",
    "sinergi.privacy",
    "sinergi.breaches",
    "sinergi.linkagecli",
    "sinergi.demo",
    "sinergi.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "sinergi.audit.middleware.AuditOriginMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sinergi.accounts.mfa.RequireMfaMiddleware",
    "sinergi.accounts.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it watches the authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sinergi.urls"
# Forms render with the project's template engine, so templates/django/forms/ may override a widget's template
# (the select widget's, for speed) and the cached loader serves them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "sinergi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sinergi.accounts.context_processors.capabilities",
                "sinergi.notifications.context_processors.unread",
            ],
            "libraries": {
                "sinergi_widgets": "sinergi.widgets",
                "sinergi_menu": "sinergi.menu",
                "sinergi_rows": "sinergi.rows",
            },
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sinergi.sqlite3'}"),
        conn_max_age=env_int("SINERGI_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while pages read; IMMEDIATE avoids lock upgrades that
    # SQLite can only answer with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("SINERGI_PG_JIT", False):
    # PostgreSQL's JIT compiles a query it estimates as costly (a count over an agency's referrals) and spent
    # 700 ms compiling to save nothing on a 1.4 s count (bench/bench_pg_scale.py, docs/benchmarks-history.md):
    # off for this short-query workload, as commonly advised for OLTP; SINERGI_PG_JIT=1 turns it back on.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, each loading a session's user with its roles and the menu's figures in one
# query (sinergi/accounts/backends.py). Sessions made before this naming (Django's or allauth's own path) end
# once: their user must sign in again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sinergi.accounts.backends.ModelBackend",
    "sinergi.accounts.backends.AllauthAuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: staff accounts are created by an admin, never by sign-up; login by username.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "sinergi.accounts.adapters.StaffOnlyAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Roles that must switch on two-factor login before using Sinergi (sinergi/accounts/mfa.py); empty = nobody.
SINERGI_MFA_REQUIRED_ROLES = env_list("SINERGI_MFA_REQUIRED_ROLES", ["supervisor", "operator_data", "admin"])
# Lockout is django-axes' job, by username only (offices share one NAT address): allauth's own per-address
# login rate limit would lock a whole office out after a few strangers' typos, so it is off. The other
# allauth limits (password reset mails, TOTP attempts) stay.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
MFA_TOTP_ISSUER = "Sinergi"

# django-axes: lock a username after repeated failures, whatever the address (offices share NAT).
AXES_FAILURE_LIMIT = env_int("SINERGI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SINERGI_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Axes warns when the IP address is not a lockout parameter. Here it must not be: a whole office
# behind one NAT address would be locked out by one person's typos. Per-username locking stops
# password guessing against an account from any number of addresses.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "id"
# Each language is named in itself, so a reader of the other one can still find it.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Makassar"  # WITA: the agencies' working time zone.
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from the npm registry at install time (package-lock.json pins them);
# only their dist folders are exposed, never copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/flatpickr", BASE_DIR / "node_modules" / "flatpickr" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Sessions stay in the database (a per-process cache would keep a logged-out session alive in the other
# workers); read with one plain SELECT (sinergi/accounts/sessions.py).
SESSION_ENGINE = "sinergi.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SINERGI_SESSION_HOURS", 10) * 3600
SESSION_COOKIE_SECURE = env_bool("SINERGI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS in production (docs/operations.md): SINERGI_SECURE_COOKIES=1 turns on HSTS for a year and the redirect
# to https; behind a TLS-terminating proxy also SINERGI_PROXY_COUNT=1 (one proxy sets X-Forwarded-Proto/-For).
SECURE_HSTS_SECONDS = env_int("SINERGI_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SINERGI_HSTS_INCLUDE_SUBDOMAINS", SESSION_COOKIE_SECURE)
SECURE_HSTS_PRELOAD = env_bool("SINERGI_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SINERGI_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Reverse proxies in front of Sinergi that append to X-Forwarded-For (0: none, REMOTE_ADDR is the client).
SINERGI_PROXY_COUNT = env_int("SINERGI_PROXY_COUNT", 0)
if SINERGI_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = SINERGI_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    ALLAUTH_TRUSTED_PROXY_COUNT = SINERGI_PROXY_COUNT
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Imports run on their own queues, so that a small file never waits behind a big one (docs/imports.md "Workers").
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports-small", "imports-large"],
    }
}

MAILERS = {
    "default": {
        "BACKEND": env_str("SINERGI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("SINERGI_EMAIL_HOST"),
                "port": env_int("SINERGI_EMAIL_PORT", 587) if os.environ.get("SINERGI_EMAIL_HOST") else None,
                "username": os.environ.get("SINERGI_EMAIL_USER"),
                "password": os.environ.get("SINERGI_EMAIL_PASSWORD"),
                "use_tls": env_bool("SINERGI_EMAIL_TLS", True) if os.environ.get("SINERGI_EMAIL_HOST") else None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("SINERGI_EMAIL_FROM", "Sinergi <sinergi@localhost>")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SINERGI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# The agencies' home province, preselected in region pickers (Kemendagri code).
SINERGI_HOME_PROVINCE = env_str("SINERGI_HOME_PROVINCE", "72")

# Record matching (docs/matching.md): pairs at or above the match threshold link automatically, pairs
# between the review and match thresholds go to a data officer's review queue.
SINERGI_MATCH_THRESHOLD = env_probability("SINERGI_MATCH_THRESHOLD", 0.999)
SINERGI_REVIEW_THRESHOLD = env_probability("SINERGI_REVIEW_THRESHOLD", 0.2)

# Imports (docs/imports.md): files above the limit are refused before they are read; uploads wait in a
# private folder (never the web root) and are deleted when their import ends.
# Searches that reach other agencies' persons (full NIK, or name + birth year), per user and hour; over it
# only the user's own records are searched, and the refusal is logged (issue 9, finding 2).
SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR = env_int("SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR", 60)
# Milliseconds after which a logged read (person.viewed) is linked into the audit chain by the process's sealer
# thread, in a batch with the other reads of that moment (sinergi/audit/chain.py: seal_soon). 0: by the request
# itself after commit, like every write's event. The web server sets 500 (scripts/gunicorn.conf.py).
SINERGI_AUDIT_SEAL_DELAY = env_int("SINERGI_AUDIT_SEAL_DELAY_MS", 0) / 1000
SINERGI_IMPORT_MAX_BYTES = env_int("SINERGI_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
SINERGI_IMPORT_DIR = VAR_DIR / "imports"
SINERGI_IMPORT_CHUNK_ROWS = env_int("SINERGI_IMPORT_CHUNK_ROWS", 200)
# A chunk of only unchanged and error rows (they write nothing but their marks) may be this long.
SINERGI_IMPORT_CHEAP_CHUNK_ROWS = env_int("SINERGI_IMPORT_CHEAP_CHUNK_ROWS", 2000)
SINERGI_IMPORT_STALL_SECONDS = env_int("SINERGI_IMPORT_STALL_SECONDS", 300)
# Rows a check scores against the registry in one linkage pass (one Splink session); see docs/benchmarks-history.md.
SINERGI_IMPORT_ANALYSIS_ROWS = env_int("SINERGI_IMPORT_ANALYSIS_ROWS", 2000)
# ... for the first chunk; each next one is twice as long, up to this (fewer passes over a large file).
SINERGI_IMPORT_ANALYSIS_MAX_ROWS = env_int("SINERGI_IMPORT_ANALYSIS_MAX_ROWS", 20_000)
# What one file may hold, checked while it is read (docs/imports.md "Limits").
SINERGI_IMPORT_MAX_ROWS = env_int("SINERGI_IMPORT_MAX_ROWS", 1_000_000)
SINERGI_IMPORT_MAX_CELL_CHARS = env_int("SINERGI_IMPORT_MAX_CELL_CHARS", 32_767)
SINERGI_IMPORT_MAX_UNPACKED_BYTES = env_int("SINERGI_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
# Files up to this size are checked and imported on the "imports-small" queue, which a big file never blocks.
SINERGI_IMPORT_SMALL_BYTES = env_int("SINERGI_IMPORT_SMALL_BYTES", 5 * 1024 * 1024)
# Uploads being received wait here (not the system /tmp), so that the cleanup finds those a killed server left.
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "tmp")
(VAR_DIR / "tmp").mkdir(mode=0o700, parents=True, exist_ok=True)
