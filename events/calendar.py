"""iCalendar output: the calendar feeds (one event, the whole programme, or a member's own
registrations), published for calendar apps to subscribe to, and the invitations sent to a
member by email.

Times are written as Europe/London local times with the zone's rules (VTIMEZONE), so Outlook,
Google and Apple calendars agree across the BST/GMT change.

In the feeds each event keeps one UID for life and a SEQUENCE that goes up whenever it moves or
is cancelled, so subscribed calendars update it. An invitation is the member's own copy
(RFC 5546): METHOD:REQUEST when they get a place or the event changes, METHOD:CANCEL when it is
cancelled or they give up their place, always with their registration's UID and a SEQUENCE
that rises with each message, the portal as ORGANIZER and the member as the only ATTENDEE."""

from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress
from icalendar import Event as ICalEvent

from cop_portal.web.portal_address import portal_url
from cop_portal.web.time import LONDON
from members.services import CalendarInvitation

from .models import Event, Registration

REMINDER_BEFORE = timedelta(hours=1)
REQUEST, CANCEL = "REQUEST", "CANCEL"
# The organiser's name when the from-address has none.
ORGANISER_NAME = "CoP Portal"
# Replies to an invitation go to the from-address, which nobody reads for them.
REPLIES_NOTE = (
    "Replies to this invitation are not read: to give up your place, cancel it on the event "
    "page, so someone waiting can have it."
)


def london_vtimezone() -> Timezone:
    """Europe/London as yearly rules: BST from the last Sunday of March at 01:00 UTC to the last
    Sunday of October at 01:00 UTC. icalendar writes a zone as a list of dates instead, which
    vobject (and the CalDAV servers built on it) reads as BST all year, putting winter events
    an hour early; rules read the same in every parser and do not run out in 2038."""
    zone = Timezone()
    zone.add("tzid", LONDON.key)
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("dtstart", datetime(1970, 3, 29, 1, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    summer.add("tzoffsetfrom", timedelta(0))
    summer.add("tzoffsetto", timedelta(hours=1))
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", datetime(1970, 10, 25, 2, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    winter.add("tzoffsetfrom", timedelta(hours=1))
    winter.add("tzoffsetto", timedelta(0))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//CoP Portal//Community of Practice programme//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(london_vtimezone())
    return calendar


def _location(event: Event) -> str:
    if event.format == Event.Format.ONLINE:
        return "Online"
    if event.format == Event.Format.HYBRID:
        return f"{event.venue} and online" if event.venue else "Online and in person"
    return event.venue


def _vevent(event: Event, *, cancelled: bool, joining_link: bool, notes=()) -> ICalEvent:
    """What a feed and an invitation say alike about `event`: when, where, what, and its link
    (with the joining link only for someone who holds a place), the `notes` after them."""
    item = ICalEvent()
    item.add("dtstart", event.starts_at.astimezone(LONDON))
    item.add("dtend", event.ends_at.astimezone(LONDON))
    item.add("summary", f"Cancelled: {event.title}" if cancelled else event.title)
    url = f"{portal_url()}{event.get_absolute_url()}"
    item.add("url", url)
    description = [event.summary, ""]
    if joining_link and event.joining_link and not cancelled:
        description.append(f"Join online: {event.joining_link}")
    description += [f"Details: {url}", *notes]
    item.add("description", "\n".join(description))
    location = _location(event)
    if location:
        item.add("location", location)
    if event.caucus_id is not None:
        # Many members share their calendar with colleagues: a caucus session's title there
        # would tell them the member's caucus. Calendars show a private event as just "busy".
        item.add("class", "PRIVATE")
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if not cancelled:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"{event.title} starts in one hour")
        reminder.add("trigger", -REMINDER_BEFORE)
        item.add_component(reminder)
    return item


def ics_calendar(events, *, name: str, joining_links_for=frozenset()) -> bytes:
    """A calendar of `events` to publish. The joining link is written only for events whose id
    is in `joining_links_for`: those the member receiving it is registered for."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", LONDON.key)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for event in events:
        item = _vevent(
            event, cancelled=event.is_cancelled, joining_link=event.id in joining_links_for
        )
        item.add("uid", f"{event.uid}@cop-portal")
        item.add("sequence", event.sequence)
        item.add("dtstamp", event.updated_at)
        item.add("last-modified", event.updated_at)
        calendar.add_component(item)
    return calendar.to_ical()


def _organiser() -> vCalAddress:
    """The portal, as the From line of its emails names it: mail clients show an invitation
    whose organiser is its sender, and reply (if asked to, which these are not) to it."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return vCalAddress.new(address, cn=name or ORGANISER_NAME)


def invitation(registration: Registration, *, method: str) -> CalendarInvitation:
    """The member's invitation to `registration.event` (REQUEST), or its withdrawal (CANCEL),
    at the registration's current invitation SEQUENCE. The caller advances it first
    (`services.public.invitation_advance`)."""
    event, member = registration.event, registration.member
    cancelled = method == CANCEL
    calendar = _calendar(method)
    notes = () if cancelled else ("", REPLIES_NOTE)
    item = _vevent(event, cancelled=cancelled, joining_link=not cancelled, notes=notes)
    item.add("uid", f"{registration.invite_uid}@cop-portal")
    item.add("sequence", registration.invite_sequence)
    item.add("dtstamp", timezone.now())
    item.add("last-modified", event.updated_at)
    item.add("organizer", _organiser())
    # The member alone: a guest list would tell each member who else is coming.
    declined = cancelled and not event.is_cancelled
    attendee = vCalAddress.new(
        member.email,
        cn=member.get_full_name(),
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="DECLINED" if declined else "ACCEPTED",
        # Places are taken and given up on the portal, which reads no replies.
        rsvp=False,
    )
    item.add("attendee", attendee)
    calendar.add_component(item)
    return CalendarInvitation(
        method=method, content=calendar.to_ical(), filename=f"{event.slug}.ics"
    )
