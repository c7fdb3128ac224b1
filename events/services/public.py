"""Writes for members' side of the programme: registration and its waiting list, reminders,
caucuses, calendar feeds and suggestions, with the emails that go with them."""

import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import request_address, request_address_carried
from members.services import member_email_send

from ..caching import caucus_changed, places_changed
from ..calendar import CANCEL, REQUEST, invitation
from ..models import CalendarFeed, Caucus, CaucusMembership, Event, Registration, Suggestion

CAUCUS_CONSENT_VERSION = "1"
CAUCUS_CONSENT_TEXT = (
    "I choose to join this racial identity caucus. I understand that my choice says something "
    "about my racial identity, which is special category data under UK GDPR, and I give my "
    "explicit consent for the portal to keep it for one purpose only: to let me join this "
    "caucus's sessions and materials. Only I, and the few organisers with a dedicated "
    "permission, can see it. I can withdraw at any time, and my choice is then deleted."
)
REMINDER_LEAD = timedelta(hours=24)
INVITATION_FIELDS = ["invite_uid", "invite_sequence"]


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
    if status == Registration.Status.CONFIRMED:
        invitation_advance(registration)
    registration.save()
    places_changed()
    registration_email_send.enqueue(registration.pk, portal_base=request_address())
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
    held_place = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    if held_place:
        invitation_advance(registration)
        registration.save(update_fields=["status", "updated_at", *INVITATION_FIELDS])
        place_cancelled_email_send.enqueue(registration.pk, portal_base=request_address())
    else:
        registration.save(update_fields=["status", "updated_at"])
    places_changed()
    promoted = waitlist_promote(event)
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
    places_changed()
    return registration


def waitlist_promote(event: Event) -> list[Registration]:
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
        invitation_advance(registration)
        registration.save(update_fields=["status", "updated_at", *INVITATION_FIELDS])
        registration_email_send.enqueue(
            registration.pk, promoted=True, portal_base=request_address()
        )
    return promoted


def invitation_advance(registration: Registration, *, rise: bool = True) -> None:
    """Ready the member's next calendar message about the event: the first gets a UID of its
    own and SEQUENCE 0, each later one a SEQUENCE one higher, so that calendars apply it over
    the one before. A reminder, which changes nothing, keeps the SEQUENCE (`rise=False`).

    The caller saves INVITATION_FIELDS, in the transaction that locks the event, so two
    changes at once cannot send the same SEQUENCE twice."""
    if registration.invite_uid is None:
        registration.invite_uid = uuid.uuid4()
        registration.invite_sequence = 0
    elif rise:
        registration.invite_sequence += 1


def invitations_advance(registrations) -> None:
    """Advance the invitation of each of `registrations` that holds a place, and save them."""
    held = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    for registration in held:
        invitation_advance(registration)
    Registration.objects.bulk_update(held, INVITATION_FIELDS)


def _invitation_key(registration: Registration) -> str:
    """Names a calendar message: one per registration and SEQUENCE."""
    return f"{registration.invite_uid}:{registration.invite_sequence}"


# The emails are written by the workers, from the registration as it is when they run: these
# tasks are queued in the transaction that changed it.


@task
@request_address_carried
def registration_email_send(registration_id: int, promoted: bool = False) -> bool:
    """The confirmation of a place (with the calendar invitation) or of a place on the waiting
    list, unless the registration has changed again since."""
    registration = Registration.objects.select_related("event", "member").get(pk=registration_id)
    event, member = registration.event, registration.member
    if registration.status == Registration.Status.CONFIRMED:
        return member_email_send(
            member=member,
            subject=f"{'A place is yours' if promoted else 'You are registered'}: {event.title}",
            template="events/email/registration_confirmed.txt",
            context={"event": event, "promoted": promoted},
            invitation=invitation(registration, method=REQUEST),
            key=f"registered:{_invitation_key(registration)}",
        )
    if registration.status == Registration.Status.WAITLISTED:
        return member_email_send(
            member=member,
            subject=f"On the waiting list: {event.title}",
            template="events/email/registration_waitlisted.txt",
            context={"event": event},
            key=f"waitlisted:{registration.pk}:{registration.requested_at.timestamp()}",
        )
    return False


@task
@request_address_carried
def place_cancelled_email_send(registration_id: int) -> bool:
    # An account erased meanwhile is no longer active, and its old address is not written to.
    registration = Registration.objects.select_related("event", "member").get(pk=registration_id)
    return member_email_send(
        member=registration.member,
        subject=f"Place cancelled: {registration.event.title}",
        template="events/email/registration_cancelled.txt",
        context={"event": registration.event},
        invitation=invitation(registration, method=CANCEL),
        key=f"place-cancelled:{_invitation_key(registration)}",
    )


def reminders_send(*, now=None, lead: timedelta = REMINDER_LEAD) -> int:
    """Email a reminder to everyone booked on an event starting within `lead`, once each.

    The workers run it every 15 minutes (events.tasks, the event-reminders schedule).
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
    with outbox_collecting():
        for registration in due:
            # Marked in the transaction that queues the email: both happen, or neither.
            with transaction.atomic():
                marked = Registration.objects.filter(
                    pk=registration.pk, reminder_sent_at__isnull=True
                ).update(reminder_sent_at=now)
                if not marked:
                    continue
                invitation_advance(registration, rise=False)
                registration.save(update_fields=INVITATION_FIELDS)
                if member_email_send(
                    member=registration.member,
                    subject=f"Reminder: {registration.event.title}",
                    template="events/email/reminder.txt",
                    context={"event": registration.event},
                    category="reminders",
                    invitation=invitation(registration, method=REQUEST),
                    key=f"reminder:{registration.pk}:{now.timestamp()}",
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
        caucus_changed(member.pk)
        previous = CaucusMembership.objects.filter(member=member).first()
        if previous is not None and previous.caucus_id != caucus.pk:
            # Only a caucus's members may join its sessions: places at the previous caucus's
            # sessions to come go with the choice.
            _caucus_places_give_up(member=member, caucus_id=previous.caucus_id)
        CaucusMembership.objects.filter(member=member).delete()
        return CaucusMembership.objects.create(
            member=member,
            caucus=caucus,
            consent_version=CAUCUS_CONSENT_VERSION,
            # The caucus as it was described to them, kept with their consent: organisers may
            # reword it later, and what this member agreed to must stay on record.
            consent_text=caucus_consent_text(caucus),
        )


def caucus_consent_text(caucus: Caucus) -> str:
    described = f"{caucus.name}: {caucus.description}" if caucus.description else caucus.name
    return f"{CAUCUS_CONSENT_TEXT}\n\nThe caucus chosen: {described}"


@sensitive_variables("membership", "upcoming", "registration")
@transaction.atomic
def caucus_withdraw(*, member) -> int:
    """Delete the member's caucus choice and, with it, their places at caucus sessions to come.
    (Survey responses keep no copy of the caucus: the consent covers its sessions only.)

    Returns how many places were given up."""
    membership = CaucusMembership.objects.filter(member=member).first()
    if membership is None:
        return 0
    given_up = _caucus_places_give_up(member=member, caucus_id=membership.caucus_id)
    membership.delete()
    caucus_changed(member.pk)
    return given_up


@sensitive_variables("caucus_id", "upcoming", "registration")
def _caucus_places_give_up(*, member, caucus_id: int) -> int:
    """Cancel the member's places at the sessions to come of a caucus they are leaving (the
    waiting list moves up as for any cancellation); how many were given up."""
    upcoming = Registration.objects.filter(
        member=member, event__caucus_id=caucus_id, event__starts_at__gt=timezone.now()
    ).exclude(status=Registration.Status.CANCELLED)
    given_up = 0
    for registration in upcoming:
        registration_cancel(registration=registration)
        given_up += 1
    return given_up


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
