"""Reads for the organisers' side of the programme: the programmes and events with their
numbers, how far ahead the programme reaches, an event's register, members' suggestions, and
the kinds, goals and caucuses organisers choose from."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from members.models import ActionUpdate

from ..models import (
    Caucus,
    Event,
    EventKind,
    Goal,
    Programme,
    Registration,
    SessionMessage,
    Suggestion,
)

PROGRAMME_HORIZON_MONTHS = 6


@dataclass(frozen=True)
class SessionActions:
    recorded: int  # actions members said this session prompted
    followed_up: int  # of those, how many the member has moved on since


def event_action_counts(*, event: Event) -> SessionActions:
    """What a session led to, in counts only (an action is private to its member): the actions
    tied to it, and how many were followed up, meaning their member recorded at least one
    update since (in progress, done or dropped, with or without a note)."""
    counts = event.actions.aggregate(
        recorded=Count("pk"),
        followed_up=Count(
            "pk", filter=Q(Exists(ActionUpdate.objects.filter(action=OuterRef("pk"))))
        ),
    )
    return SessionActions(**counts)


def programmes():
    return Programme.objects.order_by("-starts_on")


def programme_get(*, slug: str) -> Programme | None:
    return Programme.objects.filter(slug=slug).prefetch_related("events").first()


def event_kinds():
    return EventKind.objects.all()


def caucuses():
    return Caucus.objects.all()


def goals():
    return Goal.objects.all()


@dataclass(frozen=True)
class Horizon:
    last_event_on: date | None
    months_ahead: int

    @property
    def is_short(self):
        return self.months_ahead < PROGRAMME_HORIZON_MONTHS


def programme_horizon(*, now=None) -> Horizon:
    """How far ahead the published programme reaches, in whole months."""
    now = now or timezone.now()
    last = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now).aggregate(
        last=Max("starts_at")
    )["last"]
    if last is None:
        return Horizon(None, 0)
    today, last_day = timezone.localdate(now), timezone.localtime(last).date()
    months = (last_day.year - today.year) * 12 + last_day.month - today.month
    if last_day.day < today.day:
        months -= 1
    return Horizon(last_day, max(months, 0))


def organiser_events():
    """Every event, drafts included, with its places taken, waiting list and attendance."""

    def counted(status):
        return Count("registrations", filter=Q(registrations__status=status), distinct=True)

    return (
        Event.objects.select_related("kind", "caucus", "programme")
        .annotate(
            confirmed_count=counted(Registration.Status.CONFIRMED),
            waitlisted_count=counted(Registration.Status.WAITLISTED),
            attendance_count=Count("attendances", distinct=True),
        )
        .order_by("-starts_at")
    )


def event_checkin(*, event: Event):
    """The check-in list: everyone with a place, and walk-ins, with whether they came."""
    registrations = list(
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .select_related("member", "member__organisation")
        .order_by("member__name", "member__email")
    )
    present = set(event.attendances.values_list("member_id", flat=True))
    walk_ins = list(
        event.attendances.filter(walk_in=True)
        .select_related("member", "member__organisation")
        .order_by("member__name")
    )
    return registrations, present, walk_ins


def suggestions_for_triage(*, status: str = ""):
    suggestions = Suggestion.objects.select_related("member", "event")
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions


# What waits for an organiser (the Organise page) ---------------------------------------------

# A session that ended longer ago than this no longer counts as waiting for its register or its
# summary: by then it is history, not a task.
WAITING_DAYS = 60


def _ended_recently(*, may_see_caucus: bool, now=None):
    now = now or timezone.now()
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        ends_at__lte=now,
        ends_at__gt=now - timedelta(days=WAITING_DAYS),
    )
    # A caucus session's register names who is in its caucus: only for organisers trusted
    # with caucus choices, and so is its place on the list.
    return events if may_see_caucus else events.filter(caucus__isnull=True)


def registers_to_take(*, may_see_caucus: bool, now=None):
    """Sessions that ended in the last two months with people booked and nobody recorded yet,
    the latest first."""
    booked = Registration.objects.filter(event=OuterRef("pk"), status=Registration.Status.CONFIRMED)
    return (
        _ended_recently(may_see_caucus=may_see_caucus, now=now)
        .filter(Exists(booked), attendances__isnull=True)
        .order_by("-starts_at", "pk")
    )


def summaries_to_publish(*, may_see_caucus: bool, now=None):
    """Sessions that ended in the last two months whose summary is not published yet, the
    latest first."""
    return (
        _ended_recently(may_see_caucus=may_see_caucus, now=now)
        .filter(summary_published_at__isnull=True)
        .order_by("-starts_at", "pk")
    )


def suggestions_new_count() -> int:
    return Suggestion.objects.filter(status=Suggestion.Status.NEW).count()


# A session's bookings: the places, the waiting list, the messages sent ------------------------


@dataclass(frozen=True)
class Bookings:
    booked: list  # Registrations holding a place, in the order they were asked for
    waiting: list  # the waiting list, in the order it is served
    free_places: int | None  # None: no limit
    messages: list  # SessionMessages sent, latest first


def event_bookings(*, event: Event) -> Bookings:
    registrations = list(
        event.registrations.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
        )
        .select_related("member", "member__organisation")
        .order_by("requested_at", "pk")
    )
    booked = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    free = None if event.capacity is None else max(event.capacity - len(booked), 0)
    return Bookings(
        booked=booked,
        waiting=waiting,
        free_places=free,
        messages=list(event.messages.select_related("sent_by")),
    )


def message_audience_count(*, event: Event, audience: str) -> int:
    """How many people an organiser's message with this audience would reach now."""
    return message_recipients(event=event, audience=audience).count()


def message_recipients(*, event: Event, audience: str):
    """Those an organiser's message to `audience` goes to: people with a place, or waiting, or
    both; at a caucus session only those still in its caucus."""
    statuses = {
        SessionMessage.Audience.BOOKED: [Registration.Status.CONFIRMED],
        SessionMessage.Audience.WAITING: [Registration.Status.WAITLISTED],
        SessionMessage.Audience.BOTH: [
            Registration.Status.CONFIRMED,
            Registration.Status.WAITLISTED,
        ],
    }[audience]
    registrations = event.registrations.filter(status__in=statuses, member__is_active=True)
    if event.caucus_id is not None:
        registrations = registrations.filter(member__caucus_membership__caucus_id=event.caucus_id)
    return registrations


def programme_readers():
    """Members told of a newly published programme: those who asked to be."""
    return get_user_model().objects.filter(is_active=True, email_programme=True)


def programme_publish_preview(*, programme: Programme) -> list[str]:
    """What publishing `programme` will do, in sentences for the page that asks first."""
    drafts = programme.events.filter(status=Event.Status.DRAFT).count()
    readers = programme_readers().count()
    return [
        f"Its {drafts} draft session{'s' if drafts != 1 else ''} will be published: members "
        f"can see {'it' if drafts == 1 else 'them'} and register.",
        f"{readers} member{'s' if readers != 1 else ''} who asked to hear about new programmes "
        "will be emailed.",
    ]
