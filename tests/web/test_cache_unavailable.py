"""With Redis down, signed-in pages get the friendly 503 page, not a 500 (issue 13, item 8).

Redis holds the sessions (cached_db) and each member's cached permissions. The cache below is a
real redis-py client pointed at a port where nothing listens, so every call raises redis-py's own
ConnectionError, as it does while the portal's Redis restarts."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from cop_portal.web.health import cache_answers
from cop_portal.web.middleware import RETRY_AFTER_SECONDS
from tests.network import closed_port

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def redis_down():
    dead = {
        "default": {
            "BACKEND": "cop_portal.web.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=dead):
        yield
    caches["default"].clear()


@pytest.fixture
def browser(member):
    """A signed-in browser. Like a real server, it turns an exception into the error page the
    portal sends instead of raising it into the test."""
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client


def test_a_signed_in_page_is_the_503_page_while_redis_is_down(browser, redis_down):
    response = browser.get(reverse("members:home"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "The portal is back in a moment" in response.content.decode()
    assert "ConnectionError" not in response.content.decode()
    assert "6379" not in response.content.decode()


def test_a_signed_in_form_post_is_the_503_page_while_redis_is_down(browser, member, redis_down):
    response = browser.post(reverse("members:profile_edit"), {"name": "A new name"})

    assert response.status_code == 503
    member.refresh_from_db()
    assert member.name != "A new name"


def test_the_page_after_redis_comes_back_is_normal(browser, redis_down):
    assert browser.get(reverse("members:home")).status_code == 503
    with override_settings(CACHES={"default": {"BACKEND": LOCMEM}}):
        assert browser.get(reverse("members:home")).status_code == 200


def test_health_says_unavailable_while_redis_is_down(client, redis_down):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_the_cache_probe_reports_a_redis_it_cannot_reach(redis_down):
    assert cache_answers() is False


def test_the_cache_probe_says_yes_to_a_working_cache():
    assert cache_answers() is True


def test_liveness_answers_while_redis_is_down(client, redis_down):
    response = client.get(reverse("liveness"))

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-store" in response["Cache-Control"]


def test_liveness_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("liveness"))
    assert response.status_code == 200


def test_health_is_ok_when_both_answer(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}
