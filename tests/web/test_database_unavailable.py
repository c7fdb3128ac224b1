"""The friendly 503 page while the database cannot be reached (cop_portal.web.middleware).

The views below really fail to reach PostgreSQL: they connect to a port nothing listens on, and
Django raises its own OperationalError, as it does while the portal's database restarts."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from cop_portal.web.middleware import RETRY_AFTER_SECONDS
from tests.network import closed_port

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def _reach_missing_database() -> None:
    settings = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(closed_port())}
    DatabaseWrapper(settings, alias="unreachable").ensure_connection()


@login_not_required
def database_down(request):
    _reach_missing_database()
    return HttpResponse("not reached")


@login_not_required
def connection_closed(request):
    raise InterfaceError("connection already closed")


@login_not_required
def broken(request):
    raise ValueError("a bug, not the database")


@login_not_required
def fine(request):
    return HttpResponse("fine")


urlpatterns = [
    path("database-down/", database_down),
    path("connection-closed/", connection_closed),
    path("broken/", broken),
    path("fine/", fine),
]


class DatabaseDownInMiddleware:
    """Stands for a middleware that needs the database before the view runs, as the session and
    the signed-in member do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path == "/fine/":
            _reach_missing_database()


def _assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    text = response.content.decode()
    assert '<h1 class="h2">The portal is back in a moment</h1>' in text
    assert "Please wait a few seconds, then try again." in text
    for internal in ("OperationalError", "InterfaceError", "Traceback", "connection", "5432",
                     "127.0.0.1", "psycopg"):  # fmt: skip
        assert internal not in text


def test_a_view_that_cannot_reach_the_database_answers_503(client):
    _assert_friendly_503(client.get("/database-down/"))


def test_a_closed_connection_answers_503(client):
    _assert_friendly_503(client.get("/connection-closed/"))


def test_a_database_error_in_another_middleware_answers_503(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DatabaseDownInMiddleware"]
    response = Client(raise_request_exception=False).get("/fine/")
    _assert_friendly_503(response)
    # The other middleware's headers are kept on the 503.
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_other_errors_stay_500():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


def test_pages_are_untouched_when_the_database_is_up(client):
    response = client.get("/fine/")
    assert response.status_code == 200
    assert response.content == b"fine"


def test_the_middleware_comes_first_so_it_sees_every_500_last(settings):
    """Only the request id, which never changes a response's status, stands outside it."""
    assert settings.MIDDLEWARE[:2] == [
        "cop_portal.web.middleware.RequestIdMiddleware",
        "cop_portal.web.middleware.DatabaseUnavailableMiddleware",
    ]
