import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events.calendar import ics_calendar
from events.services.organise import event_cancel, event_save
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")


def _vevents(content: bytes):
    return Calendar.from_ical(content).walk("VEVENT")


def test_times_are_right_in_utc_either_side_of_the_clock_change():
    """10:00 UK time is 10:00 UTC in winter (GMT) and 09:00 UTC in summer (BST)."""
    before = EventFactory(
        title="Saturday before",
        starts_at=datetime.datetime(2027, 3, 27, 10, 0, tzinfo=LONDON),
        ends_at=datetime.datetime(2027, 3, 27, 11, 30, tzinfo=LONDON),
    )
    after = EventFactory(
        title="Monday after",
        starts_at=datetime.datetime(2027, 3, 29, 10, 0, tzinfo=LONDON),
        ends_at=datetime.datetime(2027, 3, 29, 11, 30, tzinfo=LONDON),
    )
    autumn = EventFactory(
        title="After the autumn change",
        starts_at=datetime.datetime(2027, 11, 1, 10, 0, tzinfo=LONDON),
        ends_at=datetime.datetime(2027, 11, 1, 11, 0, tzinfo=LONDON),
    )
    parsed = {
        str(v["SUMMARY"]): (v.decoded("DTSTART"), v.decoded("DTEND"))
        for v in _vevents(ics_calendar([before, after, autumn], name="Test"))
    }
    start, end = parsed["Saturday before"]
    assert start.astimezone(UTC) == datetime.datetime(2027, 3, 27, 10, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime.datetime(2027, 3, 27, 11, 30, tzinfo=UTC)
    start, end = parsed["Monday after"]
    assert start.astimezone(UTC) == datetime.datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime.datetime(2027, 3, 29, 10, 30, tzinfo=UTC)
    start, _ = parsed["After the autumn change"]
    assert start.astimezone(UTC) == datetime.datetime(2027, 11, 1, 10, 0, tzinfo=UTC)


def test_times_carry_the_london_zone_with_its_definition():
    event = EventFactory(starts_at=datetime.datetime(2027, 6, 1, 10, 0, tzinfo=LONDON))
    content = ics_calendar([event], name="Test")
    calendar = Calendar.from_ical(content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert b"DTSTART;TZID=Europe/London:20270601T100000" in content


def test_each_event_has_a_stable_uid_and_a_sequence_that_rises_when_it_moves():
    event = EventFactory()
    first = _vevents(ics_calendar([event], name="Test"))[0]
    assert str(first["UID"]) == f"{event.uid}@cop-portal"
    assert first["SEQUENCE"] == 0

    event_save(event=event, starts_at=event.starts_at + datetime.timedelta(days=1),
               ends_at=event.ends_at + datetime.timedelta(days=1))  # fmt: skip
    event.refresh_from_db()
    moved = _vevents(ics_calendar([event], name="Test"))[0]
    assert str(moved["UID"]) == f"{event.uid}@cop-portal"
    assert moved["SEQUENCE"] == 1
    assert str(moved["STATUS"]) == "CONFIRMED"


def test_a_change_that_calendars_do_not_show_keeps_the_sequence():
    event = EventFactory()
    event_save(event=event, summary="A clearer description.")
    event.refresh_from_db()
    assert event.sequence == 0


def test_a_cancelled_event_is_marked_cancelled_with_a_new_sequence():
    event = EventFactory()
    event_cancel(event=event)
    event.refresh_from_db()
    vevent = _vevents(ics_calendar([event], name="Test"))[0]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["SUMMARY"]) == f"Cancelled: {event.title}"
    assert vevent.walk("VALARM") == []


def test_every_event_carries_a_reminder_alarm():
    event = EventFactory()
    vevent = _vevents(ics_calendar([event], name="Test"))[0]
    (alarm,) = vevent.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(hours=1)


def test_the_joining_link_is_written_only_for_events_named():
    shown, hidden = (
        EventFactory(joining_link="https://meet.example.org/a"),
        EventFactory(joining_link="https://meet.example.org/b"),
    )
    content = ics_calendar([shown, hidden], name="Test", joining_links_for={shown.id})
    descriptions = {str(v["SUMMARY"]): str(v["DESCRIPTION"]) for v in _vevents(content)}
    assert "Join online: https://meet.example.org/a" in descriptions[shown.title]
    assert "meet.example.org" not in descriptions[hidden.title]
