"""Links in emails and calendar files point where the portal is served (issue 13, item 11).

The fault: the `make run` demo put http://127.0.0.1:8000 in every link even when it was served
on another port or address, so every link in its emails led nowhere."""

import pytest
from django.urls import reverse

from cop_portal.web.portal_address import portal_url
from tests.factories import EventFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_without_a_configured_address_links_follow_the_request(member_client, settings):
    """A real commit, as in a running portal: the request queues the email and a worker writes
    it afterwards, with the address the request came to."""
    settings.PORTAL_URL_FROM_REQUEST = True
    event = EventFactory(title="Listening session")

    member_client.post(reverse("events:register", args=[event.slug]), HTTP_HOST="localhost:9123")

    (message,) = mail_sent()
    body = message.body
    assert f"http://localhost:9123{event.get_absolute_url()}" in body
    assert "127.0.0.1:8000" not in body
    calendar = message.attachments[0]
    content = calendar[1] if isinstance(calendar, tuple) else calendar.content
    text = content.decode() if isinstance(content, bytes) else content
    assert "localhost:9123" in text.replace("\r\n ", "")
    assert "127.0.0.1:8000" not in text


def test_a_configured_address_is_used_whatever_the_request_says(member_client, settings):
    settings.PORTAL_URL_FROM_REQUEST = False
    settings.PORTAL_URL = "https://cop.example.org"
    event = EventFactory(title="Listening session")

    member_client.post(reverse("events:register", args=[event.slug]), HTTP_HOST="localhost:9123")

    (message,) = mail_sent()
    assert f"https://cop.example.org{event.get_absolute_url()}" in message.body
    assert "localhost:9123" not in message.body


def test_outside_a_request_the_default_address_is_used(settings):
    settings.PORTAL_URL_FROM_REQUEST = True
    settings.PORTAL_URL = "http://127.0.0.1:8000"

    assert portal_url() == "http://127.0.0.1:8000"


def test_make_run_serves_on_the_port_it_is_given_and_links_there():
    import subprocess
    from pathlib import Path

    from honcho.environ import expand_processes, parse_procfile

    command = ["make", "-n", "run", "PORT=9123"]  # make from PATH, as a developer runs it
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "HOST=127.0.0.1 WEB_PORT=9123" in out
    assert "honcho -f Procfile.dev start -p 9123" in out
    # What honcho then starts: the web server on that port, and a worker whose links use it
    # (honcho gives the worker a PORT of its own, 9223).
    procfile = parse_procfile((Path(__file__).parents[2] / "Procfile.dev").read_text())
    env = {"HOST": "127.0.0.1", "WEB_PORT": "9123"}
    web, worker = expand_processes(procfile.processes, env=env, port=9123)
    assert (web.cmd, web.env["PORT"]) == ("python manage.py runserver $HOST:$PORT", "9123")
    assert worker.cmd.startswith("PORT=$WEB_PORT python manage.py run_worker")
