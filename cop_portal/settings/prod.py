"""Production. Refuses to start without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_URL
and PORTAL_URL."""

from django.core.exceptions import ImproperlyConfigured

from cop_portal.web.error_reports import error_reports_start

from .base import *  # noqa: F403 - each settings layer starts from all of base
from .base import ALLOWED_HOSTS, DEBUG, REDIS_URL, env, mailers_from_url

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the portal's host name(s).")
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: DATABASE_URL must be postgres://")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
MAILERS = mailers_from_url(env("EMAIL_URL"))
# Sessions (cached_db), cached permissions, allauth's sign-in rate limits and its used-TOTP-code
# markers live in the default cache, which every worker must share, or a sign-out or a rate limit
# would reach only one worker: Redis when REDIS_URL is set (recommended), else a table in the
# portal's database (made by `migrate`: members/migrations/0005_shared_cache_table.py).
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
PORTAL_URL = env("PORTAL_URL")
PORTAL_URL_FROM_REQUEST = False  # links never depend on a request's Host header
if not PORTAL_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_URL must be the portal's https:// address.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Logs: one JSON object a line on stdout, for whatever collects the machine's output, each with
# the id of the request it was logged in (cop_portal.web.logs). gunicorn's access line is in
# the same shape (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cop_portal.web.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Error reports, stripped of personal data and content first (cop_portal.web.error_reports),
# only when SENTRY_DSN is set.
if SENTRY_DSN := env("SENTRY_DSN", default=""):
    error_reports_start(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
    )
