import importlib
import os
import re
from collections import Counter
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from members.roles import ORGANISERS, STEERING_GROUP
from tests.factories import GroundRulesFactory, UserFactory, totp_activate


def pytest_sessionstart(session):
    """Stop at once, with a way forward, when the suite cannot reach PostgreSQL.

    The suite never falls back to SQLite: the portal runs on PostgreSQL in production."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("The tests run on PostgreSQL only: set DATABASE_URL=postgres://…", returncode=3)
    try:
        psycopg.connect(
            dbname="postgres",
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as error:
        where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        pytest.exit(
            f"Cannot reach PostgreSQL at {where} ({str(error).strip().splitlines()[0]}).\n"
            "Start it, for example on Debian: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
            "or point DATABASE_URL at a PostgreSQL server you can use, e.g. "
            "DATABASE_URL=postgres://user:password@host:5432/cop_portal make test",
            returncode=3,
        )


@pytest.fixture(scope="session", autouse=True)
def _outbox_mailer(django_test_environment):
    """Send email in tests the way the portal does: into the outbox, and out through the
    "delivery" mailer when the workers run (locmem, so `mail.outbox` holds what they sent).

    Django's test set-up points every mailer at locmem, the default one too, which would send
    each message straight away and skip the outbox: its layout, its Message-ID and its queue
    would go untested. The settings' own MAILERS are put back for the session."""
    declared = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).MAILERS
    replaced = settings.MAILERS
    settings.MAILERS = declared
    yield
    settings.MAILERS = replaced


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache, as the database starts empty: cached permissions,
    sessions and rate-limit counters from one test must not leak into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ground_rules(db):
    """Version 1 of the ground rules, published."""
    return GroundRulesFactory(version=1)


@pytest.fixture
def member(ground_rules):
    """A member who has finished joining."""
    return UserFactory(agreed_to=ground_rules)


@pytest.fixture
def organiser(ground_rules):
    return UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])


@pytest.fixture
def steering_member(ground_rules):
    return UserFactory(agreed_to=ground_rules, groups=[STEERING_GROUP])


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the authenticator app every administrator must have."""
    totp_activate(admin_user)
    return admin_user


@dataclass
class TwoSizes:
    """The page rendered at the smaller and the larger size, and the queries each ran."""

    small: HttpResponse
    large: HttpResponse
    queries: int


def _query_shapes(captured) -> Counter:
    """Each query's SQL with its values blanked, so that the same query about other rows, or
    about more of them at once, reads the same."""
    shapes = Counter()
    for query in captured:
        sql = re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", query["sql"])
        shapes[re.sub(r"IN \((?:\?, )*\?\)", "IN (…)", sql)] += 1
    return shapes


@pytest.fixture
def same_queries_at_two_sizes():
    """Check that a page runs as many queries however much it shows: the tool for every list
    page's query-count test.

    `grow(size)` adds data: it is called with `sizes[0]` before the first render and with
    `sizes[1]` before the second (so the second size is the two together). The page is fetched
    once to warm the caches, then rendered at each size with `before_each()` called first, if
    given (to drop figures a page keeps, so that both renders work them out). Both renders must
    answer 200 and run the same number of queries; the failure lists the queries only one ran.
    Returns both responses and the number of queries, for the test's own checks."""

    def render(client, url, data, before_each):
        if before_each:
            before_each()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, data)
        assert response.status_code == 200, url
        return response, captured.captured_queries

    def check(client, url, *, grow, sizes, data=None, before_each=None) -> TwoSizes:
        grow(sizes[0])
        client.get(url, data)  # warm the caches first
        small, small_queries = render(client, url, data, before_each)
        grow(sizes[1])
        large, large_queries = render(client, url, data, before_each)
        if len(large_queries) != len(small_queries):
            smaller, larger = _query_shapes(small_queries), _query_shapes(large_queries)
            only = [
                f"Only with {label}:\n" + "\n".join(f"  {n} × {sql}" for sql, n in rows.items())
                for label, rows in (("more data", larger - smaller), ("less", smaller - larger))
                if rows
            ]
            pytest.fail(
                f"{url} ran {len(small_queries)} queries at the smaller size and "
                f"{len(large_queries)} at the larger.\n" + "\n".join(only),
                pytrace=False,
            )
        return TwoSizes(small=small, large=large, queries=len(small_queries))

    return check


# Property-based tests (tests/project/test_hostile_input.py): a bounded number of examples so the
# whole suite stays quick, no deadline (a page that touches PostgreSQL varies in speed on a shared
# machine), and the same examples on every run in CI (HYPOTHESIS_PROFILE=ci).
hypothesis_settings.register_profile(
    "portal",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("portal"), derandomize=True
)
# For a long hunt before a release: HYPOTHESIS_PROFILE=thorough (minutes, not seconds).
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("portal"), max_examples=400
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))
