"""Writes for the events app: the programme, registration and its waiting list, caucuses,
attendance, calendar feeds, suggestions and the emails that go with them."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.debug import sensitive_variables

from cop_portal.web.slugs import unique_slug
from members.services import member_email_send

from .calendar import ics_calendar
from .models import (
    Attendance,
    CalendarFeed,
    Caucus,
    CaucusMembership,
    Event,
    EventKind,
    Goal,
    Programme,
    Registration,
    Speaker,
    Suggestion,
)

CAUCUS_CONSENT_VERSION = "1"
CAUCUS_CONSENT_TEXT = (
    "I choose to join this racial identity caucus. I understand that my choice says something "
    "about my racial identity, which is special category data under UK GDPR, and I give my "
    "explicit consent for the portal to keep it for one purpose only: to let me join this "
    "caucus's sessions and materials. Only I, and the few organisers with a dedicated "
    "permission, can see it. I can withdraw at any time, and my choice is then deleted."
)
REMINDER_LEAD = timedelta(hours=24)


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
    members = list(get_user_model().objects.filter(is_active=True, email_programme=True))
    transaction.on_commit(lambda: _send_programme_published(programme, members))
    return len(members)


def _send_programme_published(programme, members):
    events = list(programme.events.filter(status=Event.Status.PUBLISHED).select_related("kind"))
    for member in members:
        member_email_send(
            member=member,
            subject=f"New programme: {programme.title}",
            template="events/email/programme_published.txt",
            context={"programme": programme, "events": events},
            category="programme",
        )


# Events --------------------------------------------------------------------------------------

# Changes that subscribers' calendars must pick up.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "format", "title", "joining_link")


@transaction.atomic
def event_save(*, event: Event | None = None, goals=None, **fields) -> Event:
    """Create an event (no `event` given) or change one. When a published event moves (time,
    place, link), it gets a new calendar SEQUENCE, everyone booked is told, and their reminder
    goes again for the new time. Places freed by a larger capacity go to the waiting list."""
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
    if goals is not None:
        event.goals.set(goals)
    if before is None:
        return event
    if moved and event.status == Event.Status.PUBLISHED and not event.is_past:
        booked = event.registrations.exclude(status=Registration.Status.CANCELLED)
        booked.update(reminder_sent_at=None)
        registrations = list(booked.select_related("member"))
        transaction.on_commit(lambda: _send_changed(event, registrations))
    _waitlist_promote(event)
    return event


@transaction.atomic
def speaker_create(*, event: Event, **fields) -> Speaker:
    speaker = Speaker(event=event, **fields)
    speaker.full_clean()
    speaker.save()
    return speaker


def _send_changed(event, registrations):
    for registration in registrations:
        confirmed = registration.status == Registration.Status.CONFIRMED
        member_email_send(
            member=registration.member,
            subject=f"Changed: {event.title}",
            template="events/email/event_changed.txt",
            context={"event": event, "confirmed": confirmed},
            attachments=[_ics_attachment(event, registration.member, registered=confirmed)],
        )


@transaction.atomic
def event_publish(*, event: Event) -> Event:
    if event.status != Event.Status.DRAFT:
        raise ValidationError("Only a draft event can be published.")
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
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
    registrations = list(
        event.registrations.exclude(status=Registration.Status.CANCELLED).select_related("member")
    )
    transaction.on_commit(lambda: _send_cancelled(event, registrations))
    return len(registrations)


def _send_cancelled(event, registrations):
    for registration in registrations:
        member_email_send(
            member=registration.member,
            subject=f"Cancelled: {event.title}",
            template="events/email/event_cancelled.txt",
            context={"event": event},
            attachments=[_ics_attachment(event, registration.member, registered=False)],
        )


# Registration --------------------------------------------------------------------------------


def caucus_allows(*, event: Event, member) -> bool:
    if event.caucus_id is None:
        return True
    return CaucusMembership.objects.filter(member=member, caucus_id=event.caucus_id).exists()


@transaction.atomic
def registration_create(*, event: Event, member) -> Registration:
    """Book `member` onto `event`, or onto its waiting list when it is full.

    Raises PermissionDenied for a caucus session the member is not in, and ValidationError
    with a message for the member when registration is not possible."""
    # Locking the event serialises registrations, so two people cannot take the last place.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not caucus_allows(event=event, member=member):
        raise PermissionDenied("This session is only for members of its caucus.")
    if event.is_cancelled:
        raise ValidationError("This event has been cancelled.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event is not open for registration.")
    now = timezone.now()
    if event.starts_at <= now:
        raise ValidationError("This event has already started, so registration is closed.")
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = timezone.localtime(event.registration_opens_at)
        raise ValidationError(f"Registration opens on {opens:%-d %B %Y at %H:%M}.")
    if now >= event.closes_at:
        raise ValidationError("Registration for this event has closed.")
    registration = Registration.objects.filter(event=event, member=member).first()
    if registration and registration.status == Registration.Status.CONFIRMED:
        raise ValidationError("You are already registered for this event.")
    if registration and registration.status == Registration.Status.WAITLISTED:
        raise ValidationError("You are already on the waiting list for this event.")
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    full = event.capacity is not None and confirmed >= event.capacity
    status = Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED
    registration = registration or Registration(event=event, member=member)
    registration.status = status
    registration.requested_at = now
    registration.save()
    transaction.on_commit(lambda: _send_registration_email(registration))
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration | None:
    """Cancel a place or leave the waiting list. A freed place goes to the next person waiting,
    who is returned (or None)."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError("This registration is already cancelled.")
    if event.starts_at <= timezone.now():
        raise ValidationError("This event has already started.")
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    promoted = _waitlist_promote(event)
    return promoted[0] if promoted else None


@transaction.atomic
def registration_record(*, event: Event, member) -> Registration:
    """Record after the event that `member` had a place at it, as a register kept before the
    portal would show: no email, no waiting list. Attendance is recorded separately."""
    if event.starts_at > timezone.now():
        raise ValidationError("A place can be recorded this way once the event has started.")
    if not caucus_allows(event=event, member=member):
        raise PermissionDenied("This session is only for members of its caucus.")
    registration = Registration(event=event, member=member, status=Registration.Status.CONFIRMED)
    registration.full_clean()
    registration.save()
    return registration


def _waitlist_promote(event: Event) -> list[Registration]:
    """Give free places to the people waiting longest. Call inside a transaction."""
    if event.is_cancelled or event.is_past:
        return []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
        "requested_at", "pk"
    )
    if event.capacity is not None:
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        waiting = waiting[: max(event.capacity - confirmed, 0)]
    promoted = list(waiting.select_related("member"))
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda r=registration: _send_registration_email(r, promoted=True))
    return promoted


def _ics_attachment(event, member, *, registered=True):
    content = ics_calendar(
        [event],
        name=event.title,
        joining_links_for=frozenset({event.id}) if registered else frozenset(),
    )
    return (f"{event.slug}.ics", content, "text/calendar")


def _send_registration_email(registration: Registration, *, promoted=False):
    event, member = registration.event, registration.member
    if registration.status == Registration.Status.CONFIRMED:
        member_email_send(
            member=member,
            subject=f"{'A place is yours' if promoted else 'You are registered'}: {event.title}",
            template="events/email/registration_confirmed.txt",
            context={"event": event, "promoted": promoted},
            attachments=[_ics_attachment(event, member)],
        )
    else:
        member_email_send(
            member=member,
            subject=f"On the waiting list: {event.title}",
            template="events/email/registration_waitlisted.txt",
            context={"event": event},
        )


def reminders_send(*, now=None, lead: timedelta = REMINDER_LEAD) -> int:
    """Email a reminder to everyone booked on an event starting within `lead`, once each.

    Run it every few minutes (cron or a systemd timer): `manage.py send_event_reminders`.
    Returns how many reminders went."""
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + lead,
            # Someone who booked inside the reminder window has just had their confirmation.
            requested_at__lt=F("event__starts_at") - lead,
        )
        .select_related("event", "member")
        .order_by("event__starts_at", "pk")
    )
    sent = 0
    for registration in due:
        # Mark first, in its own transaction: a crash after sending must not send twice.
        marked = Registration.objects.filter(
            pk=registration.pk, reminder_sent_at__isnull=True
        ).update(reminder_sent_at=now)
        if marked and member_email_send(
            member=registration.member,
            subject=f"Reminder: {registration.event.title}",
            template="events/email/reminder.txt",
            context={"event": registration.event},
            category="reminders",
            attachments=[_ics_attachment(registration.event, registration.member)],
        ):
            sent += 1
    return sent


# Caucuses ------------------------------------------------------------------------------------


# Hidden from error reports. The transaction is opened inside rather than by decorator, whose
# wrapper frame would show the caucus among its arguments.
@sensitive_variables("caucus")
def caucus_join(*, member, caucus: Caucus, consent: bool) -> CaucusMembership:
    """Record a member's caucus with their explicit consent (special category data)."""
    if not consent:
        raise ValidationError("Tick the box to give your consent, or leave this page.")
    with transaction.atomic():
        CaucusMembership.objects.filter(member=member).delete()
        return CaucusMembership.objects.create(
            member=member,
            caucus=caucus,
            consent_version=CAUCUS_CONSENT_VERSION,
            consent_text=CAUCUS_CONSENT_TEXT,
        )


@sensitive_variables("membership", "upcoming", "registration")
@transaction.atomic
def caucus_withdraw(*, member) -> int:
    """Delete the member's caucus choice and, with it, their places at caucus sessions to come.
    (Survey responses keep no copy of the caucus: the consent covers its sessions only.)

    Returns how many places were given up."""
    membership = CaucusMembership.objects.filter(member=member).first()
    if membership is None:
        return 0
    upcoming = Registration.objects.filter(
        member=member,
        event__caucus_id=membership.caucus_id,
        event__starts_at__gt=timezone.now(),
    ).exclude(status=Registration.Status.CANCELLED)
    given_up = 0
    for registration in upcoming:
        registration_cancel(registration=registration)
        given_up += 1
    membership.delete()
    return given_up


# Attendance ----------------------------------------------------------------------------------


@transaction.atomic
def caucus_attendance_check(*, event: Event, member) -> None:
    """Nobody outside a caucus is ever recorded at one of its sessions: a record of it would
    say something untrue about their racial identity (special category data)."""
    if event.caucus_id is not None and not caucus_allows(event=event, member=member):
        raise ValidationError(
            f"{member} is not a member of this session's caucus, so cannot be recorded at it."
        )


def attendance_record(*, event: Event, present_ids, recorded_by) -> tuple[int, int]:
    """Set who, of those registered, was at the event. Walk-ins are left as they are. At a
    caucus session only the caucus's members can be marked present (someone who has left the
    caucus since booking is not).

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
    return len(present - already), len(absent)


@transaction.atomic
def attendance_add_walk_in(*, event: Event, member, recorded_by) -> Attendance:
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
    )
    transaction.on_commit(lambda: _send_catch_up(event, missed))
    return len(missed)


def _send_catch_up(event, members):
    for member in members:
        member_email_send(
            member=member,
            subject=f"Catch up: {event.title}",
            template="events/email/catch_up.txt",
            context={"event": event},
            category="catch_up",
        )


# Calendar feeds ------------------------------------------------------------------------------


def calendar_feed_get_or_create(*, member) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(
        member=member, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


@transaction.atomic
def calendar_feed_reset(*, member) -> CalendarFeed:
    """Give the member a new secret feed address; the old one stops working at once."""
    CalendarFeed.objects.filter(member=member).delete()
    return CalendarFeed.objects.create(member=member, token=secrets.token_urlsafe(32))


# Shaping the programme -----------------------------------------------------------------------


@transaction.atomic
def suggestion_create(*, member, **fields) -> Suggestion:
    suggestion = Suggestion(member=member, **fields)
    suggestion.full_clean()
    suggestion.save()
    return suggestion


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
