"""Settings for the JII Otonari platform.

Everything configurable comes from the environment (see .env.example). With nothing set, the site runs on the
embedded default: SQLite, Celery tasks run eagerly in-process, email printed to the console, files on local disk.
DATABASE_URL switches to PostgreSQL; REDIS_URL switches Celery to a real broker and the cache to Redis.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django.conf.locale
import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # the folder of manage.py

env = environ.Env()
# A .env file beside manage.py is read if present; ENV_FILE names another one ("" reads none).
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)


def env_bool(name: str, default: bool) -> bool:
    """Like env.bool, but a value that is neither true nor false stops the start instead of meaning False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


# --- Core -----------------------------------------------------------------------------------------------
# DEBUG defaults to on so that a fresh clone runs with nothing set; production sets DEBUG=False and must then
# provide SECRET_KEY, ALLOWED_HOSTS and FIELD_ENCRYPTION_KEYS (no defaults, so a missing one fails at start).
# FIELD_ENCRYPTION_KEYS: the Fernet keys of the most sensitive free text, encrypted at rest (jii.fields), newest
# first: the newest encrypts, all decrypt (README, "Encryption at rest: keys and rotation").
DEBUG = env_bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only-key-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    # base64 of "local-development-only-key-00000": for demo data only.
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1rZXktMDAwMDA="])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
try:
    for key in FIELD_ENCRYPTION_KEYS or [""]:  # an empty list is refused too
        Fernet(key)
except ValueError:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS: one or more Fernet keys (32 bytes, base64), newest first"
    ) from None
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "jii",
    # The home page shows the programs' cards in this order (each app registers its own, jii/sections.py).
    "matching",
    "spot",
    "hanamaru",
    "consultations",
    "donations",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    # Not last: jii's post_migrate gives the audit's view permission to privacy officers once it exists.
    "auditlog",
    "anymail",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jii.middleware.permissions_policy",
    "jii.middleware.RefuseUnreadableForms",
    # Anonymous visitors of the campaign page get its shared copy here, before the rest (a press-release surge).
    "donations.middleware.CachedCampaignPage",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jii.audit.AuditActorMiddleware",  # the signed-in user is the actor of the changes a request makes
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "jii.middleware.StaffSecondFactor",
    "csp.middleware.CSPMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jii.context_processors.language_links",
            ],
        },
    },
]
# Our templates override Django's form templates (errors and help text tied to fields).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Data -----------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The cache may live in its own Redis database (clearing a cache flushes its whole database).
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    # Short timeouts: a Redis that hangs costs a request one second at most (jii/cache.py carries on without it).
    CACHES = {
        "default": {
            "BACKEND": "jii.cache.ReusingRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "jii.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "volunteer_dashboard"
ACCOUNT_ADAPTER = "jii.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "jii.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[JII] "
# Links in account emails (confirmation, password reset) use the scheme the site is served on.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"
# Behind a reverse proxy (nginx, a load balancer) this is the number of proxies that append to X-Forwarded-For:
# rate limits then count each visitor's own address, not the proxy's (which everyone would share).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# "Email me a sign-in code": the way in that someone guessing a password cannot block (README: "Sign-in limits").
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# allauth's own rate limits (login failures, signups, confirmation and reset emails) stay on; they use the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    # Every public form (OFP, Spot, Hanamaru, consultations, a gift), counted together: per network, and per email
    # address given (jii.limits). A family using all four programs posts four.
    "public_form": "30/h/ip,5/h/key",
    # "Send me my link again" (jii.views.status_link_again): per network, and per address asked for.
    "status_link": "10/h/ip,3/h/key",
    # The same for donors' link to their gifts and receipts (donations.views.history_link_again).
    "history_link": "10/h/ip,3/h/key",
}
# Staff sign in with a second factor: an authenticator app (TOTP) and one-time recovery codes (README: "Staff
# sign-in with a second factor"); jii.middleware.StaffSecondFactor keeps the admin shut until they do. Wrong codes
# count as failed sign-ins (login_failed above, per account). Passkeys (webauthn) are left out for now: they need
# allauth's scripts on our pages and a browser test of their own.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "JII Otonari"

# --- Email ----------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Or an email provider's API through django-anymail (https://anymail.dev): its name (mailgun, postmark, brevo,
# amazon_ses…) and its settings as ANYMAIL_<NAME>, e.g. ANYMAIL_MAILGUN_API_KEY. The provider's tracking webhook
# (/anymail/<provider>/tracking/) reports bounces and complaints; the outbox then stops writing to that address.
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="JII <noreply@j-ii.org>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- LINE (JII's official account, Messaging API). Without the secret and token, LINE is not offered.
LINE_CHANNEL_SECRET = env.str("LINE_CHANNEL_SECRET", default="")
LINE_CHANNEL_ACCESS_TOKEN = env.str("LINE_CHANNEL_ACCESS_TOKEN", default="")
# The account's basic ID (e.g. @123abcde), for the "add friend" and "send the code" links.
LINE_BOT_ID = env.str("LINE_BOT_ID", default="")
LINE_LINK_CODE_MINUTES = 30

# --- Languages and time ---------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
# Adding a language: a line here, `make messages CATALOGS=<locale>` and its translations (README).
LANGUAGES = [
    ("ja", _("Japanese")),
    ("en", _("English")),
    ("ja-easy", _("Plain Japanese")),
    ("zh-hans", _("Simplified Chinese")),
    ("vi", _("Vietnamese")),
    ("ne", _("Nepali")),
    ("uk", _("Ukrainian")),
    ("fa-af", _("Dari")),
]
# Django knows the others' own names and script direction; these two are ours. Plain Japanese is Japanese to
# browsers and screen readers ("ja-x-easy", a private-use tag); Dari is Persian as written in Afghanistan
# (BCP 47 fa-AF, as Google and Apple tag it), right to left like every "fa" language in LANGUAGES_BIDI.
django.conf.locale.LANG_INFO.update(
    {
        "ja-easy": {"bidi": False, "code": "ja-easy", "name": "Plain Japanese", "name_local": "やさしい日本語"},
        "fa-af": {"bidi": True, "code": "fa-af", "name": "Dari", "name_local": "دری"},
    }
)
LANGUAGE_TAGS = {"ja-easy": "ja-x-easy", "fa-af": "fa-AF", "zh-hans": "zh-Hans"}
# Where something missing in a language is looked for next (jii/languages.py): the language's own fallbacks,
# then this order.
LANGUAGE_FALLBACKS: dict[str, list[str]] = {"ja-easy": ["ja"]}
# Pages in these get readings over every kanji (<ruby>), their emails readings in brackets (jii/furigana.py).
FURIGANA_LANGUAGES = ["ja-easy"]
LANGUAGE_FALLBACK_ORDER = ["en", "ja"]
# Content staff write (campaign, classes, consent texts…) must be written in these; other languages are optional.
CONTENT_REQUIRED_LANGUAGES = ["ja", "en"]
# A coordinator's message to a group of volunteers is written in these: the first always, the others if they
# wish; each volunteer reads their own language's version, or the nearest written (jii/messages.py).
GROUP_MESSAGE_LANGUAGES = ["ja", "en"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Media on S3-compatible storage (django-storages must then be installed in the image).
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)

# --- Security -------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: everything from our own origin, no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The donation form's POST is answered with a redirect to Stripe Checkout, which form-action covers.
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Celery ---------------------------------------------------------------------------------------------
# Without REDIS_URL, tasks run eagerly in the web process (the embedded default).
# Even eager tasks take a producer from the broker's pool: the in-memory broker gets a host name, or kombu warns.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
# No task's return value is read (a message's outcome is its outbox row), so none is stored: a request that
# queues a task then needs nothing from Redis but the broker.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes the worker's database connection around every task unless told to reuse it; a new PostgreSQL
# connection cost more than the task itself (bench/outbox.py). Every 100 tasks it still starts afresh.
CELERY_DB_REUSE_MAX = 100
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker whose Redis went away waits for it, however long
# A task a killed worker had taken goes back to the queue after the visibility timeout. The longest task (a
# receipt's PDF and email, a sweep) takes seconds, so five minutes is ample, and a lost message is late by that
# much at most; Redis's default hour left donors waiting. Messages wait in the outbox table in any case.
# A hand-over to a Redis that is down fails at once (kombu's default is to retry for about six seconds, which a
# resident sending a form waited through): the message waits in the outbox for the sweep. Workers and beat
# reconnect by their own settings above.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300, "socket_connect_timeout": 2, "max_retries": 0}
# Receipts are numbered per fiscal year; JII's year starts in this month.
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
CELERY_BEAT_SCHEDULE = {
    "retention": {
        "task": "jii.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),  # the retention table (jii/privacy.py), in the quiet of the night
    },
    "outbox-sweep": {
        "task": "jii.tasks.queue_waiting_messages",
        "schedule": 60,  # messages the broker did not take, lost tasks, and tries due again
    },
    "remind-pending-volunteer-approvals": {
        "task": "jii.tasks.remind_coordinators_of_pending_volunteers",
        "schedule": crontab(hour=9, minute=0),  # 9:00 in Tokyo, whenever beat was last restarted
    },
    "volunteers-daily": {
        "task": "jii.tasks.run_daily_volunteer_jobs",
        "schedule": crontab(hour=9, minute=20),  # ended suspensions; in March, insurance ending
    },
    "ofp-follow-ups": {
        "task": "matching.tasks.send_due_follow_ups",
        "schedule": crontab(hour=10, minute=0),
    },
    "donations-reconcile": {
        "task": "donations.tasks.reconcile_with_stripe",
        "schedule": crontab(hour=4, minute=30),
    },
    "annual-receipts": {
        "task": "donations.tasks.issue_annual_receipts",
        # Daily from the 5th of the fiscal year's first month (year-end bank transfers are recorded by then) to
        # its end: a missed run or a gift recorded late is caught the next day.
        "schedule": crontab(hour=6, minute=15, day_of_month="5-31", month_of_year=FISCAL_YEAR_START_MONTH),
    },
    "hanamaru-daily": {
        "task": "hanamaru.tasks.run_daily_hanamaru_jobs",
        "schedule": crontab(hour="*/6", minute=10),  # reminders for tomorrow, tutor shortages two days ahead
    },
    "consultations-daily": {
        "task": "consultations.tasks.run_daily_consultation_jobs",
        "schedule": crontab(hour="*/6", minute=15),  # reminders for tomorrow's appointments, follow-ups due
    },
    "spot-daily": {
        "task": "spot.tasks.run_daily_spot_jobs",
        "schedule": crontab(hour="*/6", minute=5),  # four times a day, so 48 hours means about 48 hours
    },
}
# --- Donations --------------------------------------------------------------------------------------------
# Stripe (test-mode keys in development). Without a secret key the campaign page offers bank transfer only.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# The Stripe API version every request speaks: the version of the locked stripe-python, written out so that a
# library upgrade never changes the API quietly (README: "Moving to a new Stripe API version").
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="2026-10-28.endive")
# Where Stripe's API is; another address only for a local stand-in such as stripe-mock.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
DONATION_MINIMUM_YEN = env.int("DONATION_MINIMUM_YEN", default=500)
# A yearly supporter is emailed this many days before each renewal, when Stripe sends invoice.upcoming: set the same
# number in Stripe's Dashboard (Billing → Subscriptions → "Upcoming renewal events"; README: "Yearly gifts").
DONATION_RENEWAL_NOTICE_DAYS = env.int("DONATION_RENEWAL_NOTICE_DAYS", default=30)
# The Stripe payment methods the campaign page offers, in this order: only those enabled in JII's Stripe Dashboard
# (README: "Payment methods"). card, konbini, paypay, jp_bank_transfer; all but card are for one-off gifts.
DONATION_PAYMENT_METHODS = env.list(
    "DONATION_PAYMENT_METHODS", default=["card", "konbini", "paypay", "jp_bank_transfer"]
)
# Gifts made directly to JII are not tax-deductible today; donors who need that give through Give One.
DONATIONS_TAX_DEDUCTIBLE = env_bool("DONATIONS_TAX_DEDUCTIBLE", default=False)
TAX_DEDUCTIBLE_ROUTE_URL = env.str("TAX_DEDUCTIBLE_ROUTE_URL", default="https://giveone.net/")
# Once JII is a 認定NPO法人, receipts carry the certification; set these with DONATIONS_TAX_DEDUCTIBLE=True.
NINTEI_NUMBER = env.str("NINTEI_NUMBER", default="")
NINTEI_DATE = env.str("NINTEI_DATE", default="")
RECEIPT_FONT_FAMILY = env.str("RECEIPT_FONT_FAMILY", default="IPAexGothic")
# The languages receipts are written in (a tax document): donors who gave in another get the nearest of these.
RECEIPT_LANGUAGES = ["ja", "en"]
# Optional: a PNG of JII's seal (印影), printed over the issuer's name on every receipt.
RECEIPT_SEAL_IMAGE = env.str("RECEIPT_SEAL_IMAGE", default="")

# How many open OFP proposals or pairs one volunteer may have at a time.
OFP_PAIRS_PER_VOLUNTEER = env.int("OFP_PAIRS_PER_VOLUNTEER", default=1)
# How many supporting volunteers may join an OFP pair's lead volunteer (a team).
OFP_TEAM_SUPPORTERS = env.int("OFP_TEAM_SUPPORTERS", default=2)
# At most this many alerts about new Spot requests per volunteer per day; the rest wait for the daily digest.
SPOT_ALERTS_PER_DAY = env.int("SPOT_ALERTS_PER_DAY", default=5)
# A place freed in a Hanamaru class is offered to the first child waiting, whose guardian has this many days to
# accept it; then it is offered to the next child.
HANAMARU_OFFER_DAYS = env.int("HANAMARU_OFFER_DAYS", default=5)

# --- Logging --------------------------------------------------------------------------------------------
# Logs carry ids, never names, emails or phone numbers of residents.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_status_tokens": {"()": "jii.logging.RedactStatusTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_status_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Replace Django's own handlers so that every line, runserver's access log too, is redacted.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:  # a worker's "Task … succeeded" line says nothing in the web process
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# --- Admin ----------------------------------------------------------------------------------------------
COORDINATOR_EMAIL = env.str("COORDINATOR_EMAIL", default="info@j-ii.org")
# Consultation staff's shared address: follow-ups that are due (case numbers only).
CONSULTATION_STAFF_EMAIL = env.str("CONSULTATION_STAFF_EMAIL", default=COORDINATOR_EMAIL)
# A resident may cancel a consultation appointment or ask for another time from their status page until this many
# hours before it, and this many times per case; after that they call or write to JII.
CONSULTATION_CHANGE_HOURS = env.int("CONSULTATION_CHANGE_HOURS", default=24)
CONSULTATION_CHANGES_ALLOWED = env.int("CONSULTATION_CHANGES_ALLOWED", default=2)
# How long private links work: residents' status links, donors' history and manage links.
STATUS_LINK_MAX_AGE_DAYS = env.int("STATUS_LINK_MAX_AGE_DAYS", default=365)

# --- Change audit (jii/audit.py) ------------------------------------------------------------------------
# A masked field's old and new values are recorded as a fixed marker, not as half the value.
AUDITLOG_MASK_CALLABLE = "jii.audit.masked"
# Who and when, not where from: residents' IP addresses are not kept (public forms log changes too).
AUDITLOG_DISABLE_REMOTE_ADDR = True
