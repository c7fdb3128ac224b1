"""The organisers' Outgoing email page: counts by kind, failures with their reasons and a way to
send them again; never who an email was for or what it said."""

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from cop_portal.mail.messages import KIND_HEADER
from cop_portal.mail.models import OutgoingEmail
from tests.tasks import tasks_run


def _queue(subject, to, kind="events/email/registration_confirmed.txt"):
    EmailMessage(subject=subject, body="…", to=[to], headers={KIND_HEADER: kind}).send()


@pytest.fixture
def failed_and_sent(db, smtp):
    smtp.sink.refused["left@example.org"] = "550 5.1.1 <left@example.org> no such user"
    smtp.start()
    _queue("You are registered: Black staff caucus", "left@example.org")
    _queue("You are registered: Open session", "stays@example.org")
    _queue("Reminder: Open session", "stays@example.org", kind="events/email/reminder.txt")
    tasks_run()
    return smtp


def test_the_page_counts_by_kind_and_lists_failures_with_why(client, organiser, failed_and_sent):
    client.force_login(organiser)

    response = client.get(reverse("outgoing_email"))

    assert response.status_code == 200
    assert response.context["kinds"] == [
        ("Registration confirmed", [0, 1, 1]),
        ("Reminder", [0, 1, 0]),
    ]
    assert response.context["totals"] == [0, 2, 1]
    (failure,) = response.context["failures"]
    assert (failure.label, failure.reason, failure.can_retry) == (
        "Registration confirmed",
        "the mail server refused the address (550)",
        True,
    )


def test_the_page_never_shows_who_an_email_was_for_or_what_it_said(
    client, organiser, failed_and_sent
):
    client.force_login(organiser)

    page = client.get(reverse("outgoing_email")).content.decode()

    for secret in ("left@example.org", "stays@example.org", "Black staff caucus", "Open session"):
        assert secret not in page


def test_a_failure_sent_again_is_delivered(client, organiser, failed_and_sent):
    client.force_login(organiser)
    failed = OutgoingEmail.objects.get(status="failed")
    del failed_and_sent.sink.refused["left@example.org"]

    response = client.post(reverse("outgoing_email_retry"), {"email": str(failed.pk)}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["1 email will be sent again shortly."]
    tasks_run()
    failed.refresh_from_db()
    assert (failed.status, failed.retries) == ("sent", 1)
    assert [m["To"] for m in failed_and_sent.sink.received][-1] == "left@example.org"


def test_sending_all_again_and_nonsense_are_answered_clearly(client, organiser, failed_and_sent):
    client.force_login(organiser)

    nonsense = client.post(reverse("outgoing_email_retry"), {"email": "'; drop"}, follow=True)
    everything = client.post(reverse("outgoing_email_retry"), {"email": "all"}, follow=True)

    assert [str(m) for m in nonsense.context["messages"]] == [
        "There was nothing to send again: it may have been sent already."
    ]
    assert [str(m) for m in everything.context["messages"]] == [
        "1 email will be sent again shortly."
    ]
    assert OutgoingEmail.objects.filter(status="failed").count() == 0


def test_members_and_the_steering_group_may_not_see_or_retry(
    client, member, steering_member, failed_and_sent
):
    for user in (member, steering_member):
        client.force_login(user)
        assert client.get(reverse("outgoing_email")).status_code == 403
        response = client.post(reverse("outgoing_email_retry"), {"email": "all"})
        assert response.status_code == 403
    assert OutgoingEmail.objects.filter(status="failed").count() == 1


def test_the_organise_page_links_to_it_with_the_failures(client, organiser, failed_and_sent):
    client.force_login(organiser)

    page = client.get(reverse("members:organise")).content.decode()

    url = reverse("outgoing_email")
    assert f'<a href="{url}">Emails that could not be sent</a>: <strong>1</strong>' in page
