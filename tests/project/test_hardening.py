"""Deploy hardening that shows in every response: caching of personal pages, the error pages,
the health check, and the Content-Security-Policy with the templates it depends on."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject

from cop_portal.urls import urlpatterns as portal_urlpatterns
from cop_portal.web.health import database_answers
from cop_portal.web.middleware import NoStoreForSignedInMiddleware
from tests.network import closed_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


# Views that fail, for the error pages (this module is also the URLconf of the tests that use
# them, through pytest.mark.urls).


@login_not_required
def _fails(request):
    raise RuntimeError("secret-internal-detail: SELECT password FROM members_user")


@login_not_required
def _suspicious(request):
    raise SuspiciousOperation("secret-internal-detail")


urlpatterns = [
    path("test/fails/", _fails),
    path("test/suspicious/", _suspicious),
    *portal_urlpatterns,
]


# Cache-Control ---------------------------------------------------------------------------------


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize(
    "name",
    ["members:home", "members:profile", "members:actions", "events:mine", "events:programme"],
)
def test_pages_for_a_signed_in_member_are_never_stored(member_client, name):
    response = member_client.get(reverse(name))
    assert response.status_code == 200
    assert _cache_control(response) == {"no-store", "private"}


def test_an_error_page_for_a_signed_in_member_is_not_stored_either(member_client):
    response = member_client.get("/no-such-page/")
    assert response.status_code == 404
    assert _cache_control(response) == {"no-store", "private"}


def test_a_views_own_caching_decision_stands(member_client):
    """The programme's calendar is the same for everyone: calendar apps may cache it."""
    response = member_client.get(reverse("events:programme_feed"))
    assert _cache_control(response) == {"max-age=900", "public"}


@pytest.mark.parametrize("name", ["members:home", "events:programme", "resources:browse"])
def test_public_pages_for_visitors_stay_cacheable(client, ground_rules, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)


def test_no_store_when_the_session_cannot_be_read():
    """With the database down the user cannot be loaded: the page is not stored, and the
    middleware does not turn the error page into a second error."""

    def unreadable():
        raise OperationalError("the database is down")

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(unreadable)
    middleware = NoStoreForSignedInMiddleware(lambda request: HttpResponse(status=503))
    assert _cache_control(middleware(request)) == {"no-store", "private"}


# The health check ------------------------------------------------------------------------------


def test_health_says_ok_without_the_requests_own_connection(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in _cache_control(response)
    # The SELECT 1 went over a connection of its own, which is closed again.
    assert len(queries) == 0


@pytest.fixture
def database_down(monkeypatch):
    """New connections go to a port where nothing listens; the test's own connection stays."""
    settings = {**connections.settings["default"], "HOST": "127.0.0.1", "PORT": closed_port()}
    monkeypatch.setitem(connections.settings, "default", settings)


def test_health_says_unavailable_when_the_database_refuses_connections(client, database_down):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "no-store" in _cache_control(response)
    assert response.content == b'{"status": "unavailable"}'  # no host, port or error text


def test_health_check_reports_a_database_it_cannot_reach(database_down):
    assert database_answers() is False


def test_health_needs_no_sign_in_and_only_answers_get_and_head(client):
    assert client.get(reverse("health")).status_code == 200
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


def test_health_needs_nothing_from_a_signed_in_browser(member_client):
    """A monitor that carries a session cookie gets the same answer."""
    response = member_client.get(reverse("health"))
    assert json.loads(response.content) == {"status": "ok"}


# Error pages -----------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_server_error_shows_a_friendly_page_and_no_internals(ground_rules, member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/test/fails/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "<h1>Sorry, something went wrong</h1>" in content
    assert "nothing you had already saved is lost" in content
    for internal in ("secret-internal-detail", "Traceback", "RuntimeError", "SECRET_KEY", "DEBUG"):
        assert internal not in content
    # Standalone: no signed-in header, and no script that would need a CSP nonce.
    assert member.name not in content
    assert "<script" not in content


@pytest.mark.urls(__name__)
def test_a_bad_request_shows_a_friendly_page_and_no_internals(client):
    response = client.get("/test/suspicious/")
    assert response.status_code == 400
    content = response.content.decode()
    assert "<h1>Something was wrong with that request</h1>" in content
    assert "secret-internal-detail" not in content
    assert "SuspiciousOperation" not in content


def test_not_found_is_the_portals_own_page(client, ground_rules):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "<h1>We cannot find that page</h1>" in content
    assert "no-such-page" not in content  # Django's debug page would echo the path and patterns
    assert len(re.findall(r"<h1[\s>]", content)) == 1


def test_forbidden_is_the_portals_own_page(member_client):
    response = member_client.get(reverse("members:organise"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>This page is not open to you</h1>" in content
    assert "members.view_reports" not in content
    assert len(re.findall(r"<h1[\s>]", content)) == 1


# Content-Security-Policy and the other security headers ---------------------------------------


def _csp(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def test_every_page_sends_a_strict_content_security_policy(client, ground_rules):
    response = client.get(reverse("members:glossary"))
    policy = _csp(response)
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Scripts: this site's files, and inline scripts only with this response's nonce.
    (nonce,) = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    assert sorted(policy["script-src"]) == sorted(["'self'", nonce])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert len(scripts) == 2  # Bootstrap, and the glossary's filter
    assert all(f'nonce="{nonce[7:-1]}"' in tag for tag in scripts)


def test_the_nonce_changes_with_every_response(client, ground_rules):
    first = _csp(client.get(reverse("members:glossary")))["script-src"]
    second = _csp(client.get(reverse("members:glossary")))["script-src"]
    assert first != second


def test_security_headers(client, ground_rules):
    response = client.get(reverse("members:home"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
TEMPLATES = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html") if ".venv" not in p.parts)


def test_the_template_scan_finds_the_templates():
    assert len(TEMPLATES) > 50
    assert ROOT / "templates" / "base.html" in TEMPLATES


# Emails are read in mail clients, not under the portal's policy, and most clients keep only
# inline styles; they must carry no script at all.
EMAIL_TEMPLATES = [p for p in TEMPLATES if "email" in p.parts]
PAGE_TEMPLATES = [p for p in TEMPLATES if p not in EMAIL_TEMPLATES]


@pytest.mark.parametrize("template", EMAIL_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_email_templates_have_no_script(template):
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script\b|\son[a-z]+\s*=|javascript:", text, re.IGNORECASE)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_script_or_style_the_policy_would_block(template):
    """The policy refuses inline script without a nonce, inline event handlers, javascript:
    links and inline styles: a template using any of them would break in the browser."""
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert 'nonce="{{ csp_nonce }}"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), "an inline event handler (onclick=…)"
    assert "javascript:" not in text.lower()
    assert not re.search(r"<style\b|\sstyle\s*=", text), "an inline style"
