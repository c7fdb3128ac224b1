"""Error reports leave the portal stripped (cop_portal.web.error_reports.before_send): the event
below is shaped as sentry-sdk's Django integration builds one, with everything it may carry."""

import copy
import json
import os
import subprocess
import sys

from cop_portal.web.error_reports import HIDDEN, before_send
from cop_portal.web.logs import current_request_id

from ..prod_settings import PRODUCTION_ENVIRONMENT

EMAIL = "ada.lovelace@mailbox.test"


def _frame(function, **local_variables):
    return {
        "filename": "surveys/services/answers.py",
        "abs_path": "/srv/cop-portal/surveys/services/answers.py",
        "function": function,
        "module": "surveys.services.answers",
        "lineno": 88,
        "pre_context": ["    with transaction.atomic():"],
        "context_line": "        answer.full_clean()",
        "post_context": ["        answer.save()"],
        "in_app": True,
        "vars": local_variables,
    }


def _event(url: str) -> dict:
    return {
        "event_id": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99",
        "level": "error",
        "platform": "python",
        "timestamp": "2026-12-06T16:00:00.000000Z",
        "server_name": "web-1",
        "environment": "production",
        "transaction": "/surveys/{slug}/",
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": 'duplicate key value: Key (text)=(My manager said "not here")',
                    "module": "django.db.utils",
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {
                        "frames": [
                            _frame("respond", request="<WSGIRequest>", email=f"'{EMAIL}'"),
                            _frame("answer_save", text="'My manager said not here'"),
                        ]
                    },
                }
            ]
        },
        "threads": {
            "values": [{"id": 1, "stacktrace": {"frames": [_frame("run", member="'Ada'")]}}]
        },
        "logentry": {
            "message": "Answer for %s refused",
            "params": [EMAIL],
            "formatted": f"Answer for {EMAIL} refused",
        },
        "breadcrumbs": {
            "values": [
                {
                    "category": "query",
                    "message": 'SELECT "members_user"."email" FROM "members_user" WHERE id = %s',
                    "data": {"params": [42]},
                },
                {"category": "surveys", "message": "Answer text: My manager said not here"},
            ]
        },
        "request": {
            "url": f"{url}?email={EMAIL}&token=s3cret",
            "method": "POST",
            "query_string": f"email={EMAIL}&token=s3cret",
            "data": {"answer": "My manager said not here", "email": EMAIL},
            "cookies": {"sessionid": "abc123", "csrftoken": "def456"},
            "headers": {
                "Host": "cop.example.org",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "sessionid=abc123; csrftoken=def456",
                "Referer": "https://cop.example.org/caucus/?who=ada",
                "User-Agent": "Mozilla/5.0 (Ada's laptop)",
                "X-Forwarded-For": "203.0.113.7",
                "X-Request-ID": "0123456789abcdef0123456789abcdef",
                "Authorization": "Bearer token",
            },
            "env": {"SERVER_NAME": "web-1", "SERVER_PORT": "8000", "REMOTE_ADDR": "203.0.113.7"},
        },
        "user": {
            "id": "42",
            "email": EMAIL,
            "username": "ada",
            "name": "Ada Lovelace",
            "ip_address": "203.0.113.7",
        },
        "extra": {"sys.argv": ["gunicorn"], "answer": "My manager said not here"},
        "tags": {"kind": "survey"},
        "contexts": {"runtime": {"name": "CPython", "version": "3.13.0"}},
    }


def _stripped_frame(function):
    frame = _frame(function)
    del frame["vars"]
    return frame


KEPT_REQUEST = {
    "method": "POST",
    "headers": {
        "Host": "cop.example.org",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Request-ID": "0123456789abcdef0123456789abcdef",
    },
}


def test_any_page_loses_body_cookies_query_string_user_details_and_local_variables():
    event = _event("https://cop.example.org/organise/dashboard/")
    expected = copy.deepcopy(event)
    for frame in expected["exception"]["values"][0]["stacktrace"]["frames"]:
        del frame["vars"]
    del expected["threads"]["values"][0]["stacktrace"]["frames"][0]["vars"]
    expected["request"] = {"url": "https://cop.example.org/organise/dashboard/", **KEPT_REQUEST}
    expected["user"] = {"id": "42"}
    del expected["extra"]

    assert before_send(event, {}) == expected


def test_a_survey_answer_page_loses_the_message_and_the_trail_too():
    event = _event("https://cop.example.org/surveys/staff-survey/")

    stripped = before_send(event, {})

    assert stripped == {
        "event_id": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99",
        "level": "error",
        "platform": "python",
        "timestamp": "2026-12-06T16:00:00.000000Z",
        "server_name": "web-1",
        "environment": "production",
        "transaction": "/surveys/{slug}/",
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": HIDDEN,
                    "module": "django.db.utils",
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {
                        "frames": [_stripped_frame("respond"), _stripped_frame("answer_save")]
                    },
                }
            ]
        },
        "threads": {"values": [{"id": 1, "stacktrace": {"frames": [_stripped_frame("run")]}}]},
        "logentry": {"message": "Answer for %s refused", "params": []},
        "request": {"url": "https://cop.example.org/surveys/staff-survey/", **KEPT_REQUEST},
        "user": {"id": "42"},
        "tags": {"kind": "survey"},
        "contexts": {"runtime": {"name": "CPython", "version": "3.13.0"}},
    }
    sent = json.dumps(stripped)
    for secret in (EMAIL, "mailbox", "s3cret", "manager", "abc123", "203.0.113.7", "Ada", "ada"):
        assert secret not in sent


def test_caucus_survey_conversation_and_message_pages_lose_their_content_too():
    for url in (
        "https://cop.example.org/caucus/",
        "https://cop.example.org/organise/caucuses/3/edit/",
        "https://cop.example.org/s/answer/",
        "https://cop.example.org/q/AB12/",
        "https://cop.example.org/organise/surveys/7/results/",
        "https://cop.example.org/events/caucus-circle/",
        "https://cop.example.org/resources/caucus-notes/download/",
        "https://cop.example.org/conversations/sessions/caucus-circle/",
        "https://cop.example.org/messages/12/",
        "https://cop.example.org/organise/concerns/",
    ):
        stripped = before_send(_event(url), {})
        assert stripped["exception"]["values"][0]["value"] == HIDDEN, url
        assert "breadcrumbs" not in stripped, url
        assert stripped["logentry"] == {"message": "Answer for %s refused", "params": []}, url


def test_a_report_made_during_a_request_carries_its_id():
    token = current_request_id.set("0123456789abcdef0123456789abcdef")
    try:
        stripped = before_send({"level": "error", "message": "Queue stalled"}, {})
    finally:
        current_request_id.reset(token)
    assert stripped == {
        "level": "error",
        "message": "Queue stalled",
        "tags": {"request_id": "0123456789abcdef0123456789abcdef"},
    }


SENTRY_OPTIONS = """
import json
import sentry_sdk
from django.conf import settings
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "active": client.is_active(),
    **{name: options.get(name) for name in [
        "dsn", "environment", "send_default_pii", "include_local_variables",
        "max_request_body_size", "traces_sample_rate",
    ]},
    "before_send": getattr(options.get("before_send"), "__qualname__", None),
}))
"""


def _production_sentry(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    environment = {**environment, **PRODUCTION_ENVIRONMENT, **env}
    script = "import django; django.setup()\n" + SENTRY_OPTIONS
    output = subprocess.run(  # noqa: S603 - this interpreter, with a fixed script
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def test_production_reports_errors_only_when_sentry_dsn_is_set():
    assert _production_sentry(SENTRY_DSN="")["active"] is False
    assert _production_sentry(SENTRY_DSN="https://key@errors.example.org/1") == {
        "active": True,
        "dsn": "https://key@errors.example.org/1",
        "environment": "production",
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": None,
        "before_send": "before_send",
    }
