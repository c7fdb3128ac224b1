"""Members' writes: places and the waiting list, joining and leaving a caucus, and the calendar
feed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import CalendarFeed, Caucus, CaucusMembership, Event, Registration
from events.services import organise, public
from tests.factories import CaucusFactory, EventFactory, UserFactory, caucus_member
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db


def _statuses(event):
    return list(
        event.registrations.order_by("requested_at", "pk").values_list("member__name", "status")
    )


def test_registration_confirms_until_the_event_is_full_then_waitlists():
    event = EventFactory(capacity=2)
    members = [UserFactory(name=f"P{i}") for i in range(4)]
    for member in members:
        public.registration_create(event=event, member=member)
    assert _statuses(event) == [
        ("P0", "confirmed"),
        ("P1", "confirmed"),
        ("P2", "waitlisted"),
        ("P3", "waitlisted"),
    ]


def test_cancelling_a_place_promotes_the_person_waiting_longest():
    event = EventFactory(capacity=1)
    first, second, third = (UserFactory(name=n) for n in ("First", "Second", "Third"))
    held = public.registration_create(event=event, member=first)
    public.registration_create(event=event, member=second)
    public.registration_create(event=event, member=third)

    promoted = public.registration_cancel(registration=held)

    assert promoted.member == second
    assert _statuses(event) == [
        ("First", "cancelled"),
        ("Second", "confirmed"),
        ("Third", "waitlisted"),
    ]


def test_leaving_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    public.registration_create(event=event, member=UserFactory(name="Holder"))
    waiting = public.registration_create(event=event, member=UserFactory(name="Waiting"))
    assert public.registration_cancel(registration=waiting) is None
    assert _statuses(event) == [("Holder", "confirmed"), ("Waiting", "cancelled")]


def test_raising_the_capacity_gives_places_to_the_waiting_list():
    event = EventFactory(capacity=1)
    for name in ("A", "B", "C"):
        public.registration_create(event=event, member=UserFactory(name=name))
    organise.event_save(event=event, capacity=2)
    assert _statuses(event) == [("A", "confirmed"), ("B", "confirmed"), ("C", "waitlisted")]


def test_re_registering_after_cancelling_goes_to_the_back_of_the_queue():
    event = EventFactory(capacity=1)
    member = UserFactory(name="Returner")
    registration = public.registration_create(event=event, member=member)
    public.registration_cancel(registration=registration)
    public.registration_create(event=event, member=UserFactory(name="Newcomer"))
    again = public.registration_create(event=event, member=member)
    assert again.pk == registration.pk
    assert again.status == Registration.Status.WAITLISTED


@pytest.mark.parametrize(
    ("event_kwargs", "message"),
    [
        ({"status": Event.Status.CANCELLED}, "This event has been cancelled."),
        ({"status": Event.Status.DRAFT}, "This event is not open for registration."),
        (
            {
                "starts_at": timezone.now() - datetime.timedelta(hours=1),
                "ends_at": timezone.now() + datetime.timedelta(hours=1),
            },
            "This event has already started, so registration is closed.",
        ),
        (
            {"registration_closes_at": timezone.now() - datetime.timedelta(minutes=1)},
            "Registration for this event has closed.",
        ),
    ],
)
def test_registration_refused_with_a_clear_message(event_kwargs, message):
    event = EventFactory(**event_kwargs)
    with pytest.raises(ValidationError) as caught:
        public.registration_create(event=event, member=UserFactory())
    assert caught.value.messages == [message]
    assert not Registration.objects.exists()


def test_registration_before_the_window_opens_says_when_it_opens():
    opens = timezone.make_aware(datetime.datetime(2099, 1, 5, 9, 0))
    event = EventFactory(
        registration_opens_at=opens,
        starts_at=opens + datetime.timedelta(days=30),
        ends_at=opens + datetime.timedelta(days=30, hours=1),
    )
    with pytest.raises(ValidationError) as caught:
        public.registration_create(event=event, member=UserFactory())
    assert caught.value.messages == ["Registration opens on 5 January 2099 at 09:00."]


def test_a_double_registration_is_refused_and_keeps_the_first():
    event = EventFactory()
    member = UserFactory()
    first = public.registration_create(event=event, member=member)
    with pytest.raises(ValidationError) as caught:
        public.registration_create(event=event, member=member)
    assert caught.value.messages == ["You are already registered for this event."]
    assert list(Registration.objects.values_list("pk", "status")) == [(first.pk, "confirmed")]


def test_caucus_sessions_refuse_members_outside_the_caucus():
    caucus = CaucusFactory()
    event = EventFactory(caucus=caucus)
    with pytest.raises(PermissionDenied):
        public.registration_create(event=event, member=UserFactory())
    insider = caucus_member(caucus)
    assert public.registration_create(event=event, member=insider).status == "confirmed"


def test_a_place_recorded_after_a_session_is_confirmed_and_sends_nothing():
    event = EventFactory(starts_at=timezone.now() - datetime.timedelta(days=2))
    registration = public.registration_record(event=event, member=UserFactory())
    assert registration.status == Registration.Status.CONFIRMED
    assert mail_sent() == []


def test_a_place_cannot_be_recorded_before_the_session_or_outside_its_caucus():
    with pytest.raises(ValidationError, match="once the event has started"):
        public.registration_record(event=EventFactory(), member=UserFactory())
    caucus = CaucusFactory()
    event = EventFactory(caucus=caucus, starts_at=timezone.now() - datetime.timedelta(days=2))
    with pytest.raises(PermissionDenied):
        public.registration_record(event=event, member=UserFactory())
    assert public.registration_record(event=event, member=caucus_member(caucus)).pk
    assert Registration.objects.count() == 1


def test_joining_a_caucus_records_consent_wording_version_and_time():
    member = UserFactory()
    caucus = CaucusFactory(description="For members who identify as global majority.")
    before = timezone.now()
    membership = public.caucus_join(member=member, caucus=caucus, consent=True)
    # The caucus as it was described when they chose it stays with their consent, however it
    # is reworded later.
    Caucus.objects.filter(pk=caucus.pk).update(description="Reworded.")
    membership.refresh_from_db()
    assert membership.consent_text == (
        f"{public.CAUCUS_CONSENT_TEXT}\n\nThe caucus chosen: Global majority: For members who "
        "identify as global majority."
    )
    assert membership.consent_version == public.CAUCUS_CONSENT_VERSION
    assert before <= membership.consented_at <= timezone.now()


def test_joining_a_caucus_without_consent_stores_nothing():
    with pytest.raises(ValidationError):
        public.caucus_join(member=UserFactory(), caucus=CaucusFactory(), consent=False)
    assert not CaucusMembership.objects.exists()


def test_withdrawing_deletes_the_choice_and_gives_up_future_caucus_places():
    caucus = CaucusFactory()
    member = caucus_member(caucus)
    future = EventFactory(caucus=caucus, capacity=1)
    open_event = EventFactory()
    public.registration_create(event=future, member=member)
    public.registration_create(event=open_event, member=member)
    waiting = caucus_member(CaucusFactory(), email="waiting@example.org")
    CaucusMembership.objects.filter(member=waiting).update(caucus=caucus)
    public.registration_create(event=future, member=waiting)

    assert public.caucus_withdraw(member=member) == 1

    assert not CaucusMembership.objects.filter(member=member).exists()
    assert Registration.objects.get(event=future, member=member).status == "cancelled"
    assert Registration.objects.get(event=future, member=waiting).status == "confirmed"
    assert Registration.objects.get(event=open_event, member=member).status == "confirmed"
    with pytest.raises(PermissionDenied):
        public.registration_create(event=future, member=member)


def test_resetting_the_calendar_feed_replaces_its_token():
    member = UserFactory()
    old = public.calendar_feed_get_or_create(member=member).token
    assert public.calendar_feed_get_or_create(member=member).token == old
    new = public.calendar_feed_reset(member=member).token
    assert new != old
    assert list(CalendarFeed.objects.values_list("token", flat=True)) == [new]
