"""A session's bookings for organisers: the places and the waiting list in order, a place given
by hand, and an email to those booked that says whom it reaches before it goes."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, SessionMessage
from members.models import AuditEvent
from tests.factories import (
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    caucus_member,
    permission_give,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db
WAITING = Registration.Status.WAITLISTED
PREFIX = settings.EMAIL_SUBJECT_PREFIX


def _waiting(event, *names, minutes_apart=10):
    start = timezone.now() - datetime.timedelta(days=1)
    return [
        RegistrationFactory(
            event=event,
            member=UserFactory(name=name),
            status=WAITING,
            requested_at=start + datetime.timedelta(minutes=minutes_apart * n),
        )
        for n, name in enumerate(names)
    ]


def test_the_waiting_list_is_shown_in_its_order_and_looking_is_audited(organiser_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, member=UserFactory(name="Has A Place"))
    # Asked in this order: Bea first, then Cal, then Ada.
    _waiting(event, "Bea Waiting", "Cal Waiting", "Ada Waiting")

    page = organiser_client.get(reverse("events:event_bookings", args=[event.pk])).content.decode()

    assert page.index("Bea Waiting") < page.index("Cal Waiting") < page.index("Ada Waiting")
    assert "1 with a place of 1, 3 on the waiting list." in " ".join(page.split())
    assert AuditEvent.objects.filter(action="register_viewed", target_id=str(event.pk)).count() == 1


def test_a_place_given_out_of_turn_needs_the_box_ticked_when_full_and_tells_the_member(
    organiser_client,
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    bea, cal = _waiting(event, "Bea Waiting", "Cal Waiting")
    url = reverse("events:event_place_give", args=[event.pk])

    response = organiser_client.post(url, {"registration": cal.pk}, follow=True)
    assert "The session is full (1 places). Tick the box" in response.content.decode()
    cal.refresh_from_db()
    assert cal.status == WAITING

    organiser_client.post(url, {"registration": cal.pk, "over_capacity": "on"})
    cal.refresh_from_db()
    bea.refresh_from_db()
    assert (cal.status, bea.status) == (Registration.Status.CONFIRMED, WAITING)
    sent = mail_sent()
    assert [(m.to, m.subject.removeprefix(PREFIX)) for m in sent] == [
        ([cal.member.email], f"A place is yours: {event.title}")
    ]
    assert AuditEvent.objects.filter(action="place_given").count() == 1

    # Twice is refused with a message, not an error.
    response = organiser_client.post(url, {"registration": cal.pk, "over_capacity": "on"})
    assert response.status_code == 302
    assert len(mail_sent()) == 1


def test_a_place_cannot_be_given_after_the_session(organiser_client):
    ends = timezone.now() - datetime.timedelta(hours=1)
    event = EventFactory(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends)
    (bea,) = _waiting(event, "Bea Waiting")
    response = organiser_client.post(
        reverse("events:event_place_give", args=[event.pk]), {"registration": bea.pk}, follow=True
    )
    assert "Places can only be given for a session still to come." in response.content.decode()
    bea.refresh_from_db()
    assert bea.status == WAITING


def test_a_message_is_checked_then_sent_once_to_the_chosen_group(organiser_client):
    event = EventFactory(title="Allyship in practice")
    booked = [RegistrationFactory(event=event) for _ in range(2)]
    waiting = _waiting(event, "Wes Waiting")
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    url = reverse("events:event_message", args=[event.pk])
    fields = {"audience": "booked", "subject": "Room change", "body": "We are in room 2.\nSee you."}

    page = organiser_client.post(url, fields).content.decode()
    assert "It goes to <strong>2 people</strong>: everyone with a place." in page
    assert SessionMessage.objects.count() == 0
    assert mail_sent() == []

    organiser_client.post(url, {**fields, "confirmed": "on"})
    sent = mail_sent()
    assert sorted(m.to[0] for m in sent) == sorted(r.member.email for r in booked)
    assert {m.subject.removeprefix(PREFIX) for m in sent} == {"Room change (Allyship in practice)"}
    assert "We are in room 2.\nSee you." in sent[0].body
    message = SessionMessage.objects.get()
    assert (message.recipients, message.audience) == (2, "booked")
    assert AuditEvent.objects.filter(action="registrants_emailed", detail="2").count() == 1

    organiser_client.post(url, {**fields, "audience": "both", "confirmed": "on"})
    assert len(mail_sent()) == 5
    assert waiting[0].member.email in [m.to[0] for m in mail_sent()[2:]]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"audience": "booked", "subject": "  ", "body": "x"}, "This field is required."),
        ({"audience": "booked", "subject": "Hi", "body": "   "}, "This field is required."),
        ({"audience": "everyone", "subject": "Hi", "body": "x"}, "Select a valid choice."),
        ({"audience": "booked", "subject": "Hi", "body": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_a_bad_message_gets_a_clear_message_and_nothing_is_sent(organiser_client, fields, error):
    event = EventFactory()
    RegistrationFactory(event=event)
    response = organiser_client.post(
        reverse("events:event_message", args=[event.pk]), {**fields, "confirmed": "on"}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert SessionMessage.objects.count() == 0
    assert mail_sent() == []


def test_a_message_to_nobody_is_refused(organiser_client):
    event = EventFactory()
    RegistrationFactory(event=event)
    fields = {"audience": "waiting", "subject": "Hi", "body": "x", "confirmed": "on"}
    response = organiser_client.post(reverse("events:event_message", args=[event.pk]), fields)
    assert response.status_code == 400
    assert "Nobody would get this message" in response.content.decode()
    assert SessionMessage.objects.count() == 0


def test_a_caucus_sessions_bookings_are_closed_to_organisers_not_trusted_with_caucus_choices(
    client, organiser
):
    caucus = CaucusFactory()
    event = EventFactory(caucus=caucus)
    RegistrationFactory(event=event, member=caucus_member(caucus, name="Cara Caucus"))
    client.force_login(organiser)
    assert client.get(reverse("events:event_bookings", args=[event.pk])).status_code == 403
    fields = {"audience": "booked", "subject": "Hi", "body": "x", "confirmed": "on"}
    assert client.post(reverse("events:event_message", args=[event.pk]), fields).status_code == 403
    assert mail_sent() == []

    permission_give(organiser, "events.view_caucus_choice")
    page = client.get(reverse("events:event_bookings", args=[event.pk])).content.decode()
    assert "Cara Caucus" in page
    assert AuditEvent.objects.filter(action="caucus_register_viewed").count() == 1
