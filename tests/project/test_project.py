"""Project-wide checks: migrations, settings, and every page reachable without arguments."""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "No changes detected"


def _argument_free_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if not pattern.pattern.regex.groups:
                yield from _argument_free_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            yield f"{namespace}{pattern.name}"


# Argument-free pages that answer something other than one HTML page with an <h1>.
NOT_HTML_PAGES = {
    "members:introduction_read",  # POST only
    "members:ground_rules_agree",  # POST only
    "events:programme_feed",  # a calendar file
    "members:dashboard_csv",  # a CSV download
    "members:people_csv",  # a CSV download
    "events:feed_reset",  # POST only
    "events:caucus_withdraw",  # POST only
    "members:data_download",  # a JSON download
    "health",  # JSON for load balancers
    "liveness",  # JSON for process supervisors
    "schedules_health",  # JSON for monitoring
    "events:guest_reply",  # POST only
    "events:guest_join",  # POST only
}
# Argument-free pages that answer this status to an organiser who just arrives, still with a page
# of their own (and its one <h1>).
STATUS_WHEN_ARRIVED_AT = {
    # Only a browser that has followed a personal survey link gets the survey here; anyone
    # else gets the page saying the link does not work.
    "surveys:link_respond": 404,
    # The same for a guest's invitation and its calendar file: only for a browser that has
    # followed a guest's personal link.
    "events:guest_page": 404,
    "events:guest_ics": 404,
}
PORTAL_NAMESPACES = ("members:", "events:", "resources:", "surveys:")
PORTAL_GET_PAGES = sorted(
    name
    for name in _argument_free_url_names()
    if name.startswith(PORTAL_NAMESPACES) and name not in NOT_HTML_PAGES
)


def test_the_smoke_test_walks_every_portal_page():
    """A new argument-free page is rendered below unless it is listed as not HTML."""
    assert len(PORTAL_GET_PAGES) >= 40
    assert "members:home" in PORTAL_GET_PAGES
    assert "resources:search" in PORTAL_GET_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("name", PORTAL_GET_PAGES)
def test_every_page_renders_with_exactly_one_h1(organiser_client, name):
    call_command("load_starter_content", stdout=StringIO())
    response = organiser_client.get(reverse(name))
    assert response.status_code == STATUS_WHEN_ARRIVED_AT.get(name, 200)
    assert len(re.findall(rb"<h1[\s>]", response.content)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "members:home"]
)
def test_public_account_pages_render_with_one_h1(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert len(re.findall(rb"<h1[\s>]", response.content)) == 1


def _run_manage(*args, env):
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,  # a guard against a hang, not a speed check: a busy machine is slow
        check=False,
    )


def _production_env(**overrides):
    # The browser suite allows async-unsafe ORM calls in this process; production never does.
    ignored = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env |= {
        "DJANGO_SETTINGS_MODULE": "cop_portal.settings.prod",
        "SECRET_KEY": "a-long-random-production-key-used-only-by-this-test-0123456789abcdef",
        "ALLOWED_HOSTS": "cop.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/cop_portal",
        "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.org:587",
        "PORTAL_URL": "https://cop.example.org",
    }
    env |= overrides
    return {k: v for k, v in env.items() if v is not None}


def test_production_settings_pass_the_deployment_checklist():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


PRODUCTION_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE", "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS", "CSRF_FAILURE_VIEW", "MIDDLEWARE",
]}))
"""


def test_production_settings_harden_cookies_transport_and_headers():
    """What `check --deploy` does not look at (SameSite, the CSP and no-store middleware), and
    the values it only checks are present."""
    result = _run_manage("shell", "--no-imports", "-c", PRODUCTION_SETTINGS, env=_production_env())
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    middleware = found.pop("MIDDLEWARE")
    assert found == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_FAILURE_VIEW": "cop_portal.web.errors.csrf_failure",
    }
    for required in [
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
        "cop_portal.web.middleware.NoStoreForSignedInMiddleware",
    ]:
        assert required in middleware
    assert middleware[-1] == "cop_portal.web.middleware.NoStoreForSignedInMiddleware"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Set the SECRET_KEY environment variable"),
        ("ALLOWED_HOSTS", "Set ALLOWED_HOSTS"),
        ("DATABASE_URL", "Set the DATABASE_URL environment variable"),
        ("EMAIL_URL", "Set the EMAIL_URL environment variable"),
        ("PORTAL_URL", "Set the PORTAL_URL environment variable"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    result = _run_manage("check", env=_production_env(**{missing: None}))
    assert result.returncode != 0
    assert message in result.stderr
