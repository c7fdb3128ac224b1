"""No email is delivered inside a request: the suite-wide guard (tests/conftest.py) fails any
test in which one is, and it can fail."""

from django.core import mail
from django.core.mail import EmailMessage, mailers
from django.core.signals import request_finished, request_started
from django.urls import reverse

from tests.tasks import tasks_run


def test_the_guard_catches_an_email_delivered_inside_a_request(db, email_sent_inside_a_request):
    request_started.send(sender=None)
    EmailMessage(subject="Sent in a request", body="…", to=["a@example.org"]).send(using="delivery")
    request_finished.send(sender=None)

    assert email_sent_inside_a_request == ["Sent in a request"]
    email_sent_inside_a_request.clear()  # caught: this test passes


def test_a_request_that_emails_only_queues_it(db, client, email_sent_inside_a_request):
    client.post(
        reverse("account_signup"),
        {
            "email": "queued@example.org",
            "password1": "a long passphrase for signing up",
            "password2": "a long passphrase for signing up",
        },
    )

    assert email_sent_inside_a_request == []
    assert mail.outbox == []
    tasks_run()
    assert [m.to for m in mail.outbox] == [["queued@example.org"]]
    assert mailers["default"].__class__.__name__ == "OutboxBackend"
