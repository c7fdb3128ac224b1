"""iCalendar output: one event, the whole programme, or a member's own registrations.

Times are written as Europe/London local times with the zone's VTIMEZONE, so Outlook, Google
and Apple calendars agree across the BST/GMT change. Each event keeps one UID for life and a
SEQUENCE that goes up whenever it moves or is cancelled, so subscribed calendars update it."""

from datetime import timedelta

from icalendar import Alarm, Calendar
from icalendar import Event as ICalEvent

from cop_portal.web.portal_address import portal_url
from cop_portal.web.time import LONDON

from .models import Event

REMINDER_BEFORE = timedelta(hours=1)


def _uid(event: Event) -> str:
    return f"{event.uid}@cop-portal"


def _location(event: Event) -> str:
    if event.format == Event.Format.ONLINE:
        return "Online"
    if event.format == Event.Format.HYBRID:
        return f"{event.venue} and online" if event.venue else "Online and in person"
    return event.venue


def ics_calendar(events, *, name: str, joining_links_for=frozenset(), alarm: bool = True) -> bytes:
    """A calendar of `events`. The joining link is written only for events whose id is in
    `joining_links_for`: those the member receiving it is registered for."""
    calendar = Calendar()
    calendar.add("prodid", "-//CoP Portal//Community of Practice programme//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    base = portal_url()
    for event in events:
        item = ICalEvent()
        item.add("uid", _uid(event))
        item.add("sequence", event.sequence)
        item.add("dtstamp", event.updated_at)
        item.add("last-modified", event.updated_at)
        item.add("dtstart", event.starts_at.astimezone(LONDON))
        item.add("dtend", event.ends_at.astimezone(LONDON))
        item.add("summary", f"Cancelled: {event.title}" if event.is_cancelled else event.title)
        url = f"{base}{event.get_absolute_url()}"
        item.add("url", url)
        description = [event.summary, "", f"Details: {url}"]
        if event.id in joining_links_for and event.joining_link and not event.is_cancelled:
            description.insert(2, f"Join online: {event.joining_link}")
        item.add("description", "\n".join(description))
        location = _location(event)
        if location:
            item.add("location", location)
        item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
        item.add("transp", "TRANSPARENT" if event.is_cancelled else "OPAQUE")
        if alarm and not event.is_cancelled:
            reminder = Alarm()
            reminder.add("action", "DISPLAY")
            reminder.add("description", f"{event.title} starts in one hour")
            reminder.add("trigger", -REMINDER_BEFORE)
            item.add_component(reminder)
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_attachment(event: Event, *, registered: bool = True) -> tuple[str, bytes, str]:
    """The event as a calendar file attached to an email, with its joining link for a member
    who holds a place."""
    content = ics_calendar(
        [event],
        name=event.title,
        joining_links_for=frozenset({event.id}) if registered else frozenset(),
    )
    return (f"{event.slug}.ics", content, "text/calendar")
