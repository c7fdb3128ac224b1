"""The benchmark's signed-in baseline (B2) and its cold step (bench/cold.py), under the
benchmark's URLs and middleware."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.cold import COLD_HEADER, cold_start
from cop_portal.web.generations import generation
from events.caching import PLACES_GENERATION_KEY, SESSIONS_GENERATION_KEY
from members.caching import EVERYONE_GENERATION_KEY, GROUND_RULES_VERSION_KEY
from resources.caching import GENERATION_KEY


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.cold.ColdCacheMiddleware", *django_settings.MIDDLEWARE]
    template_dirs = [*settings.TEMPLATES[0]["DIRS"], settings.BASE_DIR / "bench" / "templates"]
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": template_dirs}]


def get_counted(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return response, len(captured.captured_queries)


def test_b2_is_the_signed_in_base_layout_and_nothing_else(bench_urls, member_client, member):
    response = member_client.get(reverse("bench_b2"))

    assert response.status_code == 200
    assert [t.name for t in response.templates[:2]] == ["bench/b2.html", "base.html"]
    html = response.content.decode()
    assert "Your profile" in html  # the signed-in header
    assert "Sign out" in html
    assert "Sign in" not in html
    assert html.count("<h1>") == 1
    main = re.search(r'<main id="main-content"[^>]*>(.*?)</main>', html, re.S).group(1)
    assert main.split() == ["<h1>B2</h1>"]  # no messages, no content


def test_b2_once_warm_asks_the_database_nothing_as_every_signed_in_page_does(
    bench_urls, member_client
):
    """What every signed-in page pays before its own work: with the session, the member with
    their permissions and the ground rules in the cache, no query at all."""
    url = reverse("bench_b2")
    member_client.get(url)

    _, warm = get_counted(member_client, url)
    _, again = get_counted(member_client, url)

    assert (warm, again) == (0, 0)


def test_b2_signed_out_is_sent_to_sign_in(bench_urls, client):
    response = client.get(reverse("bench_b2"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_cold_step_moves_every_generation_on_and_forgets_the_ground_rules_version(db):
    keys = (
        EVERYONE_GENERATION_KEY,
        GENERATION_KEY,
        SESSIONS_GENERATION_KEY,
        PLACES_GENERATION_KEY,
    )
    for key in keys:
        cache.set(key, 10)
    cache.set(GROUND_RULES_VERSION_KEY, 1)

    cold_start()

    # Once now, once more when the (test's) transaction commits: never the same again.
    assert all(generation(key) > 10 for key in keys)
    assert cache.get(GROUND_RULES_VERSION_KEY) is None
    moved = [generation(key) for key in keys]

    cold_start()

    assert all(generation(key) > before for key, before in zip(keys, moved, strict=True))


def test_a_cold_request_reads_again_what_a_warm_one_finds_kept(bench_urls, member_client):
    """A cold B2 reads the member, their permissions (two queries) and the ground rules in force
    (one) again, every time: each cold request is a first view after a write."""
    url = reverse("bench_b2")
    member_client.get(url)

    _, warm = get_counted(member_client, url)
    _, cold = get_counted(member_client, url, **{COLD_HEADER: "1"})
    _, cold_again = get_counted(member_client, url, **{COLD_HEADER: "1"})
    _, warm_after = get_counted(member_client, url)

    assert (warm, cold, cold_again, warm_after) == (0, 4, 4, 0)


def test_the_benchmarks_browser_cookies_sign_in_and_keep_the_csrf_cookie(
    bench_urls, client, member
):
    from bench.run import browser_cookies

    client.cookies.load(browser_cookies(member))
    sent = client.cookies[django_settings.CSRF_COOKIE_NAME].value

    response = client.get(reverse("bench_b2"))

    assert response.status_code == 200
    assert "Your profile" in response.content.decode()
    # As with a browser that has been to the portal before: its CSRF secret is used, not replaced
    # (Django sends the same cookie back to renew its expiry).
    assert len(sent) == 32
    assert response.cookies[django_settings.CSRF_COOKIE_NAME].value == sent
