"""Calendar invitations in the events emails (issue 15, item 5): what a member's mail client is
sent when they get a place, when the event changes, and when it or their place is cancelled.

Every invitation is read from the email as it leaves (once the workers have sent it from the
portal's outbox: locmem's outbox, the bytes a mail server would get) by three independent
parsers: icalendar (which makes them), vobject (under several CalDAV servers) and ical. vobject
keeps a process-wide table of time zones by TZID, so it is emptied before each read: otherwise a
zone read in one test would be used in the next."""

import datetime
import email
import email.policy
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.test import override_settings
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo
from icalendar import Calendar

from events.models import Event, Registration
from events.services import organise, public
from members.services.data_rights import member_erase

from ..factories import (
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
)
from ..mail import mail_sent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")
FROM = "Anti-Racism for Health Equity CoP <cop@portal.example.org>"
JOINING_LINK = "https://meet.example.org/j/anti-racism-cop"


# Reading what was sent ---------------------------------------------------------------------


@dataclass
class Sent:
    """The calendar parts of one email, as a mail client receives them."""

    content_type: str  # the invitation part's Content-Type header, as written on the wire
    method_param: str
    invitation: bytes  # the text/calendar alternative that clients show as an invitation
    attachment: bytes  # the .ics file attached beside it
    filename: str


def sent(message) -> Sent:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attached = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    # The portal's HTML layout comes between the text and the calendar, which clients want last.
    text, html, calendar = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert calendar.get_content_type() == "text/calendar"
    assert not calendar.is_attachment()
    assert attached.get_content_type() == "application/ics"
    assert attached.is_attachment()
    return Sent(
        content_type=dict(calendar.raw_items())["Content-Type"],
        method_param=calendar.get_param("method"),
        invitation=calendar.get_content().encode(),
        attachment=attached.get_content(),
        filename=attached.get_filename(),
    )


@dataclass
class Reading:
    """What one parser makes of an invitation."""

    method: str
    uid: str
    sequence: int
    status: str
    starts: datetime.datetime
    ends: datetime.datetime
    organiser: tuple[str, str]  # address, name
    attendees: list[tuple[str, str, str, bool]]  # address, name, PARTSTAT, RSVP
    description: str
    private: bool


def _address(uri: str) -> str:
    assert uri.lower().startswith("mailto:")
    return uri[len("mailto:") :]


def read_icalendar(content: bytes) -> Reading:
    calendar = Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    attendees = vevent.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    organiser = vevent["ORGANIZER"]
    return Reading(
        method=str(calendar["METHOD"]),
        uid=str(vevent["UID"]),
        sequence=int(vevent["SEQUENCE"]),
        status=str(vevent["STATUS"]),
        starts=vevent.decoded("DTSTART"),
        ends=vevent.decoded("DTEND"),
        organiser=(_address(str(organiser)), organiser.params["CN"]),
        attendees=[
            (_address(str(a)), a.params["CN"], a.params["PARTSTAT"], a.params["RSVP"] == "TRUE")
            for a in attendees
        ],
        description=str(vevent["DESCRIPTION"]),
        private=str(vevent.get("CLASS", "PUBLIC")) == "PRIVATE",
    )


def read_vobject(content: bytes) -> Reading:
    getattr(vobject.icalendar, "__tzidMap").clear()
    calendar = vobject.readOne(content.decode())
    vevent = calendar.vevent
    organiser = vevent.organizer
    return Reading(
        method=calendar.method.value,
        uid=vevent.uid.value,
        sequence=int(vevent.sequence.value),
        status=vevent.status.value,
        starts=vevent.dtstart.value,
        ends=vevent.dtend.value,
        organiser=(_address(organiser.value), organiser.params["CN"][0]),
        attendees=[
            (
                _address(a.value),
                a.params["CN"][0],
                a.params["PARTSTAT"][0],
                a.params["RSVP"][0] == "TRUE",
            )
            for a in vevent.contents.get("attendee", [])
        ],
        description=vevent.description.value,
        private="class" in vevent.contents and vevent.contents["class"][0].value == "PRIVATE",
    )


def read_ical(content: bytes) -> Reading:
    calendar = IcsCalendarStream.calendar_from_ics(content.decode())
    (event,) = calendar.events
    return Reading(
        method=calendar.method,
        uid=event.uid,
        sequence=event.sequence,
        status=str(event.status.value),
        starts=event.dtstart,
        ends=event.dtend,
        organiser=(_address(event.organizer.uri), event.organizer.common_name),
        attendees=[
            (_address(a.uri), a.common_name, str(a.status), bool(a.rsvp)) for a in event.attendees
        ],
        description=event.description,
        private=str(event.classification.value) == "PRIVATE" if event.classification else False,
    )


PARSERS = [read_icalendar, read_vobject, read_ical]


def readings(content: bytes) -> list[Reading]:
    """The invitation as each parser reads it; all must agree before any is asserted on."""
    found = [parse(content) for parse in PARSERS]
    assert found[1] == found[0], "vobject reads the invitation differently from icalendar"
    assert found[2] == found[0], "ical reads the invitation differently from icalendar"
    return found


def only(content: bytes) -> Reading:
    return readings(content)[0]


def invitations_to(member) -> list[Sent]:
    return [sent(m) for m in mail_sent() if m.to == [member.email]]


# The journey: register, change, cancel, register again, event cancelled --------------------


@override_settings(DEFAULT_FROM_EMAIL=FROM)
def test_one_member_gets_one_uid_and_a_rising_sequence_from_booking_to_cancellation(
    member, member_client
):
    event = EventFactory(
        title="Racism and maternity care",
        slug="racism-and-maternity",
        starts_at=datetime.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON),
        joining_link=JOINING_LINK,
    )
    member.name = "Ada Okafor"
    member.save()

    # The workers send each step's email before the next step, as they would between requests.
    def as_member(action):
        response = member_client.post(reverse(f"events:{action}", args=[event.slug]))
        assert response.status_code == 302
        mail_sent()

    def as_organiser(change, **fields):
        change(event=Event.objects.get(pk=event.pk), **fields)
        mail_sent()

    as_member("register")
    moved = datetime.datetime(2027, 7, 8, 14, 0, tzinfo=LONDON)
    as_organiser(organise.event_save, starts_at=moved, ends_at=moved + datetime.timedelta(hours=1))
    as_organiser(organise.event_save, joining_link="https://meet.example.org/j/new-room")
    as_organiser(organise.event_save, summary="A clearer description: no calendar change.")
    as_member("cancel_registration")
    as_member("register")
    as_organiser(organise.event_cancel)

    messages = [m for m in mail_sent() if m.to == [member.email]]
    assert [m.subject.removeprefix("[CoP Portal] ") for m in messages] == [
        "You are registered: Racism and maternity care",
        "Changed: Racism and maternity care",
        "Changed: Racism and maternity care",
        "Place cancelled: Racism and maternity care",
        "You are registered: Racism and maternity care",
        "Cancelled: Racism and maternity care",
    ]
    parts = [sent(m) for m in messages]
    assert [p.content_type for p in parts] == [
        "text/calendar; method=REQUEST; charset=UTF-8",
        "text/calendar; method=REQUEST; charset=UTF-8",
        "text/calendar; method=REQUEST; charset=UTF-8",
        "text/calendar; method=CANCEL; charset=UTF-8",
        "text/calendar; method=REQUEST; charset=UTF-8",
        "text/calendar; method=CANCEL; charset=UTF-8",
    ]
    for part in parts:
        # The attached file is the invitation itself, for clients that offer only the file.
        assert part.attachment.replace(b"\r\n", b"\n") == part.invitation.replace(b"\r\n", b"\n")
        assert part.filename == "racism-and-maternity.ics"

    registration = Registration.objects.get(event=event, member=member)
    uid = f"{registration.invite_uid}@cop-portal"
    for parse in PARSERS:
        read = [parse(part.invitation) for part in parts]
        assert [r.method for r in read] == [
            "REQUEST",
            "REQUEST",
            "REQUEST",
            "CANCEL",
            "REQUEST",
            "CANCEL",
        ]
        assert {r.uid for r in read} == {uid}
        assert [r.sequence for r in read] == [0, 1, 2, 3, 4, 5]
        assert [r.status for r in read] == ["CONFIRMED"] * 3 + ["CANCELLED", "CONFIRMED"] + [
            "CANCELLED"
        ]
        assert {r.organiser for r in read} == {
            ("cop@portal.example.org", "Anti-Racism for Health Equity CoP")
        }
        # The member alone, who took their place on the portal (ACCEPTED), gave it up there
        # (DECLINED), and is asked for no reply: the portal reads none.
        assert [r.attendees for r in read] == [
            [(member.email, "Ada Okafor", partstat, False)]
            for partstat in ["ACCEPTED"] * 3 + ["DECLINED", "ACCEPTED", "ACCEPTED"]
        ]
        assert read[0].starts.astimezone(UTC) == datetime.datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
        assert read[1].starts.astimezone(UTC) == datetime.datetime(2027, 7, 8, 13, 0, tzinfo=UTC)
        assert JOINING_LINK in read[0].description
        assert "https://meet.example.org/j/new-room" in read[2].description
        assert "meet.example.org" not in read[3].description
    assert registration.invite_sequence == 5
    assert Event.objects.get(pk=event.pk).sequence == 3  # moved, new link, cancelled


def test_each_member_has_an_invitation_of_their_own_naming_only_them():
    """Two members' copies never share a UID, so no calendar server can merge them into one
    guest list, and neither names the other."""
    event = EventFactory()
    first, second = UserFactory(), UserFactory()
    public.registration_create(event=event, member=first)
    public.registration_create(event=event, member=second)

    (to_first,) = invitations_to(first)
    (to_second,) = invitations_to(second)
    first_reading, second_reading = only(to_first.invitation), only(to_second.invitation)
    assert first_reading.uid != second_reading.uid
    assert first_reading.uid != f"{event.uid}@cop-portal"  # nor the public feed's
    assert [a[0] for a in first_reading.attendees] == [first.email]
    assert [a[0] for a in second_reading.attendees] == [second.email]
    assert second.email.encode() not in to_first.invitation


def test_an_organiser_with_no_name_in_the_from_address_is_the_portal():
    with override_settings(DEFAULT_FROM_EMAIL="cop@portal.example.org"):
        public.registration_create(event=EventFactory(), member=(member := UserFactory()))
        (part,) = invitations_to(member)

    assert only(part.invitation).organiser == ("cop@portal.example.org", "CoP Portal")


# The waiting list, reminders, caucus sessions, erasure -------------------------------------


def test_someone_waiting_gets_no_invitation_until_a_place_is_theirs():
    """A calendar should hold only sessions the member has a place at."""
    event = EventFactory(capacity=1, starts_at=datetime.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON))
    booked, waiting = UserFactory(), UserFactory()
    later = datetime.datetime(2027, 7, 2, 10, 0, tzinfo=LONDON)
    place = public.registration_create(event=event, member=booked)
    public.registration_create(event=event, member=waiting)
    organise.event_save(event=event, starts_at=later, ends_at=later + datetime.timedelta(hours=1))

    to_waiting = [m for m in mail_sent() if m.to == [waiting.email]]
    assert [m.subject.removeprefix("[CoP Portal] ") for m in to_waiting] == [
        f"On the waiting list: {event.title}",
        f"Changed: {event.title}",
    ]
    assert not any(b"text/calendar" in m.message().as_bytes() for m in to_waiting)
    mail_sent().clear()

    public.registration_cancel(registration=place)

    (invitation,) = invitations_to(waiting)
    reading = only(invitation.invitation)
    assert (reading.method, reading.sequence) == ("REQUEST", 0)
    assert reading.starts == later


def test_a_cancelled_event_withdraws_invitations_and_tells_those_waiting_without_one():
    event = EventFactory(capacity=1)
    booked, waiting = UserFactory(), UserFactory()
    public.registration_create(event=event, member=booked)
    public.registration_create(event=event, member=waiting)
    mail_sent().clear()

    organise.event_cancel(event=event)

    (withdrawn,) = invitations_to(booked)
    reading = only(withdrawn.invitation)
    assert (reading.method, reading.sequence, reading.status) == ("CANCEL", 1, "CANCELLED")
    (to_waiting,) = [m for m in mail_sent() if m.to == [waiting.email]]
    assert b"text/calendar" not in to_waiting.message().as_bytes()
    assert "calendar" not in to_waiting.body


def test_a_reminder_repeats_the_invitation_without_raising_its_sequence():
    event = EventFactory(starts_at=datetime.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON))
    member = UserFactory()
    registration = public.registration_create(event=event, member=member)
    mail_sent()  # the confirmation
    Registration.objects.filter(pk=registration.pk).update(
        requested_at=event.starts_at - datetime.timedelta(days=5)
    )

    assert public.reminders_send(now=event.starts_at - datetime.timedelta(hours=3)) == 1

    confirmation, reminder = (only(part.invitation) for part in invitations_to(member))
    assert (reminder.method, reminder.uid, reminder.sequence) == (
        "REQUEST",
        confirmation.uid,
        confirmation.sequence,
    )


def test_a_place_recorded_without_an_invitation_gets_one_with_its_reminder():
    """Places from an imported register or made before invitations existed have no UID yet."""
    event = EventFactory(starts_at=datetime.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON))
    registration = RegistrationFactory(
        event=event, requested_at=event.starts_at - datetime.timedelta(days=5)
    )
    assert registration.invite_uid is None

    public.reminders_send(now=event.starts_at - datetime.timedelta(hours=3))

    registration.refresh_from_db()
    (part,) = invitations_to(registration.member)
    reading = only(part.invitation)
    assert (reading.uid, reading.sequence) == (f"{registration.invite_uid}@cop-portal", 0)


def test_a_caucus_session_is_private_in_the_members_calendar():
    """Calendars shared with colleagues show a private event as busy, not its caucus title."""
    caucus = CaucusFactory()
    member = CaucusMembershipFactory(caucus=caucus).member
    public.registration_create(event=EventFactory(caucus=caucus), member=member)
    public.registration_create(event=EventFactory(), member=member)

    caucus_session, open_session = (only(part.invitation) for part in invitations_to(member))
    assert caucus_session.private is True
    assert open_session.private is False


def test_leaving_the_caucus_withdraws_its_sessions_from_the_calendar():
    caucus = CaucusFactory()
    member = CaucusMembershipFactory(caucus=caucus).member
    public.registration_create(event=EventFactory(caucus=caucus), member=member)
    mail_sent()  # the confirmation, before the member leaves
    public.caucus_withdraw(member=member)

    booked, withdrawn = (only(part.invitation) for part in invitations_to(member))
    assert (withdrawn.method, withdrawn.uid, withdrawn.sequence) == ("CANCEL", booked.uid, 1)


def test_an_erased_account_is_sent_nothing_about_the_places_it_gave_up():
    member = UserFactory()
    address = member.email
    public.registration_create(event=EventFactory(), member=member)
    mail_sent().clear()

    member_erase(member=member)

    assert [m for m in mail_sent() if address in m.to] == []
    assert Registration.objects.get(member=member).status == Registration.Status.CANCELLED


# Times, in winter and summer and across the clock change -----------------------------------

# (start in London, end in London, start in UTC): 10:00 is 10:00 UTC in winter (GMT) and 09:00
# UTC in summer (BST). The clocks go forward on 26 March 2028 and back on 29 October 2028.
TIMES = {
    "winter": ("2028-01-13 10:00", "2028-01-13 11:30", "2028-01-13 10:00"),
    "the day before the clocks go forward": ("2028-03-25 10:00", "2028-03-25 11:00", "2028-03-25 10:00"),  # noqa: E501
    "the day the clocks go forward": ("2028-03-26 10:00", "2028-03-26 11:00", "2028-03-26 09:00"),
    "summer": ("2028-07-06 10:00", "2028-07-06 11:30", "2028-07-06 09:00"),
    "the day before the clocks go back": ("2028-10-28 10:00", "2028-10-28 11:00", "2028-10-28 09:00"),  # noqa: E501
    "the day the clocks go back": ("2028-10-29 10:00", "2028-10-29 11:00", "2028-10-29 10:00"),
    # 00:30 GMT to 03:00 BST: an hour and a half, though the clock moves two and a half.
    "through the clocks going forward": ("2028-03-26 00:30", "2028-03-26 03:00", "2028-03-26 00:30"),  # noqa: E501
    "summer after 2038, where a list of dates would have run out": ("2040-07-05 10:00", "2040-07-05 11:00", "2040-07-05 09:00"),  # noqa: E501
}  # fmt: skip


def _london(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(params=list(TIMES), ids=list(TIMES))
def timed_invitation(request):
    starts, ends, starts_utc = TIMES[request.param]
    event = EventFactory(starts_at=_london(starts), ends_at=_london(ends))
    member = UserFactory()
    public.registration_create(event=event, member=member)
    (part,) = invitations_to(member)
    return part.invitation, (starts, ends, starts_utc)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__.removeprefix("read_"))
@pytest.mark.parametrize("zone_by", ["name", "definition"])
def test_times_read_right_in_every_parser(timed_invitation, parse, zone_by):
    """Read once as sent, where a parser may look Europe/London up in its own database, and
    once with the zone renamed, so that each must use the VTIMEZONE written in the file, as
    Outlook does."""
    content, (starts, ends, starts_utc) = timed_invitation
    if zone_by == "definition":
        content = content.replace(b"Europe/London", b"London as defined in this file")
    reading = parse(content)

    assert reading.starts.strftime("%Y-%m-%d %H:%M") == starts
    assert reading.ends.strftime("%Y-%m-%d %H:%M") == ends
    assert reading.starts.astimezone(UTC) == datetime.datetime.fromisoformat(starts_utc).replace(
        tzinfo=UTC
    )
    assert reading.ends.astimezone(UTC) == _london(ends).astimezone(UTC)


def _instants():
    """Instants that tell a zone's rules apart: every hour of the weekends the clocks change
    on, and noon in the middle of each month, from 2026 to 2045."""
    for year in range(2026, 2046):
        for month in (3, 10):
            last_sunday = max(
                datetime.date(year, month, day)
                for day in range(25, 32)
                if datetime.date(year, month, day).weekday() == 6
            )
            start = datetime.datetime.combine(last_sunday, datetime.time(), UTC)
            for hour in range(-24, 24):
                yield start + datetime.timedelta(hours=hour)
        for month in range(1, 13):
            yield datetime.datetime(year, month, 15, 12, 0, tzinfo=UTC)


def _zone_icalendar(content):
    return Calendar.from_ical(content).walk("VTIMEZONE")[0].to_tz()


def _zone_vobject(content):
    getattr(vobject.icalendar, "__tzidMap").clear()
    return vobject.readOne(content.decode()).vtimezone.gettzinfo()


def _zone_ical(content):
    return IcsTimezoneInfo.from_timezone(
        IcsCalendarStream.calendar_from_ics(content.decode()).timezones[0]
    )


@pytest.mark.parametrize("zone_of", [_zone_icalendar, _zone_vobject, _zone_ical])
def test_the_zone_written_is_londons_for_twenty_years_in_every_parser(zone_of):
    member = UserFactory()
    public.registration_create(event=EventFactory(), member=member)
    (part,) = invitations_to(member)
    # Renamed, so that no parser swaps in its own Europe/London.
    zone = zone_of(part.invitation.replace(b"Europe/London", b"London as defined in this file"))

    wrong = [
        instant
        for instant in _instants()
        if instant.astimezone(zone).utcoffset() != instant.astimezone(LONDON).utcoffset()
    ]
    assert wrong == []


def test_the_zone_is_written_as_yearly_rules():
    member = UserFactory()
    public.registration_create(event=EventFactory(), member=member)
    (part,) = invitations_to(member)

    (zone,) = Calendar.from_ical(part.invitation).walk("VTIMEZONE")
    rules = {
        sub.name: (
            sub["TZNAME"],
            sub.decoded("DTSTART"),
            sub.decoded("TZOFFSETFROM"),
            sub.decoded("TZOFFSETTO"),
            sub["RRULE"].to_ical(),
        )
        for sub in zone.subcomponents
    }
    hour = datetime.timedelta(hours=1)
    assert rules == {
        "DAYLIGHT": (
            "BST",
            datetime.datetime(1970, 3, 29, 1, 0),
            datetime.timedelta(0),
            hour,
            b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        ),
        "STANDARD": (
            "GMT",
            datetime.datetime(1970, 10, 25, 2, 0),
            hour,
            datetime.timedelta(0),
            b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        ),
    }
    assert b"RDATE" not in part.invitation


# The feeds stay published calendars ---------------------------------------------------------


def test_the_programme_feed_is_published_with_the_same_zone_and_no_people(client):
    EventFactory(
        title="Winter session", starts_at=datetime.datetime(2028, 1, 13, 10, 0, tzinfo=LONDON)
    )
    EventFactory(
        title="Summer session", starts_at=datetime.datetime(2028, 7, 6, 10, 0, tzinfo=LONDON)
    )

    content = client.get(reverse("events:programme_feed")).content

    assert str(Calendar.from_ical(content)["METHOD"]) == "PUBLISH"
    assert IcsCalendarStream.calendar_from_ics(content.decode()).method == "PUBLISH"
    assert b"ORGANIZER" not in content
    assert b"ATTENDEE" not in content
    assert b"RDATE" not in content
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in content
    getattr(vobject.icalendar, "__tzidMap").clear()
    starts = {
        e.summary.value: e.dtstart.value.astimezone(UTC)
        for e in vobject.readOne(content.decode()).vevent_list
    }
    assert starts == {
        "Winter session": datetime.datetime(2028, 1, 13, 10, 0, tzinfo=UTC),
        "Summer session": datetime.datetime(2028, 7, 6, 9, 0, tzinfo=UTC),
    }
