"""Settings from the environment, with embedded defaults that run on one machine with no services.

Unset ``DATABASE_URL`` → SQLite under ``var/``; unset ``CELERY_BROKER_URL`` → kombu's filesystem
transport under ``var/broker``; unset ``EMAIL_URL`` → one file per email under ``var/outbox``.
"""

from datetime import timedelta
from pathlib import Path

import environ
import fontpkg_sarabun
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded defaults (SQLite, broker, outbox) live here

DEBUG = env.bool("DEBUG", default=False)
# No fallback key outside DEBUG: a known key forges sessions, password-reset links and signed data.
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 for development."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. Off by default (make run and the tests speak plain HTTP); the production environment in the
# README turns them on, and `manage.py check --deploy` is clean with it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" (the header the proxy sets, and
# its value for HTTPS). Only set it when the proxy always sets or overwrites that header.
SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER", default=[])) or None
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER must be "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https"')
# How many reverse proxies append to X-Forwarded-For in front of the server (0: clients connect
# directly). The failed-login lockout per address trusts only the entries those proxies wrote.
REVERSE_PROXY_COUNT = env.int("REVERSE_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "viewflow",
    "viewflow.workflow",
    "memos",
    "workflow",
    "worker",
    "accounts",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.ThaiUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # viewflow's frontend: puts the site and app on request.resolver_match (menus, app
    # permissions), and answers a Turbo form POST that re-renders the form with 422.
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as django-axes asks: turns a lockout into accounts.lockout.lockout_response
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
                "web.checks.admin_context",  # the signing certificate's expiry banner on admin pages
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout so the web server and the worker can share the file. Transactions
    # begin IMMEDIATE (take the write lock at BEGIN): a deferred one that reads, then writes, gets
    # "database is locked" at once when another writer got in between, busy timeout or not.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    # Keep each process's PostgreSQL connection between requests and tasks instead of opening
    # one per request (a new connection costs about as much as the request itself: GET /api/tasks/
    # went from 80 to 152 requests/s). CONN_MAX_AGE rather than Django 5.2's psycopg pool: gunicorn's
    # workers and Celery's pool processes each serve one request or task at a time, so one kept
    # connection per process (per thread with gthread) is all a pool would hold, without another
    # dependency. Connections in use = web workers × threads + worker concurrency + beat; keep it
    # under PostgreSQL's max_connections (100). Health checks drop a connection that died (a
    # PostgreSQL restart) before it is used; Celery's Django fixup closes expired ones between tasks.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend, reading date-times with psycopg's compiled loader (config/postgresql/base.py)
    DATABASES["default"]["ENGINE"] = "config.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # refuses a locked-out username or address before the password is even checked
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.OfficeBackend",  # ModelBackend, reading the user with their official and role
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
# ours (make messages), then Thai for viewflow's strings (hand-kept, see its header)
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Sarabun comes from the fontpkg-sarabun package, served as /static/fonts/… (no copy in the repo).
STATICFILES_DIRS = [BASE_DIR / "static", ("fonts", str(fontpkg_sarabun.ROOT / "files"))]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = True

# Uploads: attachments are PDF or images; anything bigger is refused with a clear 400.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A multipart body larger than an attachment plus the form's fields is cut off at its first file,
# before the file is read (memos/uploads.py); then Django's own handlers.
FILE_UPLOAD_HANDLERS = [
    "memos.uploads.AttachmentSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Email: EMAIL_URL (smtp://host:port) or files in var/outbox.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="สารบรรณ <saraban@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
MAIL_DOMAIN = env("MAIL_DOMAIN", default="saraban.localhost")  # right-hand side of Message-IDs
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=8)
MAIL_RETRY_BASE_SECONDS = env.int("MAIL_RETRY_BASE_SECONDS", default=30)  # doubles each try, at most 1 h
REMINDER_WORKING_DAYS = env.int("REMINDER_WORKING_DAYS", default=3)
# Deadlines of review steps by urgency (ชั้นความเร็ว), in working hours (memos/deadlines.py): office
# hours Monday to Friday, Thai public holidays excluded. Past the deadline the assignee is emailed;
# MEMO_ESCALATE_HOURS more working hours later, the assignee's superior. The sweep runs every
# OVERDUE_SWEEP_MINUTES. ปกติ 24 h = three working days, the same as REMINDER_WORKING_DAYS.
WORKDAY_HOURS = ("08:30", "16:30")
MEMO_DEADLINE_HOURS = {"normal": 24, "urgent": 8, "very_urgent": 4, "most_urgent": 2}
MEMO_ESCALATE_HOURS = {"normal": 16, "urgent": 8, "very_urgent": 4, "most_urgent": 2}
OVERDUE_SWEEP_MINUTES = env.int("OVERDUE_SWEEP_MINUTES", default=15)

# Celery. The embedded broker is kombu's filesystem transport: no server, survives restarts.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    from kombu.transport import TRANSPORT_ALIASES

    TRANSPORT_ALIASES["filesystem"] = "config.embedded_broker:Transport"  # messages published whole
    _broker_dir = VAR_DIR / "broker"
    for _d in ("queue", "processed", "control"):
        (_broker_dir / _d).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # exchange bindings; kombu's default is ./control
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if not CELERY_BROKER_URL.startswith("filesystem://"):
    # Redis: a message taken by a worker that then died is handed out again after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT)
    }
# The outbox: the sweep re-hands pending work not handed over for this long (longer than a task
# may run, so work in progress is not duplicated needlessly; duplicates are harmless anyway).
OUTBOX_REDISPATCH_AFTER = env.int("OUTBOX_REDISPATCH_AFTER", default=CELERY_TASK_TIME_LIMIT + 60)
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
# Queues: documents (rendering: CPU-heavy, prefetch 1) and mail (network waits), so a slow SMTP
# server never holds up issuing and a long report never delays an email.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "worker.tasks.issue_memo": {"queue": "documents"},
    "worker.tasks.send_email": {"queue": "mail"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "worker.tasks.sweep_outbox", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    "remind-waiting": {"task": "worker.tasks.remind_waiting", "schedule": crontab(hour=8, minute=0)},
    "chase-overdue": {"task": "worker.tasks.chase_overdue", "schedule": float(OVERDUE_SWEEP_MINUTES * 60)},
    # open tasks follow assignments that ended (or began) by date: just after midnight, before reminders
    "reassign-open-tasks": {"task": "worker.tasks.reassign_open_tasks", "schedule": crontab(hour=0, minute=5)},
    # files kept across a form error whose token has expired (memos.uploads.PENDING_MAX_AGE)
    "sweep-pending-uploads": {"task": "worker.tasks.sweep_pending_uploads", "schedule": crontab(hour=3, minute=15)},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# Failed logins (login page, admin login, POST /api/auth/token/), django-axes: after
# AXES_FAILURE_LIMIT failures the username is locked, and so is the address, each on its own, until
# AXES_COOLOFF_MINUTES pass without a further attempt; successful logins never count. Staff lift a
# lockout in /admin/ (Axes: access attempts) or with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# API tokens (django-rest-knox, see accounts/authentication.py): a token dies after
# API_TOKEN_IDLE_HOURS unused, and API_TOKEN_MAX_AGE_DAYS after it was issued whatever its use.
_TOKEN_MAX_AGE = timedelta(days=env.float("API_TOKEN_MAX_AGE_DAYS", default=7))
REST_KNOX = {
    "TOKEN_TTL": min(timedelta(hours=env.float("API_TOKEN_IDLE_HOURS", default=8)), _TOKEN_MAX_AGE),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": _TOKEN_MAX_AGE,
    "MIN_REFRESH_INTERVAL": 60,  # seconds: the expiry is written at most once a minute per token
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "web.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Memo approval API",
    "DESCRIPTION": "บันทึกข้อความ: drafting, sequential sign-off, decisions",
    "VERSION": "1",
    # the schema and the docs are for logged-in users (session or token) only
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and Redoc from drf-spectacular-sidecar, served by us: no CDN, no @latest
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # a memo's classes as codes (normal, urgent …); the memo document prints them in Thai (its own enums);
    # a route step's status is not the verification's "status" (both fields are named status)
    "ENUM_NAME_OVERRIDES": {"UrgencyEnum": "memos.models.memo.Urgency", "SecrecyEnum": "memos.models.memo.Secrecy",
                            "RouteStatusEnum": "memos.tracking.ROUTE_STATUSES",
                            "StatusEnum": ["authentic", "modified", "unknown"]},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Signing issued PDFs (memos/signing/keys.py; README "Signing"). A PKCS#11 token (HSM) by module,
# slot or token label, key label and PIN; else a PKCS#12 file and its password; else a throw-away
# demo PKI generated into SIGNING_DEMO_DIR on first use, with an in-process time-stamp authority.
# TSA_URL: an RFC 3161 time-stamp authority (PAdES B-LT); without one (and no demo PKI), B-B.
SIGNING_PKCS11_MODULE = env("SIGNING_PKCS11_MODULE", default="")
SIGNING_PKCS11_SLOT = env("SIGNING_PKCS11_SLOT", default="")
SIGNING_PKCS11_TOKEN_LABEL = env("SIGNING_PKCS11_TOKEN_LABEL", default="")
SIGNING_PKCS11_KEY_LABEL = env("SIGNING_PKCS11_KEY_LABEL", default="")
SIGNING_PKCS11_CERT_LABEL = env("SIGNING_PKCS11_CERT_LABEL", default="")
SIGNING_PKCS11_PIN = env("SIGNING_PKCS11_PIN", default="")
SIGNING_PKCS12_PATH = env("SIGNING_PKCS12_PATH", default="")
SIGNING_PKCS12_PASSWORD = env("SIGNING_PKCS12_PASSWORD", default="")
TSA_URL = env("TSA_URL", default="")
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])  # PEM/DER files; default: the chain's root
SIGNING_CRLS = env.list("SIGNING_CRLS", default=[])  # CRL files to embed (no network fetch at signing)
SIGNING_DEMO_DIR = env("SIGNING_DEMO_DIR", default=str(VAR_DIR / "pki"))
SIGNING_DEMO_TSA = env.bool("SIGNING_DEMO_TSA", default=True)
# The admin warns this many days before the signing certificate expires.
SIGNING_EXPIRY_WARNING_DAYS = env.int("SIGNING_EXPIRY_WARNING_DAYS", default=30)
# Upload limit of /verify/ and /api/verify/: the attachment limit (the upload handlers in
# FILE_UPLOAD_HANDLERS cut any multipart body there); bigger documents are checked by their code.
VERIFY_UPLOAD_MAX_BYTES = ATTACHMENT_MAX_BYTES
# What /verify/ shows of a memo (announcements are public and show everything): a per-deployment
# setting, from number, date, agency, steps ("ลงนามครบ ๔ ขั้น"), subject, approvers.
VERIFY_MEMO_PUBLIC_FIELDS = env.list("VERIFY_MEMO_PUBLIC_FIELDS", default=["number", "date", "agency", "steps"])
