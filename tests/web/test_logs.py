"""Production's log lines (cop_portal.web.logs) and the request id that ties them together:
the exact keys of each line, and no query string, email address, name or form field in any."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from cop_portal.web.logs import JsonFormatter

EMAIL = "ada.lovelace@mailbox.test"
APP_KEYS = {"time", "level", "logger", "message", "request_id"}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")


@pytest.fixture
def log_lines():
    """The lines production would write while the test runs, as production formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_logs_its_path_and_id_but_no_query_string_or_form(client, log_lines):
    response = client.post(
        f"/no-such-page/?email={EMAIL}&token=s3cret",
        {"email": EMAIL, "name": "Ada Lovelace", "answer": "My manager said"},
    )

    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = log_lines()
    assert set(line) == APP_KEYS
    assert TIME.fullmatch(line.pop("time"))
    assert line == {
        "level": "WARNING",
        "logger": "django.request",
        "message": "Not Found: /no-such-page/",
        "request_id": request_id,
    }


@pytest.mark.django_db
def test_a_refused_form_is_logged_without_what_was_typed(log_lines):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/accounts/login/?next=/caucus/&email={EMAIL}",
        {"login": EMAIL, "password": "correct horse"},
        headers={"X-Request-ID": "proxy-given-id-0001"},
    )

    assert response.status_code == 403
    assert response["X-Request-ID"] == "proxy-given-id-0001"
    [line] = log_lines()
    assert set(line) == APP_KEYS
    del line["time"]
    assert line == {
        "level": "WARNING",
        "logger": "django.security.csrf",
        "message": "Forbidden (CSRF cookie not set.): /accounts/login/",
        "request_id": "proxy-given-id-0001",
    }
    written = json.dumps(line)
    for secret in (EMAIL, "mailbox", "next=", "correct horse", "caucus"):
        assert secret not in written


@pytest.mark.parametrize(
    "incoming",
    [
        "short",  # fewer than 8 characters
        "x" * 65,
        "has spaces in it",
        'quote"injected',
        "line\\nbreak-0001",
        "ünïcode-0001",
    ],
)
def test_an_id_that_is_not_sane_is_replaced(client, incoming):
    response = client.get("/health/live/", headers={"X-Request-ID": incoming})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/health/live/")["X-Request-ID"]
    second = client.get("/health/live/")["X-Request-ID"]
    assert first != second


def test_lines_outside_a_request_have_no_id(log_lines):
    logging.getLogger("cop_portal.background").warning("Queue is %s", "slow")
    [line] = log_lines()
    del line["time"]
    assert line == {
        "level": "WARNING",
        "logger": "cop_portal.background",
        "message": "Queue is slow",
        "request_id": None,
    }


def test_gunicorn_error_lines_lose_the_query_string():
    """gunicorn logs the address of a request it failed on; the format drops its query."""
    record = logging.getLogger("gunicorn.error").makeRecord(
        "gunicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Error handling request %s",
        (f"/surveys/staff-survey/?email={EMAIL}",),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    del line["time"]
    assert line == {
        "level": "ERROR",
        "logger": "gunicorn.error",
        "message": "Error handling request /surveys/staff-survey/",
        "request_id": None,
    }
