"""Settings for Carrier Portal, read from the environment.

With nothing set, the portal runs for development: an SQLite file under var/, jobs run inline,
e-mail printed to the console. DATABASE_URL and REDIS_URL switch to PostgreSQL and RQ.
PORTAL_ENV=production turns on the production checks and secure cookies.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def envbool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def served_at(address):
    """The URL of `runserver ADDRESS`, as bin/run's PORT gives it: "8001" or "host:8001"."""
    host, _, port = address.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 - a link to open, not an address to bind
        host = "127.0.0.1"
    return f"http://{host}:{port}"


PRODUCTION = os.environ.get("PORTAL_ENV", "development") == "production"
DEBUG = envbool("DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_ENV=production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PORTAL_ENV=production.")
else:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production-0123456789abcdef"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Links in e-mails; by default the address bin/run serves at, whatever its PORT.
SITE_URL = os.environ.get("SITE_URL", served_at(os.environ.get("PORT") or "8000")).rstrip("/")

# The portal's own apps, building blocks first. Tests walk every URL and admin page of each.
PORTAL_APPS = [
    "core",
    "audit",
    "accounts",
    "orders",
    "support",
    "trunks",
    "phone_numbers",
    "porting",
    "billing",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_filters",
    "django_rq",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    *PORTAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SessionTouchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.tenancy.TenantMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.RequireMfaMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "core.forms.PortalFormRenderer"

DEVELOPMENT_SERVER = sys.argv[1:2] == ["runserver"]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        # The development server starts a thread per request: a connection kept open would
        # outlive its thread, and a burst of requests would use up the database's connections.
        conn_max_age=0 if DEVELOPMENT_SERVER else envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The rollups' covering indexes (INCLUDE columns) serve PostgreSQL; on SQLite (`make run` without
# a database) they are plain indexes, which is all its few demo rows need.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The demo's calls a day (billing/demo.py). SQLite takes records through the ORM a few hundred at
# a time: a first `make run` without PostgreSQL loads a fifth of them.
DEMO_CALLS_PER_DAY = envint(
    "DEMO_CALLS_PER_DAY", 1500 if "postgresql" in DATABASES["default"]["ENGINE"] else 300
)

REDIS_URL = os.environ.get("REDIS_URL", "")
# Without Redis, jobs run in the web process once the transaction commits.
JOBS_INLINE = not REDIS_URL
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
RQ = {"COMMIT_MODE": "on_db_commit", "WORKER_CLASS": "core.worker.Worker"}
# The queues are linked from Background jobs > Failed jobs, not listed as an app of their own.
RQ_SHOW_ADMIN_LINK = False
# Rows an export job writes between two reports of its progress (core/exports.py).
EXPORT_PROGRESS_ROWS = 100_000
# Bulk files of numbers (phone_numbers/bulk.py): the largest accepted, and the most lines checked
# and applied within the request; longer files go to the worker.
NUMBERS_BULK_MAX_BYTES = envint("NUMBERS_BULK_MAX_BYTES", 20 * 1024 * 1024)
NUMBERS_BULK_INLINE_LINES = envint("NUMBERS_BULK_INLINE_LINES", 2_000)
# A Manage action over "all matching" numbers runs in the worker past this many numbers.
NUMBER_ACTION_JOB_THRESHOLD = envint("NUMBER_ACTION_JOB_THRESHOLD", 5_000)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every signed-in request reads its session: from Redis, and from the database only when Redis
# has lost it. Not from a cache of each process's own: signing out in one process would leave
# the session alive in the others' caches.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "accounts.validators.GuessablePasswordValidator",
        "OPTIONS": {"service_names": ["Carrier Portal"]},
    },
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# Sessions end after 30 idle minutes: a request pushes the expiry forward, saving the session
# at most once a minute (core.sessions.SessionTouchMiddleware).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ACCOUNT_ADAPTER = "accounts.adapter.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
# Adding an address another account uses is refused at the field (nothing is stored or sent).
ACCOUNT_FORMS = {"add_email": "accounts.forms.profile.AddEmailForm"}
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Confirm it's you with the password or an authenticator code; sign-in codes by e-mail are not
# offered anywhere in the portal.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
# A sign-in less than this many seconds ago counts as confirming it's you
# (accounts.adapter.PortalAccountAdapter.is_reauthentication_required).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# No "Remember Me": every session ends after the idle timeout above.
ACCOUNT_SESSION_REMEMBER = False
# Tell users by e-mail when their password, e-mail address or MFA changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Carrier Portal] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind N reverse proxies, the client's address is the Nth address from the right of
# X-Forwarded-For; rate limits and the audit log's IP addresses depend on it.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
MFA_ADAPTER = "accounts.adapter.PortalMfaAdapter"
# Codes refused by the rate limit are audited and answered 429 (accounts.throttling).
MFA_FORMS = {
    "authenticate": "accounts.throttling.AuthenticateForm",
    "reauthenticate": "accounts.throttling.ReauthenticateForm",
    "activate_totp": "accounts.throttling.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Adding an unverified address to an account with MFA is blocked by default so that someone who
# signed up with another person's address cannot lock them out. Nobody signs up here (users are
# invited to a verified address), and without this, users with MFA could not change their email.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "Carrier Portal"
MFA_RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "en-us"
# One format for dates and one for date-times, everywhere (core/formats/en/formats.py).
FORMAT_MODULE_PATH = ["core.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
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

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Carrier Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff e-mailed when a background job has failed for good:
# comma-separated addresses, plain or "Name <address>".
ADMINS = envlist("ADMINS")
EMAIL_SUBJECT_PREFIX = "[Carrier Portal] "
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": envint("SMTP_PORT", 587),
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": envbool("SMTP_TLS", default=True),
            },
        }
    }
elif PRODUCTION:
    # Without SMTP_HOST, production hands mail to a mail server on localhost:25.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", int(timedelta(days=365).total_seconds()))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INVITATION_VALID_DAYS = envint("INVITATION_VALID_DAYS", 7)

# Where new phone numbers come from (phone_numbers.supply): the sandbox draws them from a seeded
# inventory, so the same search offers the same numbers; number orders it fills complete by
# themselves this many seconds after they are placed.
NUMBER_SUPPLIER = os.environ.get("NUMBER_SUPPLIER", "phone_numbers.supply.sandbox.SandboxSupplier")
SANDBOX_SUPPLY_SEED = os.environ.get("SANDBOX_SUPPLY_SEED", "carrier-portal")
NUMBER_ORDERS_COMPLETE_AFTER = envint("NUMBER_ORDERS_COMPLETE_AFTER", 120)

# The carriers numbers are ported from (porting.carriers): the sandbox answers the same way every
# time, by the rules in its docstring. A Port Numbers list holds at most PORT_NUMBERS_MAX
# numbers, typed or in a file of at most PORT_NUMBERS_MAX_BYTES.
PORT_CARRIER_GATEWAY = os.environ.get(
    "PORT_CARRIER_GATEWAY", "porting.carriers.sandbox.SandboxGateway"
)
PORT_NUMBERS_MAX = envint("PORT_NUMBERS_MAX", 100_000)
PORT_NUMBERS_MAX_BYTES = envint("PORT_NUMBERS_MAX_BYTES", 4 * 1024 * 1024)
# The sandbox carrier's day lasts this many real seconds (86400: real time), so that in the demo
# a port goes from submission to FOC and completion in minutes.
PORT_SANDBOX_DAY_SECONDS = envint("PORT_SANDBOX_DAY_SECONDS", 120)
# The payment gateway invoices are paid through (billing.gateway): the sandbox answers by the
# test card and bank numbers in its docstring (docs/payments.md).
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "billing.gateway.sandbox.SandboxGateway")
# The carrier's name at the top of every invoice.
CARRIER_NAME = os.environ.get("CARRIER_NAME", "Carrier Portal")
# Usage record files dropped here (in calls/, messages/ and apps/) are loaded every minute.
USAGE_SPOOL_DIR = Path(os.environ.get("USAGE_SPOOL_DIR", VAR_DIR / "spool"))
# The secure FTP site of the daily ADR files (billing.sftp): the portal's own SFTP server
# (`manage.py sftp_server`) serves ROOT, a directory per enterprise's login, each reached only by
# that enterprise's credentials; the worker puts the files there as USERNAME, with the private
# key KEY_FILE (the server trusts its .pub) after checking the server's HOST_KEY_FILE.pub. Both
# keys are made on first use. Customers are told PUBLIC_HOST and PUBLIC_PORT. The server refuses
# uploads once its disk has less than MIN_FREE_BYTES free.
SFTP_DIR = Path(os.environ.get("SFTP_DIR", VAR_DIR / "sftp"))
ADR_SFTP = {
    "HOST": os.environ.get("SFTP_HOST", "127.0.0.1"),
    "PORT": envint("SFTP_PORT", 2222),
    "PUBLIC_HOST": os.environ.get("SFTP_PUBLIC_HOST", os.environ.get("SFTP_HOST", "127.0.0.1")),
    "PUBLIC_PORT": envint("SFTP_PUBLIC_PORT", envint("SFTP_PORT", 2222)),
    "USERNAME": "portal",
    "KEY_FILE": SFTP_DIR / "portal_key",
    "HOST_KEY_FILE": SFTP_DIR / "host_key",
    "ROOT": Path(os.environ.get("SFTP_ROOT", SFTP_DIR / "files")),
    "MIN_FREE_BYTES": envint("SFTP_MIN_FREE_BYTES", 100 * 1024 * 1024),
    # After this many wrong passwords from one address in 15 minutes, its password logins are
    # refused unchecked until the 15 minutes have passed (keys still work).
    "MAX_FAILED_PASSWORDS": envint("SFTP_MAX_FAILED_PASSWORDS", 10),
    "TIMEOUT": envint("SFTP_TIMEOUT", 10),
}
# Each day's ADR file is kept on the secure FTP site this many days.
ADR_KEEP_DAYS = 45
# The largest LOA or invoice a customer may upload.
PORT_DOCUMENT_MAX_BYTES = envint("PORT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# The support team's hours, in its own zone: a P3 case's first-response clock runs only then
# (support.sla). Weekdays 0 (Monday) to 6; holidays are dates ("2026-12-25").
SUPPORT_TIME_ZONE = os.environ.get("SUPPORT_TIME_ZONE", "America/Chicago")
SUPPORT_BUSINESS_HOURS = {
    "weekdays": [0, 1, 2, 3, 4],
    "opens": os.environ.get("SUPPORT_OPENS", "08:00"),
    "closes": os.environ.get("SUPPORT_CLOSES", "18:00"),
    "holidays": envlist("SUPPORT_HOLIDAYS"),
}
# The largest file attached to a support case.
SUPPORT_ATTACHMENT_MAX_BYTES = envint("SUPPORT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Support cases' e-mail (support.notify, support.inbound; docs/support-cases-staff.md). The
# support address gets a copy of each new case, the customers' replies to unassigned cases and
# the e-mails the inbound endpoint refused; the on-call address is alerted at once of P1 cases.
# Customers reply to case+...@SUPPORT_REPLY_DOMAIN, addresses signed with SUPPORT_REPLY_KEY
# (changing it revokes every address given out); the mail server posts those messages to
# /help/inbound-mail/ with the header X-Support-Inbound-Secret (unset: it refuses them all).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "support@localhost")
SUPPORT_ON_CALL_EMAIL = os.environ.get("SUPPORT_ON_CALL_EMAIL", SUPPORT_EMAIL)
SUPPORT_REPLY_DOMAIN = os.environ.get("SUPPORT_REPLY_DOMAIN", "reply.localhost")
SUPPORT_REPLY_KEY = os.environ.get("SUPPORT_REPLY_KEY", SECRET_KEY)
SUPPORT_INBOUND_SECRET = os.environ.get("SUPPORT_INBOUND_SECRET", "")
SUPPORT_INBOUND_MAX_BYTES = envint("SUPPORT_INBOUND_MAX_BYTES", 50 * 1024 * 1024)
# The port form posts its Port Numbers list with the rest of the form: Django's default limit
# (2.5 MB) would refuse a long list with a bare error page instead of the form's own message.
DATA_UPLOAD_MAX_MEMORY_SIZE = PORT_NUMBERS_MAX_BYTES + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default configuration gives "django" its own console handler; one is enough.
        "django": {"handlers": ["console"], "propagate": False},
        # WeasyPrint tells every step of every PDF it renders at INFO.
        "weasyprint": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # Both tell every step of every SFTP connection at INFO.
        "paramiko": {"level": "WARNING"},
        "asyncssh": {"level": "WARNING"},
    },
}
