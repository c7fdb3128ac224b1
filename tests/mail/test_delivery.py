"""The outbox and its delivery against a real SMTP server: stored in the change's transaction,
sent by a worker once, in order of need, over one connection per batch; the server down, then
back; refusals for good and for now; a worker killed mid-batch."""

import contextlib
import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cop_portal.mail import delivery
from cop_portal.mail.messages import KEY_HEADER, KIND_HEADER, PRIORITY_HEADER
from cop_portal.mail.models import MailServer, OutgoingEmail
from cop_portal.mail.tasks import outbox_purge
from members.models import User
from members.services.data_rights import member_erase
from tests.factories import UserFactory
from tests.tasks import tasks_run
from tests.workers import wait_until


def queue(subject, *, to="someone@example.org", priority=None, key=None, headers=None):
    headers = dict(headers or {})
    headers[KIND_HEADER] = "tests/email/example.txt"
    if priority is not None:
        headers[PRIORITY_HEADER] = str(priority)
    if key is not None:
        headers[KEY_HEADER] = key
    return EmailMessage(subject=subject, body=f"About {subject}.", to=[to], headers=headers).send()


def subjects(sink):
    return [message["Subject"] for message in sink.received]


class Rollback(Exception):
    pass


def test_a_message_is_stored_then_sent_once_by_a_worker_and_its_content_forgotten(db, smtp):
    smtp.start()

    assert queue("Hello", headers={"List-Unsubscribe": "<https://portal.example/u/abc>"}) == 1

    (row,) = OutgoingEmail.objects.all()
    assert (row.status, row.attempts, row.recipient) == ("queued", 0, "someone@example.org")
    assert smtp.sink.received == []
    tasks_run()
    tasks_run()
    (message,) = smtp.sink.received
    assert message["Subject"] == "Hello"
    assert message["Message-ID"] == row.message_id
    assert message["X-Outbox-Kind"] is None  # the outbox's own headers stay home
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain.strip() == "About Hello."
    assert "<p>About Hello.</p>" in html
    assert "CoP Portal" in html
    assert '<a href="https://portal.example/u/abc"' in html
    row.refresh_from_db()
    assert (row.status, row.attempts, row.message, row.reason) == ("sent", 1, {}, "")


def test_a_message_queued_in_a_change_that_rolls_back_is_never_sent(db, smtp):
    smtp.start()
    with contextlib.suppress(Rollback), transaction.atomic():
        queue("Rolled back")
        raise Rollback

    assert tasks_run() == 0
    assert OutgoingEmail.objects.count() == 0
    assert smtp.sink.received == []


def test_a_message_named_twice_is_queued_and_sent_once(db, smtp):
    smtp.start()
    queue("Reminder", key="reminder:1")
    queue("Reminder", key="reminder:1")

    tasks_run()

    assert subjects(smtp.sink) == ["Reminder"]
    assert OutgoingEmail.objects.count() == 1


def test_the_mail_server_down_then_back_delivers_each_message_once_in_order_of_need(db, smtp):
    # Queued news first, then a reminder, then what people wait for on a screen.
    for number, priority in enumerate([30, 20, 30, 10, 0, 20, 10, 0], 1):
        queue(f"m{number} p{priority}", priority=priority)
    now = timezone.now()

    assert delivery.deliver(now=now) == 0  # nothing listens
    server = MailServer.objects.get()
    assert (server.failures, server.retry_at) == (1, now + timedelta(seconds=30))
    assert server.last_error
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("queued", 0)}

    smtp.start()
    assert delivery.deliver(now=now + timedelta(seconds=29)) == 0  # still waiting its turn
    assert smtp.sink.received == []

    assert delivery.deliver(now=now + timedelta(seconds=30)) == 8
    assert subjects(smtp.sink) == [
        "m5 p0",
        "m8 p0",
        "m4 p10",
        "m7 p10",
        "m2 p20",
        "m6 p20",
        "m1 p30",
        "m3 p30",
    ]
    assert smtp.sink.connections == 1
    assert delivery.deliver(now=now + timedelta(minutes=5)) == 0
    assert len(smtp.sink.received) == 8
    assert MailServer.objects.get().failures == 0


def test_the_wait_for_a_server_that_stays_down_doubles_up_to_ten_minutes(db, smtp):
    queue("Waiting")
    now = timezone.now()
    waits = []
    for _ in range(7):
        delivery.deliver(now=now)
        retry_at = MailServer.objects.get().retry_at
        waits.append(retry_at - now)
        now = retry_at

    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600, 600)]
    assert OutgoingEmail.objects.get().attempts == 0


def test_an_address_refused_for_good_fails_at_once_with_a_reason_that_names_no_one(db, smtp):
    smtp.sink.refused["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    smtp.start()
    queue("To someone gone", to="gone@example.org")
    queue("To someone here", to="here@example.org")

    tasks_run()

    assert subjects(smtp.sink) == ["To someone here"]
    failed = OutgoingEmail.objects.get(recipient="gone@example.org")
    assert (failed.status, failed.attempts, failed.reason) == (
        "failed",
        1,
        "the mail server refused the address (550)",
    )
    assert failed.message  # kept, so that it can be sent again


def test_a_refusal_for_now_is_tried_again_after_a_wait(db, smtp):
    smtp.sink.before_accept = lambda message: "451 4.3.0 <busy@example.org> try again later"
    smtp.start()
    queue("Busy")
    now = timezone.now()

    assert delivery.deliver(now=now) == 0
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "queued",
        1,
        now + timedelta(minutes=1),
    )
    assert row.reason == "451 4.3.0 <[address]> try again later"

    smtp.sink.before_accept = None
    assert delivery.deliver(now=now + timedelta(seconds=59)) == 0
    assert delivery.deliver(now=now + timedelta(minutes=1)) == 1
    assert subjects(smtp.sink) == ["Busy"]


def test_a_message_refused_for_now_every_time_fails_after_its_last_attempt(db, smtp):
    smtp.sink.before_accept = lambda message: "452 4.2.2 mailbox full"
    smtp.start()
    queue("Full")
    now = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver(now=now)
        now += delivery.MESSAGE_LONGEST_WAIT

    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts, row.reason) == (
        "failed",
        delivery.MAX_ATTEMPTS,
        "452 4.2.2 mailbox full",
    )


def test_a_message_that_waited_too_long_for_the_server_fails_with_why(db, smtp):
    queue("Old news")
    now = timezone.now()
    delivery.deliver(now=now)

    delivery.deliver(now=now + delivery.MAX_WAIT + timedelta(seconds=1))

    row = OutgoingEmail.objects.get()
    assert row.status == "failed"
    assert row.reason.startswith("not sent within 3 days: the mail server could not be reached (")


# Sign-up with the mail server down ---------------------------------------------------------


def test_sign_up_answers_normally_with_the_mail_server_down_and_its_email_arrives_once(
    db, client, smtp
):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.joiner@example.org",
            "password1": "a long passphrase for signing up",
            "password2": "a long passphrase for signing up",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="new.joiner@example.org").exists()
    # First in the order of need: someone is waiting for it on a screen.
    (row,) = OutgoingEmail.objects.all()
    assert (row.priority, row.kind) == (0, "account/email/email_confirmation_signup")
    tasks_run()
    assert MailServer.objects.get().failures == 1
    smtp.start()
    delivery.deliver(now=timezone.now() + timedelta(seconds=31))
    delivery.deliver(now=timezone.now() + timedelta(minutes=5))
    (message,) = smtp.sink.received
    assert message["To"] == "new.joiner@example.org"
    assert "/accounts/confirm-email/" in message.get_body(("plain",)).get_content()


# A worker killed mid-batch -----------------------------------------------------------------


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(workers, smtp):
    for number in range(1, 11):
        queue(f"m{number}")
    smtp.start()
    first = None

    def kill_on_the_fourth(message):
        if message["Subject"] == "m4" and first is not None:
            os.kill(first.pid, signal.SIGKILL)
            return "451 4.3.0 the client went away"
        return None

    smtp.sink.before_accept = kill_on_the_fourth
    first = workers("--no-scheduler", email_url=smtp.url)
    assert first.wait(timeout=30) == -signal.SIGKILL
    assert subjects(smtp.sink) == ["m1", "m2", "m3"]
    assert Counter(OutgoingEmail.objects.values_list("status", flat=True)) == {
        "sent": 3,
        "sending": 7,
    }

    smtp.sink.before_accept = None
    workers("--no-scheduler", email_url=smtp.url)
    # The server has a message a moment before the worker records it as sent.
    wait_until(
        lambda: not OutgoingEmail.objects.exclude(status="sent").exists(),
        what="every message to be sent",
    )

    assert sorted(subjects(smtp.sink)) == sorted(f"m{n}" for n in range(1, 11))
    expected = set(OutgoingEmail.objects.values_list("message_id", flat=True))
    assert Counter(smtp.sink.message_ids) == dict.fromkeys(expected, 1)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize("priority", [0, 30])
def test_the_priority_a_sender_gives_is_kept(db, priority):
    queue("Kept", priority=priority)

    assert OutgoingEmail.objects.get().priority == priority


# Personal data -----------------------------------------------------------------------------


def test_a_sent_message_keeps_no_address_and_an_erased_member_is_sent_nothing_waiting(db, smtp):
    leaving = UserFactory(email="leaving@example.org")
    queue("Sent before", to="other@example.org")
    tasks_run()
    queue("Still waiting", to="Leaving@example.org")

    member_erase(member=leaving)
    smtp.start()
    tasks_run()

    assert subjects(smtp.sink) == []  # the first went to a server that was down
    assert list(OutgoingEmail.objects.values_list("recipient", flat=True)) == ["other@example.org"]
    delivery.deliver(now=timezone.now() + timedelta(minutes=1))
    assert subjects(smtp.sink) == ["Sent before"]
    assert list(OutgoingEmail.objects.values_list("recipient", "status")) == [("", "sent")]


def test_a_failed_message_forgets_what_it_said_after_a_month(db, smtp):
    smtp.sink.refused["gone@example.org"] = "550 5.1.1 no such user"
    smtp.start()
    queue("Old failure", to="gone@example.org")
    queue("New failure", to="gone@example.org")
    tasks_run()
    old = OutgoingEmail.objects.get(message__subject="Old failure")
    OutgoingEmail.objects.filter(pk=old.pk).update(failed_at=timezone.now() - timedelta(days=31))

    outbox_purge.call()

    assert sorted(OutgoingEmail.objects.values_list("recipient", "status")) == [
        ("", "failed"),
        ("gone@example.org", "failed"),
    ]
    old.refresh_from_db()
    assert old.message == {}
