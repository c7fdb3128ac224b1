"""Reads for members' side of the programme: the programme and its past sessions, one event as
a member sees it, their bookings and calendar feeds, their caucus and their suggestions. Each
page's reads take a fixed number of queries."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from ..caching import caucus_ids_cached, member_caucus_cached
from ..models import (
    CAUCUS_CHOICE_PERMISSION,
    Attendance,
    CalendarFeed,
    Caucus,
    CaucusMembership,
    Event,
    Programme,
    Registration,
    Suggestion,
)

PAST_EVENTS_SHOWN = 12
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")

_confirmed = Q(registrations__status=Registration.Status.CONFIRMED)


def _listed_events():
    return Event.objects.select_related("kind", "caucus").annotate(
        confirmed_count=Count("registrations", filter=_confirmed)
    )


def _past_events(now):
    # No registration count: past events never show places left, and counting every past
    # event's registrations before keeping a page of them grows with the whole history.
    return Event.objects.select_related("kind", "caucus").filter(
        status=Event.Status.PUBLISHED, ends_at__lte=now
    )


def member_registrations(*, member, events) -> dict[int, str]:
    """Event id → the member's registration status, for the events listed (or their ids)."""
    if member is None or not member.is_authenticated:
        return {}
    ids = [e if isinstance(e, int) else e.pk for e in events]
    return dict(
        Registration.objects.filter(member=member, event__in=ids)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("event_id", "status")
    )


@dataclass
class ProgrammePage:
    """The programme as everyone sees it: nothing in it is one member's own."""

    months: list  # [(date of the month's first day, [events])]
    past: list
    programmes: list
    # When the page stops being true by the clock alone: the first session listed as coming up
    # ends (it moves to the past), or the day ends (a programme may end with it).
    valid_until: datetime


def programme_page(*, now=None) -> ProgrammePage:
    now = now or timezone.now()
    shown = [Event.Status.PUBLISHED, Event.Status.CANCELLED]
    upcoming = list(
        _listed_events().filter(status__in=shown, ends_at__gt=now).order_by("starts_at")
    )
    past = list(_past_events(now).order_by("-starts_at")[:PAST_EVENTS_SHOWN])

    def month(event):
        local = timezone.localtime(event.starts_at)
        return date(local.year, local.month, 1)

    months = [(first, list(events)) for first, events in groupby(upcoming, key=month)]
    programmes = list(
        Programme.objects.filter(published_at__isnull=False, ends_on__gte=now.date()).order_by(
            "starts_on"
        )
    )
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
    valid_until = min([midnight, *(event.ends_at for event in upcoming)])
    return ProgrammePage(months=months, past=past, programmes=programmes, valid_until=valid_until)


@dataclass(frozen=True)
class VisitorSession:
    """A coming session as a visitor's home page shows it. A caucus session says only that it
    is one, and when: its title and summary would tell a visitor what the caucus discusses,
    and its link would lead to them."""

    starts_at: object
    ends_at: object
    title: str
    format: str
    url: str | None  # None for a caucus session: nothing to follow
    is_caucus: bool


CAUCUS_SESSION_TITLE = "Caucus session"


def visitor_next_sessions(*, limit: int, now=None) -> list[VisitorSession]:
    """The next published sessions, soonest first, for someone not signed in."""
    now = now or timezone.now()
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now).order_by(
        "starts_at", "pk"
    )[:limit]
    return [
        VisitorSession(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            title=CAUCUS_SESSION_TITLE if event.caucus_id else event.title,
            format=event.get_format_display(),
            url=None if event.caucus_id else event.get_absolute_url(),
            is_caucus=event.caucus_id is not None,
        )
        for event in events.only(
            "starts_at", "ends_at", "title", "format", "caucus_id", "slug", "status"
        )
    ]


def past_events(*, now=None):
    now = now or timezone.now()
    return _past_events(now).order_by("-starts_at")


@dataclass
class EventView:
    event: Event
    registration: Registration | None
    in_caucus: bool
    waitlist_position: int | None
    attended: bool
    # A caucus session's numbers, summary, takeaways, recording and materials are for its
    # caucus, and for organisers trusted with caucus choices; others see that it exists.
    can_see_inside: bool = True

    @property
    def can_see_joining_link(self):
        return (
            self.registration is not None
            and self.registration.status == Registration.Status.CONFIRMED
            and self.in_caucus
            and not self.event.is_cancelled
        )

    @property
    def can_see_materials(self):
        return self.in_caucus


def member_caucus_id(user) -> int | None:
    """The caucus a member has chosen, or None: kept between requests until their choice
    changes (events.caching), and remembered on the user object, so every list a request
    shows, and the key it is kept under, are worked out from the same answer."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_caucus_id"):
        user._caucus_id = member_caucus_cached(
            user.pk,
            lambda: (
                CaucusMembership.objects.filter(member=user)
                .values_list("caucus_id", flat=True)
                .first()
            ),
        )
    return user._caucus_id


def event_get(*, slug: str, member=None) -> EventView | None:
    signed_in = member is not None and member.is_authenticated
    events = (
        _listed_events()
        .select_related("programme")
        .prefetch_related("speakers", "goals")
        .exclude(status=Event.Status.DRAFT)
        .filter(slug=slug)
    )
    if signed_in:
        events = events.annotate(
            attended=Exists(Attendance.objects.filter(event=OuterRef("pk"), member=member))
        )
    event = events.first()
    if event is None:
        return None
    registration, in_caucus, position = None, event.caucus_id is None, None
    attended = signed_in and event.attended
    if signed_in:
        registration = (
            Registration.objects.filter(event=event, member=member)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        if event.caucus_id is not None:
            in_caucus = member_caucus_id(member) == event.caucus_id
        if registration and registration.status == Registration.Status.WAITLISTED:
            position = _waitlist_position(event, registration)
    can_see_inside = event.caucus_id is None or in_caucus
    if not can_see_inside and signed_in:
        can_see_inside = member.has_perm(CAUCUS_CHOICE_PERMISSION)
    return EventView(event, registration, in_caucus, position, attended, can_see_inside)


def event_shown(*, slug: str) -> Event | None:
    """An event as everyone sees it (not a draft), with what its page shows of it: nothing in
    it is one member's own, so it may be kept for every viewer (events.caching)."""
    return (
        _listed_events()
        .select_related("programme")
        .prefetch_related("speakers", "goals")
        .exclude(status=Event.Status.DRAFT)
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class MemberAtEvent:
    """What is one member's own about a session. Kept only for that member, drawn as their
    place (events.caching.MemberPlace), under the generations that move when it changes."""

    event_id: int
    event_caucus_id: int | None
    registration_id: int | None
    registration_status: str | None
    registration_requested_at: datetime | None
    attended: bool
    member_caucus_id: int | None
    can_see_inside: bool = True

    @property
    def in_caucus(self) -> bool:
        return self.event_caucus_id is None or self.member_caucus_id == self.event_caucus_id


_MEMBER_AT_EVENT = f"""
    SELECT event.id, event.caucus_id,
           registration.id, registration.status, registration.requested_at,
           EXISTS (SELECT 1 FROM {Attendance._meta.db_table} attendance
                   WHERE attendance.event_id = event.id AND attendance.member_id = %(member)s),
           (SELECT membership.caucus_id FROM {CaucusMembership._meta.db_table} membership
            WHERE membership.member_id = %(member)s ORDER BY membership.id LIMIT 1)
    FROM {Event._meta.db_table} event
    LEFT JOIN {Registration._meta.db_table} registration
      ON registration.event_id = event.id AND registration.member_id = %(member)s
     AND registration.status <> '{Registration.Status.CANCELLED}'
    WHERE event.slug = %(slug)s AND event.status <> '{Event.Status.DRAFT}'
"""  # noqa: S608 - table names and statuses from the models, values as parameters


def member_at_event(*, slug: str, member) -> MemberAtEvent | None:
    """The signed-in `member`'s place at the session with this address, whether they came,
    their caucus and whether they may see inside it; None if there is no such session to
    show. One query (in SQL: the ORM's compiling of its subqueries cost more than the rest of
    the page)."""
    with connection.cursor() as cursor:
        cursor.execute(_MEMBER_AT_EVENT, {"slug": slug, "member": member.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    found = MemberAtEvent(*row)
    member._caucus_id = found.member_caucus_id  # remembered as member_caucus_id does
    if not found.in_caucus and member.has_perm(CAUCUS_CHOICE_PERMISSION):
        found = replace(found, can_see_inside=True)
    elif not found.in_caucus:
        found = replace(found, can_see_inside=False)
    return found


def event_known(*, pk: int, slug: str, caucus_id: int | None) -> Event:
    """The session with these, as far as reads keyed on it need it (its resources, its
    actions) around a page kept without reading it: no query."""
    return Event(pk=pk, slug=slug, caucus_id=caucus_id)


def member_caucus_known(member, caucus_id: int | None) -> None:
    """Remember on the signed-in `member` their caucus as read with their place at a session
    (and kept with it, under their caucus's generation), as `member_caucus_id` does."""
    member._caucus_id = caucus_id


def event_booking_changes_at(event: Event, now: datetime) -> datetime | None:
    """When the clock alone next changes what a member's place at `event` shows (registration
    opens or closes, the session starts or ends), or None once it has ended."""
    moments = (event.registration_opens_at, event.closes_at, event.starts_at, event.ends_at)
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


def event_view(*, event: Event, mine: MemberAtEvent | None) -> EventView:
    """`event` (from `event_shown`) as the member `mine` describes sees it, or as a visitor
    (`mine` None) does. A query only for a member on the waiting list (their place in it)."""
    if mine is None:
        return EventView(event, None, event.caucus_id is None, None, False)
    registration = None
    if mine.registration_id is not None:
        registration = Registration(
            pk=mine.registration_id,
            event=event,
            status=mine.registration_status,
            requested_at=mine.registration_requested_at,
        )
    position = None
    if registration and registration.status == Registration.Status.WAITLISTED:
        position = _waitlist_position(event, registration)
    return EventView(
        event, registration, mine.in_caucus, position, mine.attended, mine.can_see_inside
    )


def _waitlist_position(event, registration) -> int:
    return (
        Registration.objects.filter(
            event_id=event.pk,
            status=Registration.Status.WAITLISTED,
            requested_at__lte=registration.requested_at,
        )
        .exclude(requested_at=registration.requested_at, pk__gt=registration.pk)
        .count()
    )


def caucus_ids_seen(user) -> set[int]:
    """The caucuses whose sessions' numbers and summaries `user` may see: their own, or every
    caucus for an organiser trusted with caucus choices."""
    if not user.is_authenticated:
        return set()
    if user.has_perm(CAUCUS_CHOICE_PERMISSION):
        return set(caucus_ids_cached(lambda: list(Caucus.objects.values_list("pk", flat=True))))
    own = member_caucus_id(user)
    return {own} if own is not None else set()


def member_upcoming(*, member, now=None):
    """The member's places at sessions not yet over. A caucus session shows only while the
    member is in its caucus: leaving gives up places at those to come, and one already under
    way is no longer theirs to join."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(member=member, event__ends_at__gt=now)
        .filter(Q(event__caucus__isnull=True) | Q(event__caucus__memberships__member=member))
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "event__kind")
        .order_by("event__starts_at")
    )


def member_attendance_history(*, member):
    return (
        Attendance.objects.filter(member=member)
        .select_related("event", "event__kind")
        .order_by("-event__starts_at")
    )


def member_feed_events(*, member):
    """Events in a member's personal calendar feed: those they hold a place at (and any of
    those since cancelled, so their calendars show the cancellation). A caucus session shows
    only while the member is in its caucus."""
    return (
        Event.objects.filter(
            registrations__member=member,
            registrations__status=Registration.Status.CONFIRMED,
            status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        )
        .filter(Q(caucus__isnull=True) | Q(caucus__memberships__member=member))
        .order_by("starts_at")
    )


def feed_by_token(*, token: str) -> CalendarFeed | None:
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else, such as a NUL byte
    # PostgreSQL would refuse, cannot be one of ours and never reaches the database.
    if not FEED_TOKEN.fullmatch(token):
        return None
    return CalendarFeed.objects.select_related("member").filter(token=token).first()


def feed_programme_events(*, now=None):
    """The whole-programme feed: everything published from three months ago onwards."""
    now = now or timezone.now()
    return Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        starts_at__gte=now - timezone.timedelta(days=92),
    ).order_by("starts_at")


def suggestions_of(*, member):
    return Suggestion.objects.filter(member=member).select_related("event")


def suggestions_that_became_sessions():
    return (
        Suggestion.objects.filter(status=Suggestion.Status.PLANNED, event__isnull=False)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event")
        .order_by("-event__starts_at")
    )


def caucus_membership_of(*, member) -> CaucusMembership | None:
    return CaucusMembership.objects.select_related("caucus").filter(member=member).first()
