"""Settings shared by every environment. Values that differ between machines come from the
environment (or a `.env` file beside manage.py), read in one place: here."""

from datetime import time, timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The portal's public address, for links in emails and calendar feeds made outside a request.
# The portal's public address, for links in emails and calendar files (required in production).
# Left unset (the demo), links made while serving a request use that request's own address
# (cop_portal.web.portal_address), and this default elsewhere.
PORTAL_URL = env("PORTAL_URL", default="")
PORTAL_URL_FROM_REQUEST = not PORTAL_URL
PORTAL_URL = PORTAL_URL or f"http://127.0.0.1:{env.int('PORT', default=8000)}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # Always installed; the "Sign in with Microsoft" button shows only when an app is configured.
    "allauth.socialaccount.providers.microsoft",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "cop_portal.web",
    "cop_portal.background",
    "cop_portal.mail",
    "members",
    "events",
    "resources",
    "surveys",
]

MIDDLEWARE = [
    # Outermost: every response, even the 503 page, carries the request's id.
    "cop_portal.web.middleware.RequestIdMiddleware",
    # Outside all the others below: a friendly 503 while the database cannot be reached.
    "cop_portal.web.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Without PORTAL_URL (the demo), links in emails use the address the request came to.
    "cop_portal.web.portal_address.RequestAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an expired session is signed out with a message saying why.
    "cop_portal.web.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before the ground rules: an organiser without MFA sets it up first.
    "members.middleware.MFARequiredMiddleware",
    "members.middleware.GroundRulesMiddleware",
    "members.middleware.AccessDeniedAuditMiddleware",
    # Innermost, so that every response a view (or an error page) makes passes through it.
    "cop_portal.web.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "cop_portal.urls"
WSGI_APPLICATION = "cop_portal.wsgi.application"

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
                "cop_portal.web.navigation.navigation",
            ],
        },
    },
]

# Without DATABASE_URL the portal runs on an embedded SQLite file, for trying it out.
# Tests and production run on PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share the file: write-ahead logging lets them read while
    # the other writes, and a writer waits its turn (IMMEDIATE) instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# Background work: tasks (django.tasks) queue in the portal's own database, in the transaction
# of the change that queues them, and `manage.py run_worker` runs them (cop_portal/background).
# Queues: "default", and "results" for survey results' audits, which take minutes on a large
# survey: a worker started with --exclude-queues=results keeps email moving meanwhile.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "results"],
    }
}
# What the workers run on their own, and when: `every` an interval, or `at` a daily time in
# TIME_ZONE, and a `title` for the organisers' Background work page. Each task takes no arguments
# and is safe to run twice (see cop_portal/background/schedules.py).
BACKGROUND_SCHEDULES = {
    "event-reminders": {
        "task": "events.tasks.reminders_send",
        "every": timedelta(minutes=15),
        "title": "Reminders of sessions starting soon",
    },
    "survey-reminders": {
        "task": "surveys.tasks.reminders_send",
        "every": timedelta(minutes=15),
        "title": "Reminders of surveys closing soon, and survey links past use deleted",
    },
    "survey-releases": {
        "task": "surveys.tasks.releases_run",
        "every": timedelta(minutes=5),
        "title": "Anonymous survey answers added to the results",
    },
    "action-reminders": {
        "task": "members.tasks.action_reminders_send",
        "at": time(8, 30),
        "title": "Reminders of actions falling due",
    },
    "action-follow-ups": {
        "task": "members.tasks.action_follow_ups_send",
        "at": time(8, 45),
        "title": "Three-month follow-ups of actions",
    },
    # Those who came hear soon after attendance is recorded or the summary published.
    "after-session-emails": {
        "task": "members.tasks.after_session_emails_send",
        "every": timedelta(minutes=5),
        "title": "Summaries and a prompt to act sent to those who came to a session",
    },
    # Digests go on the 1st (and the 15th for fortnightly ones); the run checks daily, so a
    # day the workers were stopped is made up the next (members.services.digests).
    # Only when something waits and it is not what the organiser's last one said
    # (members.services.organise).
    "organiser-waiting": {
        "task": "members.tasks.organiser_waiting_send",
        "at": time(8, 0),
        "title": "What waits for each organiser, emailed when it has changed",
    },
    "member-digests": {
        "task": "members.tasks.digests_send",
        "at": time(9, 0),
        "title": "Members' digests, and one nudge to those who came once and did not book again",
    },
    "audit-purge": {
        "task": "members.tasks.audit_purge",
        "at": time(3, 0),
        "title": "Audit lines older than two years deleted",
    },
    "guests-forget": {
        "task": "events.tasks.guests_forget",
        "at": time(3, 15),
        "title": "Invited guests' names and addresses forgotten a year after their session",
    },
    "sessions-clear": {
        "task": "cop_portal.background.tasks.sessions_clear",
        "at": time(4, 0),
        "title": "Expired sign-in sessions deleted",
    },
    "housekeeping": {
        "task": "cop_portal.background.tasks.housekeeping",
        "at": time(2, 30),
        "title": "Old records of background work deleted",
    },
    # Email that waits on a back-off (the mail server was down, or refused one for now).
    "email-delivery": {
        "task": "cop_portal.mail.tasks.deliver",
        "every": timedelta(minutes=1),
        "title": "Email waiting for the mail server sent",
    },
    "email-records-purge": {
        "task": "cop_portal.mail.tasks.outbox_purge",
        "at": time(3, 30),
        "title": "Old records of outgoing email deleted",
    },
}

# The once-only nudge goes to a member this many weeks after the one session they came to, if
# they have booked no other (members.services.digests).
DIGEST_NUDGE_WEEKS = env.int("DIGEST_NUDGE_WEEKS", default=6)

# A shared cache keeps allauth's rate limits consistent across worker processes.
if REDIS_URL := env("REDIS_URL", default=""):
    CACHES = {
        # Django's RedisCache, reusing its redis-py clients (cop_portal/cache.py).
        "default": {
            "BACKEND": "cop_portal.web.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs answers like one that is down (a 503 page), within seconds.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, keeping the signed-in member and their permissions between requests
    # (members.caching). Every sign-in records it in the session, allauth's included.
    "members.caching.CachedPermissionsBackend",
    # allauth's checks an email address in any case; sessions it recorded still load.
    "allauth.account.auth_backends.AuthenticationBackend",
]

# At least 8 characters, no common or all-digit passwords, and no upper limit of our own, so
# long passphrases are welcome (ASVS 2.1: at least 64 characters must be allowed).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "cop_portal.web.static_files.StaticFilesStorage"},
}

# Email: every message goes into the outbox (the default mailer) and the workers send it with the
# "delivery" mailer: the console in development, SMTP from EMAIL_URL in production.
OUTBOX_MAILER = {"BACKEND": "cop_portal.mail.backends.OutboxBackend"}


def mailers_from_url(url):
    """MAILERS: the outbox, and for delivery the mailer that a URL such as
    smtp+tls://user:pass@host:587 describes."""
    config = env.email_url_config(url)
    options = {}
    if config["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"] or "",
            "password": config["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    return {
        "default": OUTBOX_MAILER,
        "delivery": {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options},
    }


MAILERS = mailers_from_url(env("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CoP Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"

# django-allauth: email is the identity; no usernames.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
EMAIL_SUBJECT_PREFIX = "[CoP Portal] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# Lets someone imported from the CoP's spreadsheets take over their record when they sign up.
# The sign-in form only changes wording (members.forms.accounts.LoginForm).
ACCOUNT_FORMS = {
    "login": "members.forms.accounts.LoginForm",
    "signup": "members.forms.accounts.SignupForm",
}
ACCOUNT_USER_DISPLAY = "members.adapters.user_display"
SOCIALACCOUNT_ADAPTER = "members.adapters.SocialAccountAdapter"
# The client's address, for sign-in limits and the audit trail (cop_portal.web.client_ip). Behind
# N reverse proxies that each append to X-Forwarded-For, the client is the Nth address from the
# right; the leftmost ones are whatever the client wrote. 0 (no proxy) reads the connection's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's rate limits (they need the shared cache above). Per account they stay strict: five
# wrong passwords for one address in five minutes. Per client address they are sized for NHS and
# council networks, where thousands of staff reach the internet through one address: the
# defaults (10 failures a minute) would let a few colleagues' typos lock the whole trust out.
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=200)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{SIGN_IN_FAILURES_PER_ADDRESS}/m/ip,5/5m/key",
    "login": f"{3 * SIGN_IN_FAILURES_PER_ADDRESS}/m/ip",
    "signup": f"{SIGN_IN_FAILURES_PER_ADDRESS}/m/ip",
    "reset_password": f"{SIGN_IN_FAILURES_PER_ADDRESS}/m/ip,5/m/key",
    "reset_password_from_key": f"{SIGN_IN_FAILURES_PER_ADDRESS}/m/ip",
    "request_login_code": f"{SIGN_IN_FAILURES_PER_ADDRESS}/m/ip,3/m/key",
}
ACCOUNT_PASSWORD_MIN_LENGTH = 8
# Changing an email address asks for the password again (allauth.mfa does the same for MFA).
ACCOUNT_REAUTHENTICATION_REQUIRED = True

# MFA (allauth.mfa): an authenticator app (TOTP) with recovery codes. Required for organisers
# and for staff (members.middleware.MFARequiredMiddleware); any member may turn it on.
MFA_ADAPTER = "members.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CoP Portal"

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
# seconds after signing in, whichever comes first (SessionTimeoutMiddleware, cop_portal.web).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
# The stored session (and a "remember me" cookie) lasts no longer than the absolute timeout.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {
    "microsoft": {
        # Trust Microsoft's email claim only when the tenant is the organisation's own.
        "VERIFIED_EMAIL": env.bool("MICROSOFT_TRUST_EMAIL", default=False),
        "APPS": (
            [
                {
                    "client_id": env("MICROSOFT_CLIENT_ID"),
                    "secret": env("MICROSOFT_CLIENT_SECRET"),
                    "settings": {"tenant": env("MICROSOFT_TENANT", default="organizations")},
                }
            ]
            if env("MICROSOFT_CLIENT_ID", default="")
            else []
        ),
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# No inline script or style anywhere: every script and stylesheet is a static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # Recordings on YouTube (privacy-enhanced) or Vimeo play in an embedded player.
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_REFERRER_POLICY = "same-origin"
# A refused form gets the portal's own page, which never shows Django's reason for refusing it.
CSRF_FAILURE_VIEW = "cop_portal.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Sessions are read from the cache and written through to the database, so a signed-in page
# costs no session query while the cache holds it, and a cache restart signs nobody out. The
# portal's engine is Django's cached_db reading the signed-in member in the same round trip.
SESSION_ENGINE = "members.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Plain lines with their time and level while developing; production writes JSON (prod.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Resource hub uploads: checked by content (resources/uploads.py) and served only through a
# view that checks who may see them; nothing under MEDIA_ROOT is served directly.
RESOURCE_UPLOAD_MAX_BYTES = env.int("RESOURCE_UPLOAD_MAX_MB", default=50) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Production may keep files in S3-compatible object storage (django-storages): set
# AWS_STORAGE_BUCKET_NAME and the usual AWS_* variables (the keys AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY are read by django-storages and boto3 themselves, or come from the
# machine's role). Files stay private: the portal hands out short-lived signed links after its
# own permission check. Files on local disk are seen only by the machine that wrote them, so
# with more than one web instance (WEB_INSTANCES) the deployment checks require object storage.
WEB_INSTANCES = env.int("WEB_INSTANCES", default=1)
if AWS_STORAGE_BUCKET_NAME := env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }

# Survey breakdowns hide counts below this (NHS Digital's older disclosure rule was 5; its
# current rule for hospital statistics hides 1 to 7). See cop_portal/web/disclosure.py.
SURVEY_SUPPRESSION_THRESHOLD = env.int("SURVEY_SUPPRESSION_THRESHOLD", default=5)
# Protected results of a survey with at least this many responses are prepared by a worker
# (surveys.tasks.results_prepare), not in the request: their audit can take minutes.
SURVEY_RESULTS_IN_BACKGROUND_FROM = env.int("SURVEY_RESULTS_IN_BACKGROUND_FROM", default=250)
# Search ranks at most this many matches (the newest) for a word found nearly everywhere.
RESOURCE_SEARCH_RANKED = env.int("RESOURCE_SEARCH_RANKED", default=1000)
