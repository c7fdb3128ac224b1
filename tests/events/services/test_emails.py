"""The emails the events app sends: who gets them, when, what they say, and which of them can be
turned off."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, Registration
from events.services import organise, public
from members.models import User
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    ProgrammeFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

# 09:00 UTC in July is 10:00 in London (BST).
STARTS_AT = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
UK_WHEN = "When: Thursday 1 July 2027, 10:00 to 11:30 (UK time)"
JOINING_LINK = "https://meet.example.org/j/anti-racism-cop"


def make_event(**fields):
    """The session these emails are about: online, an hour and a half from STARTS_AT."""
    fields = {
        "title": "Racism and maternity care",
        "slug": "racism-and-maternity",
        "summary": "What the evidence says and what teams are doing about it.",
        "joining_link": JOINING_LINK,
        "starts_at": STARTS_AT,
        **fields,
    }
    return EventFactory(**fields)


@pytest.fixture
def event(db):
    return make_event()


def register(member, event):
    """Book a place, and let the workers send what that queued."""
    registration = public.registration_create(event=event, member=member)
    mail_sent()
    return registration


def calendar_attachments(message):
    return [a for a in message.attachments if a.mimetype == "application/ics"]


# Registration ------------------------------------------------------------------------------


def test_registration_confirmation_says_when_where_and_how_to_join(event):
    member = UserFactory(name="Ada Okafor")

    register(member, event)

    (message,) = mail_sent()
    assert message.subject == "[CoP Portal] You are registered: Racism and maternity care"
    assert message.to == [member.email]
    assert message.body.startswith(
        "Hello Ada,\n\nYou are registered for Racism and maternity care."
    )
    assert f"{UK_WHEN}\nWhere: Online\n" in message.body
    assert "Event page: http://127.0.0.1:8000/events/racism-and-maternity/\n" in message.body
    assert f"Joining link: {JOINING_LINK}\n" in message.body
    assert (
        "The calendar invitation in this email adds the session to your calendar." in message.body
    )
    assert message.body.endswith("\n\nThe CoP organisers\n")
    # Plain text: nothing is HTML-escaped.
    assert "&" not in message.body


def test_registration_confirmation_attaches_the_event_to_add_to_a_calendar(event):
    registration = register(UserFactory(), event)

    message = mail_sent()[0]
    assert len(message.attachments) == 1
    (attachment,) = calendar_attachments(message)
    assert attachment.filename == "racism-and-maternity.ics"
    (vevent,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    assert str(vevent["UID"]) == f"{registration.invite_uid}@cop-portal"
    assert vevent.decoded("DTSTART") == STARTS_AT
    assert JOINING_LINK in str(vevent["DESCRIPTION"])


def test_registration_confirmation_is_essential_so_has_no_unsubscribe(event):
    member = UserFactory(email_reminders=False, email_programme=False, email_catch_up=False)

    register(member, event)

    message = mail_sent()[0]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "List-Unsubscribe-Post" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()


def test_in_person_confirmation_gives_the_venue_and_no_joining_link():
    event = make_event(format=Event.Format.IN_PERSON, venue="Riverside Hub, Leeds", joining_link="")

    register(UserFactory(), event)

    (message,) = mail_sent()
    assert "\nWhere: Riverside Hub, Leeds\n" in message.body
    assert "Joining link" not in message.body


def test_a_full_event_puts_the_member_on_the_waiting_list_and_says_so():
    event = make_event(capacity=1)
    register(UserFactory(), event)
    waiting = UserFactory(name="Sam Reid")
    mail_sent().clear()

    register(waiting, event)

    (message,) = mail_sent()
    assert message.subject == "[CoP Portal] On the waiting list: Racism and maternity care"
    assert message.to == [waiting.email]
    assert "Racism and maternity care is full, so you are on the waiting list." in message.body
    assert UK_WHEN in message.body
    # Not registered yet, so not trusted with the joining link.
    assert JOINING_LINK not in message.body
    assert message.attachments == []
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_cancelled_place_goes_to_the_next_person_waiting_who_is_told():
    event = make_event(capacity=1)
    first, waiting = UserFactory(), UserFactory(name="Sam Reid")
    place = register(first, event)
    register(waiting, event)
    mail_sent().clear()

    promoted = public.registration_cancel(registration=place)

    assert promoted.member == waiting
    assert promoted.status == Registration.Status.CONFIRMED
    # The first is the cancellation for the member who gave the place up.
    assert [m.to for m in mail_sent()] == [[first.email], [waiting.email]]
    message = mail_sent()[1]
    assert message.subject == "[CoP Portal] A place is yours: Racism and maternity care"
    assert message.to == [waiting.email]
    assert "a place has come free at Racism and maternity care, and it is yours" in message.body
    assert f"Joining link: {JOINING_LINK}\n" in message.body
    assert len(calendar_attachments(message)) == 1


# Cancellation ------------------------------------------------------------------------------


def test_cancelling_an_event_tells_everyone_booked_or_waiting():
    event = make_event(capacity=1)
    booked, waiting, left = UserFactory(), UserFactory(), UserFactory()
    register(booked, event)
    register(waiting, event)
    RegistrationFactory(event=event, member=left, status=Registration.Status.CANCELLED)
    mail_sent().clear()

    told = organise.event_cancel(event=event)

    assert told == 2
    assert sorted(m.to[0] for m in mail_sent()) == sorted([booked.email, waiting.email])
    message = mail_sent()[0]
    assert message.subject == "[CoP Portal] Cancelled: Racism and maternity care"
    assert (
        "Racism and maternity care, planned for Thursday 1 July 2027, 10:00 (UK time), "
        "has been cancelled." in message.body
    )
    assert JOINING_LINK not in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    (attachment,) = calendar_attachments(message)
    (vevent,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1


# Catch-up ----------------------------------------------------------------------------------


@pytest.fixture
def past_event(db):
    return make_event(slug="naming-racism", starts_at=timezone.now() - timedelta(days=2))


def test_catch_up_goes_once_and_only_to_those_booked_who_did_not_come(past_event, organiser):
    came, missed, cancelled, walk_in = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for member in (came, missed):
        RegistrationFactory(event=past_event, member=member)
    RegistrationFactory(event=past_event, member=cancelled, status=Registration.Status.CANCELLED)
    AttendanceFactory(event=past_event, member=came)
    AttendanceFactory(event=past_event, member=walk_in, walk_in=True)

    due = organise.event_summary_publish(
        event=past_event,
        user=organiser,
        outcome_summary="We heard from two maternity teams about naming racism.",
        key_takeaways="- Name it\n- Record it",
        recording_url="https://video.example.org/naming-racism",
        slides_url="",
    )

    assert due == 1
    (message,) = mail_sent()
    assert message.to == [missed.email]
    assert message.subject == "[CoP Portal] Catch up: Racism and maternity care"
    day = f"{timezone.localtime(past_event.starts_at):%A %-d %B %Y}"
    assert message.body.startswith(
        f"Hello {missed.get_short_name()},\n\nSorry you could not make it to Racism and "
        f"maternity care on {day}. Here is a short catch-up.\n\n"
        "We heard from two maternity teams about naming racism.\n"
    )
    assert "Key takeaways:\n- Name it\n- Record it\n" in message.body
    assert "Recording: https://video.example.org/naming-racism\n" in message.body
    assert "Slides:" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body.endswith(
        "Choose which emails you get: http://127.0.0.1:8000/profile/emails/\n"
    )

    mail_sent().clear()
    again = organise.event_summary_publish(
        event=past_event, user=organiser, outcome_summary="A corrected summary."
    )

    assert again == 0
    assert mail_sent() == []


def test_catch_up_skips_members_who_turned_catch_up_emails_off(past_event, organiser):
    member = UserFactory(email_catch_up=False)
    RegistrationFactory(event=past_event, member=member)
    AttendanceFactory(event=past_event)

    due = organise.event_summary_publish(
        event=past_event, user=organiser, outcome_summary="What we talked about."
    )

    assert due == 0
    assert mail_sent() == []


def test_catch_up_waits_until_attendance_is_recorded(past_event, organiser):
    """Without a register, everyone booked would look absent: nobody who came should be told
    they missed it."""
    came, missed = UserFactory(), UserFactory()
    for member in (came, missed):
        RegistrationFactory(event=past_event, member=member)
    due = organise.event_summary_publish(
        event=past_event, user=organiser, outcome_summary="What we talked about."
    )
    assert due is None
    assert mail_sent() == []
    past_event.refresh_from_db()
    assert past_event.summary_published_at is not None
    assert past_event.catch_up_sent_at is None

    organise.attendance_record(event=past_event, present_ids=[came.pk], recorded_by=organiser)
    due = organise.event_summary_publish(event=past_event, user=organiser)
    assert due == 1
    assert [m.to for m in mail_sent()] == [[missed.email]]


# Reminders ---------------------------------------------------------------------------------


def test_reminders_go_once_to_each_booking_within_the_lead_time():
    now = STARTS_AT - timedelta(hours=20)
    soon = make_event()
    later = make_event(slug="later", starts_at=STARTS_AT + timedelta(days=2))
    first, second = UserFactory(), UserFactory()
    booking = RegistrationFactory(event=soon, member=first)
    RegistrationFactory(event=soon, member=second)
    RegistrationFactory(event=later, member=first)

    assert public.reminders_send(now=now) == 2

    assert sorted(m.to[0] for m in mail_sent()) == sorted([first.email, second.email])
    booking.refresh_from_db()
    assert booking.reminder_sent_at == now
    assert public.reminders_send(now=now + timedelta(minutes=15)) == 0
    assert len(mail_sent()) == 2


def test_reminders_skip_members_who_turned_them_off_and_cancelled_or_waiting_places():
    event = make_event()
    keen = UserFactory()
    RegistrationFactory(event=event, member=keen)
    RegistrationFactory(event=event, member=UserFactory(email_reminders=False))
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    assert public.reminders_send(now=STARTS_AT - timedelta(hours=1)) == 1

    assert [m.to for m in mail_sent()] == [[keen.email]]


def test_reminders_skip_cancelled_events():
    event = make_event(status=Event.Status.CANCELLED)
    RegistrationFactory(event=event)

    assert public.reminders_send(now=STARTS_AT - timedelta(hours=1)) == 0
    assert mail_sent() == []


def test_a_reminder_can_be_unsubscribed_from_in_one_click():
    event = make_event()
    member = UserFactory(name="Ada Okafor")
    RegistrationFactory(event=event, member=member)

    public.reminders_send(now=STARTS_AT - timedelta(hours=3))

    (message,) = mail_sent()
    assert message.subject == "[CoP Portal] Reminder: Racism and maternity care"
    assert f"{UK_WHEN}\n" in message.body
    assert f"Joining link: {JOINING_LINK}\n" in message.body
    assert len(calendar_attachments(message)) == 1
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert header.endswith("/>")
    link = header[1:-1]
    lines = message.body.splitlines()
    assert lines[-2:] == [
        f"Stop reminders (of sessions and of actions): {link}",
        "Choose which emails you get: http://127.0.0.1:8000/profile/emails/",
    ]
    # The headers survive being turned into a real message.
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_bytes()

    # What a mail client does for RFC 8058: a POST with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(link).path, {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_reminders is False
    assert member.email_programme is True


def test_the_reminder_command_sends_due_reminders_and_says_how_many():
    event = make_event(starts_at=timezone.now() + timedelta(hours=30))
    RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    Registration.objects.update(requested_at=timezone.now() - timedelta(days=3))
    out = StringIO()

    call_command("send_event_reminders", stdout=out)
    assert out.getvalue() == "Sent 0 reminders.\n"

    call_command("send_event_reminders", "--hours", "36", stdout=out)
    assert out.getvalue() == "Sent 0 reminders.\nSent 2 reminders.\n"
    assert len(mail_sent()) == 2


def test_the_reminder_command_refuses_a_lead_time_under_an_hour():
    with pytest.raises(CommandError, match=r"^--hours must be at least 1\.$"):
        call_command("send_event_reminders", "--hours", "0", stdout=StringIO())


# Programme ---------------------------------------------------------------------------------


def test_publishing_a_programme_emails_only_members_who_want_programme_emails():
    programme = ProgrammeFactory(
        draft=True,
        title="July to December 2027",
        slug="july-to-december-2027",
        starts_on=date(2027, 7, 1),
        ends_on=date(2027, 12, 31),
        theme="Racism in maternity care",
    )
    make_event(programme=programme, status=Event.Status.DRAFT)
    keen = UserFactory(name="Ada Okafor")
    UserFactory(email_programme=False)
    UserFactory(is_active=False)

    organise.programme_publish(programme=programme)

    assert [m.to for m in mail_sent()] == [[keen.email]]
    message = mail_sent()[0]
    assert message.subject == "[CoP Portal] New programme: July to December 2027"
    assert (
        'The programme for July to December 2027 is out, on the theme "Racism in maternity care".'
        in message.body
    )
    assert "- Thu 1 Jul, 10:00: Racism and maternity care (Webinar, online)\n" in message.body
    assert "See the sessions and book a place: http://127.0.0.1:8000/programme/\n" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000/unsubscribe/"
    )
    assert message.body.endswith(
        "Choose which emails you get: http://127.0.0.1:8000/profile/emails/\n"
    )
    assert User.objects.get(pk=keen.pk).email_programme is True


def test_no_reminder_for_a_booking_made_inside_the_reminder_window():
    """Someone who books the evening before has just had the confirmation: no second email."""
    event = make_event(starts_at=timezone.now() + timedelta(hours=10))
    early, late = RegistrationFactory(event=event), RegistrationFactory(event=event)
    Registration.objects.filter(pk=early.pk).update(requested_at=timezone.now() - timedelta(days=5))

    assert public.reminders_send() == 1
    assert [m.to for m in mail_sent()] == [[early.member.email]]
    late.refresh_from_db()
    assert late.reminder_sent_at is None


def test_moving_a_session_tells_everyone_booked_and_reminds_them_again():
    event = make_event(starts_at=timezone.now() + timedelta(hours=20), capacity=1)
    confirmed = RegistrationFactory(event=event, member=UserFactory(name="Ada Okafor"))
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    Registration.objects.update(
        requested_at=timezone.now() - timedelta(days=5), reminder_sent_at=timezone.now()
    )
    later = event.starts_at + timedelta(days=2)

    organise.event_save(event=event, starts_at=later, ends_at=later + timedelta(hours=1))

    assert sorted(m.to[0] for m in mail_sent()) == sorted(
        [confirmed.member.email, waiting.member.email]
    )
    to_confirmed = next(m for m in mail_sent() if m.to == [confirmed.member.email])
    assert to_confirmed.subject == "[CoP Portal] Changed: Racism and maternity care"
    assert f"When: {timezone.localtime(later):%A %-d %B %Y, %H:%M}" in to_confirmed.body
    assert JOINING_LINK in to_confirmed.body
    to_waiting = next(m for m in mail_sent() if m.to == [waiting.member.email])
    assert JOINING_LINK not in to_waiting.body
    assert list(
        Registration.objects.exclude(status="cancelled").values_list("reminder_sent_at", flat=True)
    ) == [None, None]


def test_a_change_calendars_do_not_show_emails_nobody():
    event = make_event()
    RegistrationFactory(event=event)
    organise.event_save(event=event, summary="A clearer description of the session.")
    assert mail_sent() == []


def test_a_session_moved_twice_before_the_workers_run_is_announced_once():
    event = make_event(starts_at=timezone.now() + timedelta(days=3))
    booked = RegistrationFactory(event=event)
    later = event.starts_at + timedelta(days=2)

    organise.event_save(event=event, starts_at=later, ends_at=later + timedelta(hours=1))
    latest = later + timedelta(days=1)
    organise.event_save(event=event, starts_at=latest, ends_at=latest + timedelta(hours=1))

    changed = [m for m in mail_sent() if m.subject.startswith("[CoP Portal] Changed:")]
    assert [m.to for m in changed] == [[booked.member.email]]
