"""Writes for the organisers' side of the programme: programmes, events and their speakers,
cancelling, places given from the waiting list and messages to those booked, attendance,
summaries and catch-up emails, triaging suggestions, and the starter
kinds, goals and caucuses. Organisers' looks at personal data are written to the audit trail
here too."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import slugify

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import request_address, request_address_carried
from cop_portal.web.slugs import unique_slug
from members.services import AuditAction as Action
from members.services import audit_record, member_email_send

from ..caching import attendance_changed, places_changed, sessions_changed
from ..calendar import CANCEL, REQUEST, invitation
from ..models import (
    Attendance,
    Caucus,
    Event,
    EventKind,
    Goal,
    Programme,
    Registration,
    SessionMessage,
    Speaker,
    Suggestion,
)
from ..selectors.organise import message_recipients, programme_readers
from .guests import guest_cancellation_email_send
from .public import (
    INVITATION_FIELDS,
    caucus_allows,
    invitation_advance,
    invitations_advance,
    registration_email_send,
    waitlist_promote,
)

# Programme -----------------------------------------------------------------------------------


@transaction.atomic
def programme_save(*, programme: Programme | None = None, **fields) -> Programme:
    """Create a programme (no `programme` given) or change one."""
    programme = programme or Programme()
    for name, value in fields.items():
        setattr(programme, name, value)
    if not programme.slug:
        programme.slug = unique_slug(Programme, programme.title)
    programme.full_clean()
    programme.save()
    sessions_changed()
    return programme


@transaction.atomic
def programme_publish(*, programme: Programme) -> int:
    """Publish the programme and its draft events; tell members who want to know.

    Returns how many members were emailed."""
    if programme.published_at is not None:
        raise ValidationError("This programme is already published.")
    programme.published_at = timezone.now()
    programme.save(update_fields=["published_at"])
    programme.events.filter(status=Event.Status.DRAFT).update(status=Event.Status.PUBLISHED)
    sessions_changed()
    # However many members there are, publishing only queues one task: the workers write the
    # emails (programme_published_email_send) and send them.
    programme_published_email_send.enqueue(programme.pk, portal_base=request_address())
    return programme_readers().count()


@task
@request_address_carried
@transaction.atomic
def programme_published_email_send(programme_id: int) -> int:
    """Queue the news of a published programme for every member who wants it; returns how many
    were queued. Safe to run again: each member's message is named by the programme."""
    programme = Programme.objects.get(pk=programme_id)
    events = list(programme.events.filter(status=Event.Status.PUBLISHED).select_related("kind"))
    queued = 0
    with outbox_collecting():
        for member in programme_readers().order_by("pk").iterator(chunk_size=2000):
            queued += member_email_send(
                member=member,
                subject=f"New programme: {programme.title}",
                template="events/email/programme_published.txt",
                context={"programme": programme, "events": events},
                category="programme",
                key=f"programme:{programme.pk}:{member.pk}",
            )
    return queued


# Events --------------------------------------------------------------------------------------

# Changes that subscribers' calendars must pick up.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "format", "title", "joining_link")


@transaction.atomic
def event_save(*, event: Event | None = None, goals=None, speakers=None, **fields) -> Event:
    """Create an event (no `event` given) or change one, with its speakers when `speakers` (a
    valid, bound SpeakerFormSet) is given. When a published event moves (time, place, link),
    it gets a new calendar SEQUENCE, everyone booked is told, and their reminder goes again for
    the new time. Places freed by a larger capacity go to the waiting list."""
    event = event or Event()
    before = None
    if event.pk:
        before = Event.objects.select_for_update().get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    # Whose session it is cannot change once anyone has booked: turned into an open session,
    # a caucus session's register would show its caucus's members to any organiser.
    if (
        before is not None
        and before.caucus_id != event.caucus_id
        and (before.registrations.exists() or before.attendances.exists())
    ):
        raise ValidationError(
            "People have booked this session, so whether it is a caucus session, and for which "
            "caucus, cannot change now. Cancel it and add a new session instead."
        )
    if not event.slug:
        event.slug = unique_slug(Event, f"{event.title} {event.starts_at:%Y-%m-%d}")
    moved = before is not None and any(
        getattr(before, name) != getattr(event, name) for name in CALENDAR_FIELDS
    )
    if moved:
        event.sequence = before.sequence + 1
    event.full_clean()
    event.save()
    # A capacity changed, or places given from the waiting list below, change how full it is.
    sessions_changed()
    places_changed()
    if goals is not None:
        event.goals.set(goals)
    if speakers is not None:
        speakers.instance = event
        speakers.save()
    if before is None:
        return event
    if moved and event.status == Event.Status.PUBLISHED and not event.is_past:
        booked = event.registrations.exclude(status=Registration.Status.CANCELLED)
        booked.update(reminder_sent_at=None)
        registrations = list(booked.select_related("member"))
        invitations_advance(registrations)
        event_changed_email_send.enqueue(event.pk, event.sequence, portal_base=request_address())
    waitlist_promote(event)
    return event


@transaction.atomic
def speaker_create(*, event: Event, **fields) -> Speaker:
    speaker = Speaker(event=event, **fields)
    speaker.full_clean()
    speaker.save()
    return speaker


@task
@request_address_carried
@transaction.atomic
def event_changed_email_send(event_id: int, sequence: int) -> int:
    """Tell everyone booked or waiting that the session moved; returns how many were told. A
    later change queues its own, so a message goes once per SEQUENCE."""
    event = Event.objects.get(pk=event_id)
    if event.sequence != sequence:
        return 0  # changed again since: that change's own task tells them, once
    registrations = event.registrations.exclude(status=Registration.Status.CANCELLED)
    told = 0
    with outbox_collecting():
        for registration in registrations.select_related("member").order_by("pk"):
            confirmed = registration.status == Registration.Status.CONFIRMED
            told += member_email_send(
                member=registration.member,
                subject=f"Changed: {event.title}",
                template="events/email/event_changed.txt",
                context={"event": event, "confirmed": confirmed},
                # Someone waiting holds no place, so their calendar is not given the session.
                invitation=invitation(registration, method=REQUEST) if confirmed else None,
                key=f"changed:{event.pk}:{sequence}:{registration.pk}",
            )
    return told


@transaction.atomic
def event_publish(*, event: Event) -> Event:
    if event.status != Event.Status.DRAFT:
        raise ValidationError("Only a draft event can be published.")
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    sessions_changed()
    return event


@transaction.atomic
def event_cancel(*, event: Event) -> int:
    """Cancel the event and tell everyone booked on it or waiting. Returns how many were told."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_cancelled:
        raise ValidationError("This event is already cancelled.")
    if event.is_past:
        raise ValidationError("This event has already taken place.")
    event.status = Event.Status.CANCELLED
    event.sequence += 1
    event.save(update_fields=["status", "sequence", "updated_at"])
    sessions_changed()
    registrations = list(
        event.registrations.exclude(status=Registration.Status.CANCELLED).select_related("member")
    )
    invitations_advance(registrations)
    event_cancelled_email_send.enqueue(
        event.pk, [r.pk for r in registrations], portal_base=request_address()
    )
    guest_cancellation_email_send.enqueue(event.pk, portal_base=request_address())
    return len(registrations)


@task
@request_address_carried
@transaction.atomic
def event_cancelled_email_send(event_id: int, registration_ids: list[int]) -> int:
    """Tell those who were booked or waiting when the session was cancelled."""
    event = Event.objects.get(pk=event_id)
    registrations = Registration.objects.filter(pk__in=registration_ids).select_related("member")
    told = 0
    with outbox_collecting():
        for registration in registrations.order_by("pk"):
            confirmed = registration.status == Registration.Status.CONFIRMED
            told += member_email_send(
                member=registration.member,
                subject=f"Cancelled: {event.title}",
                template="events/email/event_cancelled.txt",
                context={"event": event, "confirmed": confirmed},
                invitation=invitation(registration, method=CANCEL) if confirmed else None,
                key=f"cancelled:{event.pk}:{registration.pk}",
            )
    return told


# Attendance ----------------------------------------------------------------------------------


def attendance_register_viewed(*, event: Event, request) -> None:
    """Who booked and who came is personal data, and for a caucus session special category
    data: every look at an event's register is in the audit trail."""
    viewed = Action.CAUCUS_REGISTER_VIEWED if event.caucus_id else Action.REGISTER_VIEWED
    audit_record(request, viewed, target=event)


@transaction.atomic
def caucus_attendance_check(*, event: Event, member) -> None:
    """Nobody outside a caucus is ever recorded at one of its sessions: a record of it would
    say something untrue about their racial identity (special category data)."""
    if event.caucus_id is not None and not caucus_allows(event=event, member=member):
        raise ValidationError(
            f"{member} is not a member of this session's caucus, so cannot be recorded at it."
        )


@transaction.atomic
def attendance_record(*, event: Event, present_ids, recorded_by, request=None) -> tuple[int, int]:
    """Set who, of those registered, was at the event. Walk-ins are left as they are. At a
    caucus session only the caucus's members can be marked present (someone who has left the
    caucus since booking is not). The audit line names `request`'s user, or `recorded_by`.

    Returns (marked present, marked absent)."""
    if event.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the event has started.")
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED)
    if event.caucus_id is not None:
        confirmed = confirmed.filter(member__caucus_membership__caucus_id=event.caucus_id)
    registered = set(confirmed.values_list("member_id", flat=True))
    present = set(present_ids) & registered
    already = set(
        event.attendances.filter(member_id__in=registered).values_list("member_id", flat=True)
    )
    Attendance.objects.bulk_create(
        [
            Attendance(event=event, member_id=member_id, recorded_by=recorded_by)
            for member_id in present - already
        ]
    )
    absent = (registered - present) & already
    event.attendances.filter(member_id__in=absent, walk_in=False).delete()
    attendance_changed()
    marked, unmarked = len(present - already), len(absent)
    audit_record(
        request or recorded_by,
        Action.ATTENDANCE_MARKED,
        target=event,
        detail=f"{marked} marked present, {unmarked} unmarked",
    )
    return marked, unmarked


@transaction.atomic
def attendance_add_walk_in(*, event: Event, member, recorded_by, request=None) -> Attendance:
    if event.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the event has started.")
    caucus_attendance_check(event=event, member=member)
    attendance, created = Attendance.objects.get_or_create(
        event=event,
        member=member,
        defaults={"walk_in": not event.registrations.filter(member=member).exists(),
                  "recorded_by": recorded_by},
    )  # fmt: skip
    if not created:
        raise ValidationError(f"{member} is already on the attendance list.")
    attendance_changed()
    audit_record(
        request or recorded_by,
        Action.ATTENDANCE_MARKED,
        target=event,
        detail=f"walk-in user #{member.pk}",
    )
    return attendance


# After the event -----------------------------------------------------------------------------


@transaction.atomic
def event_summary_publish(*, event: Event, user, **fields) -> int | None:
    """Publish what happened at the event and send a catch-up email, once, to everyone who
    had a place but did not come.

    The catch-up waits until attendance is recorded, so nobody who came is told they missed
    it: returns how many catch-up emails go, or None when they wait for attendance."""
    if event.starts_at > timezone.now():
        raise ValidationError("A summary can be published once the event has taken place.")
    for name, value in fields.items():
        setattr(event, name, value)
    if not event.outcome_summary.strip():
        raise ValidationError("Write a short summary before publishing it.")
    event.summary_published_at = event.summary_published_at or timezone.now()
    event.full_clean()
    event.save()
    sessions_changed()
    if event.catch_up_sent_at is not None:
        return 0
    if not event.attendances.exists():
        return None
    event.catch_up_sent_at = timezone.now()
    event.save(update_fields=["catch_up_sent_at"])
    missed = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            email_catch_up=True,
            registrations__event=event,
            registrations__status=Registration.Status.CONFIRMED,
        )
        .exclude(attendances__event=event)
        .values_list("pk", flat=True)
    )
    catch_up_email_send.enqueue(event.pk, missed, portal_base=request_address())
    return len(missed)


@task
@request_address_carried
@transaction.atomic
def catch_up_email_send(event_id: int, member_ids: list[int]) -> int:
    event = Event.objects.get(pk=event_id)
    queued = 0
    with outbox_collecting():
        for member in get_user_model().objects.filter(pk__in=member_ids).order_by("pk"):
            queued += member_email_send(
                member=member,
                subject=f"Catch up: {event.title}",
                template="events/email/catch_up.txt",
                context={"event": event},
                category="catch_up",
                key=f"catch-up:{event.pk}:{member.pk}",
            )
    return queued


# What sessions are described with: kinds, goals, caucuses -----------------------------------


@transaction.atomic
def event_kind_save(*, kind: EventKind | None = None, name: str) -> EventKind:
    kind = kind or EventKind()
    kind.name = " ".join(name.split())
    if not kind.slug:
        kind.slug = unique_slug(EventKind, kind.name)
    kind.full_clean()
    kind.save()
    sessions_changed()
    return kind


@transaction.atomic
def goal_save(*, goal: Goal | None = None, name: str, order: int) -> Goal:
    goal = goal or Goal()
    goal.name, goal.order = " ".join(name.split()), order
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def caucus_save(*, caucus: Caucus | None = None, name: str, description: str) -> Caucus:
    """Add a caucus or change how it is named and described. Members who chose it keep the
    wording they consented to with their choice (CaucusMembership.consent_text)."""
    caucus = caucus or Caucus()
    caucus.name, caucus.description = " ".join(name.split()), description.strip()
    if not caucus.slug:
        caucus.slug = unique_slug(Caucus, caucus.name)
    caucus.full_clean()
    caucus.save()
    sessions_changed()
    return caucus


@transaction.atomic
def event_kind_delete(*, kind: EventKind) -> None:
    if kind.events.exists():
        raise ValidationError(
            f"Sessions are of the kind “{kind.name}”, so it cannot be deleted. Rename it instead."
        )
    kind.delete()
    sessions_changed()


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    """Delete a goal; the sessions that served it simply no longer say so."""
    goal.delete()


# A session's bookings: places given by hand, messages to those booked --------------------------


@transaction.atomic
def waitlist_place_give(*, event: Event, registration_id: int, over_capacity: bool, request):
    """Give a place to someone on the waiting list, whatever their turn (an organiser may know
    who most needs it). When the session is full this takes it over its capacity, which the
    organiser must say they mean (`over_capacity`). The member hears as if the list had
    reached them. Returns the registration."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    registration = (
        event.registrations.select_for_update()
        .select_related("member")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.status != Registration.Status.WAITLISTED:
        raise ValidationError("That person is no longer on the waiting list.")
    if event.is_cancelled or event.is_past:
        raise ValidationError("Places can only be given for a session still to come.")
    if not caucus_allows(event=event, member=registration.member):
        raise ValidationError("They have left this session's caucus, so cannot have a place.")
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    if event.capacity is not None and confirmed >= event.capacity and not over_capacity:
        raise ValidationError(
            f"The session is full ({event.capacity} places). Tick the box to give a place "
            "beyond its capacity."
        )
    registration.status = Registration.Status.CONFIRMED
    invitation_advance(registration)
    registration.save(update_fields=["status", "updated_at", *INVITATION_FIELDS])
    places_changed()
    registration_email_send.enqueue(registration.pk, promoted=True, portal_base=request_address())
    audit_record(request, Action.PLACE_GIVEN, target=event)
    return registration


@transaction.atomic
def session_message_send(*, event: Event, subject: str, body: str, audience: str, request):
    """Email an organiser's message to those booked on a session (or waiting, or both), as it
    stands now; the message is kept with the session. Refused for a cancelled session (its
    cancellation has told them) and when it would reach nobody. The workers write and send
    the emails (`session_message_email_send`). Returns the SessionMessage."""
    if event.is_cancelled:
        raise ValidationError("This session is cancelled: those booked have been told.")
    member_ids = list(
        message_recipients(event=event, audience=audience)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    if not member_ids:
        raise ValidationError("Nobody would get this message: nobody is in that group now.")
    message = SessionMessage.objects.create(
        event=event,
        subject=subject.strip(),
        body=body.strip(),
        audience=audience,
        recipients=len(member_ids),
        sent_by=request.user,
    )
    session_message_email_send.enqueue(message.pk, member_ids, portal_base=request_address())
    audit_record(request, Action.REGISTRANTS_EMAILED, target=event, detail=f"{len(member_ids)}")
    return message


@task
@request_address_carried
@transaction.atomic
def session_message_email_send(message_id: int, member_ids: list[int]) -> int:
    """Queue an organiser's message to each of `member_ids`: essential, as it is about a
    session they booked. Safe to run again: each member's copy is named by the message."""
    message = SessionMessage.objects.select_related("event").get(pk=message_id)
    queued = 0
    with outbox_collecting():
        for member in get_user_model().objects.filter(pk__in=member_ids).order_by("pk"):
            queued += member_email_send(
                member=member,
                subject=f"{message.subject} ({message.event.title})",
                template="events/email/session_message.txt",
                context={"message": message, "event": message.event},
                key=f"session-message:{message.pk}:{member.pk}",
            )
    return queued


# Members' suggestions ------------------------------------------------------------------------


@transaction.atomic
def suggestion_triage(*, suggestion: Suggestion, status: str, organiser_note: str, event=None):
    if status == Suggestion.Status.PLANNED and event is None:
        raise ValidationError("Choose the session this suggestion became.")
    suggestion.status = status
    suggestion.organiser_note = organiser_note
    suggestion.event = event if status == Suggestion.Status.PLANNED else None
    suggestion.full_clean()
    suggestion.save()
    return suggestion


# Caucus choices in the admin -----------------------------------------------------------------


def caucus_choices_viewed(*, request, choice=None) -> None:
    """Members' caucus choices are special category data: every look at them in the admin,
    at the list or at one choice, is in the audit trail."""
    if choice is None:
        audit_record(request, Action.CAUCUS_CHOICES_VIEWED, detail="list")
    else:
        audit_record(request, Action.CAUCUS_CHOICES_VIEWED, target=choice)


# Starter content -----------------------------------------------------------------------------

STARTER_KINDS = [
    "Webinar",
    "In-person session",
    "Racial identity caucus",
    "Action-planning session",
    "Case-study session",
]
STARTER_GOALS = [
    "Share practical examples of anti-racist practice",
    "Reflect on applying learning in real situations",
    "Build relationships across organisations and sectors",
    "Solve shared problems together",
    "Grow anti-racist skills across the system",
    "Keep racism and health equity on the policy agenda",
]
STARTER_CAUCUSES = [
    (
        "Global majority",
        "For members who identify as Black, Asian, mixed heritage or from other racialised "
        "communities: a space to share experience without having to educate others.",
    ),
    (
        "Non-global majority",
        "For members who identify as white, including white minority groups: a space to "
        "reflect, learn and take responsibility without leaning on global majority colleagues.",
    ),
]


@transaction.atomic
def starter_content_load() -> dict[str, int]:
    """Kinds of event, the CoP's goals and the two caucuses, each loaded only into an empty
    table so that organisers' changes stay."""
    created = {"event_kinds": 0, "goals": 0, "caucuses": 0}
    if not EventKind.objects.exists():
        EventKind.objects.bulk_create(EventKind(name=n, slug=slugify(n)) for n in STARTER_KINDS)
        created["event_kinds"] = len(STARTER_KINDS)
    if not Goal.objects.exists():
        Goal.objects.bulk_create(Goal(name=n, order=i) for i, n in enumerate(STARTER_GOALS))
        created["goals"] = len(STARTER_GOALS)
    if not Caucus.objects.exists():
        Caucus.objects.bulk_create(
            Caucus(name=n, slug=slugify(n), description=d) for n, d in STARTER_CAUCUSES
        )
        created["caucuses"] = len(STARTER_CAUCUSES)
    return created
