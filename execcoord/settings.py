"""Settings for execcoord, read from the environment.

Development defaults are safe to run locally: SQLite in the project folder, DEBUG off
unless ``DEBUG=1`` is set, a generated-per-checkout secret key only when DEBUG is on.
Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` (PostgreSQL).
"""

import os
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Tests and the local run command set EXECCOORD_DEV=1: they get a fixed, clearly
# non-secret key. Anything else must provide SECRET_KEY.
DEV_MODE = DEBUG or env_bool("EXECCOORD_DEV", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-insecure-execcoord-key-do-not-use-in-production" if DEV_MODE else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (or EXECCOORD_DEV=1 for a local run)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "execcoord.apps.AdminConfig",  # django.contrib.admin with the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # background work: django.tasks through its backport (execcoord.tasks); the database
    # queue's table and the RQ queues' settings are there whichever backend is chosen
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "execcoord",
    "partners",
    "analysis",
    "actions",
]

# The shared layer (execcoord) imports no domain app. What it needs of one is named here,
# like AUTH_USER_MODEL: the model of the organization units a saved view can be shared with.
EXECCOORD_UNIT_MODEL = "partners.OrganizationUnit"

MIDDLEWARE = [
    "execcoord.log.RequestIdMiddleware",
    "execcoord.middleware.ControlCharacterPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "execcoord.middleware.ResolvedUserMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "execcoord.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "execcoord.urls"
WSGI_APPLICATION = "execcoord.wsgi.application"

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
                "execcoord.context_processors.navigation",
                "actions.context_processors.notifications",
            ],
        },
    }
]

# Database: DATABASE_URL, default a SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: no persistent connections (they confuse the test runner's threads).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # No JIT: the visibility filter's subqueries make the planner's cost estimates large
    # enough to trigger JIT compilation, which costs seconds on pages whose queries run in
    # milliseconds; work_mem 32MB keeps the dashboard's grouping in memory (issue 7).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c work_mem=32MB"
    )
    # psycopg prepares only the statements asked to (``execcoord.db.compiled``: the same
    # SQL every request, planned once per connection), never by counting executions
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "execcoord.backends.ModelBackend",
    # single sign-on (execcoord/sso.py); it does nothing until OIDC_ISSUER is set
    "execcoord.sso.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
# The app speaks English and ships no translations: Django skips its translation machinery
# (every gettext and date format otherwise asks a thread-local for the active language:
# 7 % of the admin's change list, issue 20). Dates still follow execcoord/formats.
USE_I18N = False
USE_TZ = True
# One date style everywhere ("15 Jan 2027"): execcoord/formats/en/formats.py
FORMAT_MODULE_PATH = ["execcoord.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments, import previews) go through Django's storage API. With
# S3_BUCKET set they live in S3-compatible object storage that every app server shares
# (AWS S3, MinIO, Ceph...); otherwise on local disk under MEDIA_ROOT (one server only).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # None: boto3's own chain (AWS_ACCESS_KEY_ID..., instance roles)
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": None,  # private: files are served only through checked views
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEV_MODE
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: attachments go through a checked view

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "execcoord@localhost")
# Seconds a mail server may take to answer before a send fails (and is retried later):
# without it a server that accepts the connection and never answers blocks forever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Who gets an e-mail for every server error (ADMINS="Ops <ops@agency.gov>, b@agency.gov").
ADMINS = [
    (name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address
]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Background work (execcoord.tasks): Django's task framework (django.tasks; the django-tasks
# backport on Django 5.2). TASKS_BACKEND chooses the queue:
#   immediate - runs each task at once in the process that enqueues it (development, tests)
#   db        - a table in the project's database, run by `manage.py db_worker` processes
#               (the production default: no other service)
#   rq        - Redis (REDIS_URL), run by `manage.py rqworker --with-scheduler` processes
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEV_MODE else "db")
_TASK_BACKEND_CLASSES = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
if TASKS_BACKEND not in _TASK_BACKEND_CLASSES:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKEND_CLASSES)}, not {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKEND_CLASSES[TASKS_BACKEND]}}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 15 * 60}}
# A failed task is tried again up to TASKS_MAX_ATTEMPTS times in all, waiting
# TASKS_RETRY_DELAY seconds, then twice as long each time (at most TASKS_RETRY_MAX_DELAY);
# after the last try it becomes a dead letter (admin: "Dead letters", with a re-run action).
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "5"))
TASKS_RETRY_DELAY = float(os.environ.get("TASKS_RETRY_DELAY", "30"))
TASKS_RETRY_MAX_DELAY = float(os.environ.get("TASKS_RETRY_MAX_DELAY", "3600"))
# A task running longer than this is taken for abandoned by a killed worker
# (`manage.py recover_tasks`, from cron): its notification e-mails are queued again.
TASKS_STALE_AFTER = int(os.environ.get("TASKS_STALE_AFTER", "900"))

# Forms and tables
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "generic/_table.html"

# --- Security (issue 6). Production values are the defaults when DEBUG is off. ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # 12 hours at most
SESSION_IDLE_TIMEOUT = 30 * 60  # 30 minutes idle
HTTPS = env_bool("HTTPS", not DEV_MODE)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sign-in throttling: 5 failures for a user+address, then a cool-off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY", False) else None

# Domain settings
DUE_SOON_DAYS = int(os.environ.get("DUE_SOON_DAYS", "7"))
# Highest classification this installation may hold (a SecurityClassification value).
MAX_SECURITY_CLASSIFICATION = os.environ.get("MAX_SECURITY_CLASSIFICATION", "cui")
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024))
ATTACHMENT_ALLOWED_EXTENSIONS = env_list(
    "ATTACHMENT_ALLOWED_EXTENSIONS",
    "pdf,docx,doc,xlsx,xls,pptx,txt,csv,png,jpg,jpeg,msg,eml",
)
# E-mail intake (actions.intake): the type of the drafts made from received e-mail, by name
# (the upload page offers it first; ``intake_mail`` uses it unless --type names another).
INTAKE_ACTION_TYPE = os.environ.get("INTAKE_ACTION_TYPE", "")
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024))
# An import preview not confirmed within this many seconds is removed (purge_expired).
IMPORT_PREVIEW_MAX_AGE = int(os.environ.get("IMPORT_PREVIEW_MAX_AGE", 24 * 60 * 60))
# A submitted form's one-time key is kept this many seconds (purge_expired): a page sent again
# within it is recognised as sent.
FORM_KEY_MAX_AGE = int(os.environ.get("FORM_KEY_MAX_AGE", 30 * 24 * 60 * 60))
ESCALATION_BUSINESS_DAYS = int(os.environ.get("ESCALATION_BUSINESS_DAYS", "5"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Logs: one JSON line a record on standard error, each with its request's id, user, method
# and path (execcoord.log); every request error (4xx as WARNING, 5xx as ERROR with the
# traceback) is written whatever DEBUG says, and 5xx are also mailed to ADMINS.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "execcoord.log.RequestFilter"}},
    "formatters": {"json": {"()": "execcoord.log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
        },
        "django.security": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
        },
        # the project's own loggers write through the root's handler
        "execcoord": {"level": LOG_LEVEL},
        "actions": {"level": LOG_LEVEL},
        "axes": {"level": "WARNING"},
    },
}
LOGIN_URL_PATH = "/accounts/login/"

# --- Single sign-on with OpenID Connect (issue 19; execcoord/sso.py, README "Single sign-on").
# Off until OIDC_ISSUER and OIDC_CLIENT_ID are set. The endpoints are discovered from
# <issuer>/.well-known/openid-configuration.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")  # "Sign in with <name>"
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
# client_secret_basic, client_secret_post, private_key_jwt (Login.gov) or none (PKCE alone)
OIDC_CLIENT_AUTH = os.environ.get("OIDC_CLIENT_AUTH", "client_secret_basic")
_oidc_key = os.environ.get("OIDC_CLIENT_PRIVATE_KEY_FILE", "")
OIDC_CLIENT_PRIVATE_KEY = Path(_oidc_key).read_text() if _oidc_key else ""
OIDC_CLIENT_PRIVATE_KEY_ID = os.environ.get("OIDC_CLIENT_PRIVATE_KEY_ID", "")
OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the sign-out at the provider
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
OIDC_VERIFY_SSL = True
OIDC_CLOCK_SKEW = 60  # seconds of clock difference accepted on the ID token's times
OIDC_DISCOVERY_MAX_AGE = int(os.environ.get("OIDC_DISCOVERY_MAX_AGE", "3600"))
# Who the signed-in person is: the claim, and what it is compared with ("email": the e-mail
# of the user's Person; "username": the user name).
OIDC_MATCH_CLAIM = os.environ.get("OIDC_MATCH_CLAIM", "email")
OIDC_MATCH_FIELD = os.environ.get("OIDC_MATCH_FIELD", "email")
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
# Roles from a claim (a dotted path such as realm_access.roles is read inside objects):
# OIDC_GROUP_MAP="execcoord-staff=Staff,execcoord-managers=Manager"
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "")
OIDC_GROUP_MAP = dict(item.split("=", 1) for item in env_list("OIDC_GROUP_MAP") if "=" in item)
OIDC_PROVIDER_LOGOUT = env_bool("OIDC_PROVIDER_LOGOUT", True)
OIDC_LOGOUT_ID_TOKEN_HINT = env_bool("OIDC_LOGOUT_ID_TOKEN_HINT", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# "all" (default) or "break-glass": then only BREAK_GLASS_USERS sign in with a password.
PASSWORD_SIGN_IN = os.environ.get("PASSWORD_SIGN_IN", "all")
BREAK_GLASS_USERS = env_list("BREAK_GLASS_USERS")
if OIDC_ISSUER:
    # Signing out ends in a redirect to the provider: a form's redirect is a form action.
    _issuer = urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )
FORMS_URLFIELD_ASSUME_HTTPS = True
WHITENOISE_USE_FINDERS = DEV_MODE
WHITENOISE_AUTOREFRESH = DEV_MODE
# Form widgets are drawn with Jinja2 where Django ships a Jinja2 template (execcoord.renderers)
# and with the Django template engine otherwise.
FORM_RENDERER = "execcoord.renderers.FormRenderer"

# --- The REST API (issue 19): /api/v1/, its schema at /api/schema/, docs at /api/docs/ ---
# Personal tokens (``Authorization: Bearer …``) or the browser session with its CSRF token;
# errors as RFC 9457 problem details; one throttle bucket per token (per user on a session).
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "1200/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "execcoord.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["execcoord.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "execcoord.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "execcoord.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "execcoord.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "execcoord API",
    "DESCRIPTION": "Taskers, their satellites and reference data; see the README for tokens.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "execcoord.api.schema.postprocess",
    ],
    # choice sets share field names across models ("status"); the generated names are fine
    "DISABLE_ERRORS_AND_WARNINGS": True,
    # and `check --deploy` would list those names as warnings: the schema is generated and
    # held to every response by the test suite instead (tests/test_api_schema.py)
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# Large exports and imports run as background tasks (execcoord.background): a list export of
# more rows than EXPORT_BACKGROUND_ROWS is prepared by a worker and downloaded from "My
# exports" until EXPORT_MAX_AGE seconds have passed; a confirmed import of more rows than
# IMPORT_BACKGROUND_ROWS is committed by a worker, and its report kept IMPORT_REPORT_MAX_AGE
# seconds (purge_expired removes both).
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", "5000"))
EXPORT_MAX_AGE = int(os.environ.get("EXPORT_MAX_AGE", 3 * 24 * 60 * 60))
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "1000"))
IMPORT_REPORT_MAX_AGE = int(os.environ.get("IMPORT_REPORT_MAX_AGE", 30 * 24 * 60 * 60))
