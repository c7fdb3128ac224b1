"""The test suite: always PostgreSQL (the Makefile passes DATABASE_URL; see tests/conftest.py)."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_portal")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# As in production, links in emails use the configured address (tests of the demo's
# request-based links turn PORTAL_URL_FROM_REQUEST on themselves).
os.environ.setdefault("PORTAL_URL", "http://127.0.0.1:8000")

from .base import *  # noqa: F403 - each settings layer starts from all of base
from .base import DATABASES, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in prod
MAILERS = {
    "default": {"BACKEND": "cop_portal.mail.backends.OutboxBackend"},
    "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the apps' folders, as in development: no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
