"""Writes for senior leaders invited as guests to one session: inviting them (the email, with
its personal link and the briefing, is written by a worker), sending again, withdrawing, their
reply, their attendance, and joining the CoP as a member with one click.

A guest is not a member: nothing here makes an account, except `guest_join`, when they ask."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.tasks import task
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import request_address, request_address_carried
from cop_portal.web.tokens import token_hash, token_new
from members.services import AuditAction as Action
from members.services import audit_record, member_email_send

from ..briefing import FILENAME, MIMETYPE, briefing_pdf
from ..models import Event, Guest
from ..selectors.guests import briefing_figures, guest_link_problem, member_with_email_exists

CAUCUS_REFUSED = (
    "Caucus sessions are for their caucus's members only, so guests cannot be invited to them."
)


def guests_may_be_invited(event: Event) -> None:
    """Raise ValidationError, saying why, when this session takes no guests."""
    if event.caucus_id is not None:
        raise ValidationError(CAUCUS_REFUSED)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This session is cancelled, so nobody can be invited to it.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("Publish the session before inviting guests to it.")
    if event.ends_at <= timezone.now():
        raise ValidationError("This session has taken place, so nobody can be invited to it.")


def guest_list_viewed(*, event: Event, request) -> None:
    """Guests' names and addresses are personal data: every look at a session's guest list is
    in the audit trail, as a look at its register is."""
    audit_record(request, Action.REGISTER_VIEWED, target=event, detail="guest list")


@dataclass(frozen=True)
class GuestDetails:
    name: str
    email: str
    role: str
    job_title: str = ""
    organisation: str = ""


@transaction.atomic
def guests_invite(*, event: Event, guests: list[GuestDetails], invited_by) -> list[Guest]:
    """Invite each person to the session, all or none. Someone already invited (by email, in
    any case) is refused with their name, so nobody gets two invitations. The emails are
    written by a worker (`guest_invitations_send`)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    guests_may_be_invited(event)
    if not guests:
        raise ValidationError("Add at least one person to invite.")
    emails = [details.email.strip().lower() for details in guests]
    if len(set(emails)) != len(emails):
        raise ValidationError("The same email address is given twice.")
    already = set(
        event.guests.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    if already:
        raise ValidationError(
            f"Already invited to this session: {', '.join(sorted(already))}. Use “send again” "
            "in the list below instead."
        )
    made = []
    for details, email in zip(guests, emails, strict=True):
        guest = Guest(
            event=event,
            name=" ".join(details.name.split()),
            email=email,
            role=details.role,
            job_title=details.job_title.strip(),
            organisation=details.organisation.strip(),
            invited_by=invited_by,
        )
        guest.full_clean()
        guest.save()
        made.append(guest)
    guest_invitations_send.enqueue([g.pk for g in made], portal_base=request_address())
    return made


@transaction.atomic
def guest_invitation_resend(*, guest: Guest) -> Guest:
    """Send the invitation again, with a fresh link: the link before stops working."""
    guest = Guest.objects.select_for_update(of=("self",)).select_related("event").get(pk=guest.pk)
    if guest.withdrawn_at is not None:
        raise ValidationError("This invitation was withdrawn.")
    guests_may_be_invited(guest.event)
    if guest.invitation_sent_round < guest.invitation_round:
        raise ValidationError("The invitation is still on its way: it goes within minutes.")
    guest.invitation_round += 1
    guest.save(update_fields=["invitation_round"])
    guest_invitations_send.enqueue([guest.pk], portal_base=request_address())
    return guest


@transaction.atomic
def guest_withdraw(*, guest: Guest) -> Guest:
    """Withdraw the invitation: the link stops working at once, and an invitation not yet
    written is never sent (the task finds it withdrawn)."""
    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    if guest.withdrawn_at is not None:
        raise ValidationError("This invitation is already withdrawn.")
    guest.withdrawn_at = timezone.now()
    guest.save(update_fields=["withdrawn_at"])
    return guest


@task
@request_address_carried
@transaction.atomic
def guest_invitations_send(guest_ids: list[int]) -> int:
    """Write each guest's invitation to the outbox, with a new personal link and the briefing;
    returns how many were queued. Safe to run again: a round already written is skipped, and
    its key names the round, so the outbox holds each once."""
    guests = list(
        Guest.objects.select_for_update(of=("self",))
        .select_related("event", "event__kind", "invited_by")
        .filter(pk__in=guest_ids, withdrawn_at__isnull=True)
        .order_by("pk")
    )
    due = [g for g in guests if g.invitation_sent_round < g.invitation_round]
    if not due:
        return 0
    attachment = (FILENAME, briefing_pdf(briefing_figures()), MIMETYPE)
    queued = 0
    now = timezone.now()
    with outbox_collecting():
        for guest in due:
            token = token_new()
            guest.token_hash = token_hash(token)
            guest.invitation_sent_round = guest.invitation_round
            guest.invitation_sent_at = now
            guest.save(update_fields=["token_hash", "invitation_sent_round", "invitation_sent_at"])
            queued += member_email_send(
                member=guest,
                subject=f"Invitation: {guest.event.title}",
                template="events/email/guest_invitation.txt",
                context={"guest": guest, "event": guest.event, "token": token},
                attachments=(attachment,),
                key=f"guest-invitation:{guest.pk}:{guest.invitation_round}",
            )
    return queued


@task
@request_address_carried
@transaction.atomic
def guest_cancellation_email_send(event_id: int) -> int:
    """Tell the guests of a cancelled session, except those who said they could not come or
    whose invitation was withdrawn or never went; returns how many were told. Once per guest."""
    guests = (
        Guest.objects.select_related("event")
        .filter(
            event_id=event_id,
            withdrawn_at__isnull=True,
            declined_at__isnull=True,
            invitation_sent_at__isnull=False,
            cancellation_sent_at__isnull=True,
        )
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    told = 0
    now = timezone.now()
    with outbox_collecting():
        for guest in guests:
            guest.cancellation_sent_at = now
            guest.save(update_fields=["cancellation_sent_at"])
            told += member_email_send(
                member=guest,
                subject=f"Cancelled: {guest.event.title}",
                template="events/email/guest_cancelled.txt",
                context={"guest": guest, "event": guest.event},
                key=f"guest-cancelled:{guest.pk}",
            )
    return told


# Guests are forgotten a year after their session: the counts stay, the person goes.
GUEST_RETENTION = timedelta(days=365)
FORGOTTEN_EMAIL = "erased-guest-{pk}@example.invalid"  # .invalid never receives mail


def guests_anonymise(guests) -> int:
    """Remove who the guests were (name, address, title, organisation, link, and the account
    they joined with), keeping their role, reply and attendance for the figures. Returns how
    many rows changed."""
    changed = 0
    for pk in guests.values_list("pk", flat=True).order_by("pk"):
        changed += Guest.objects.filter(pk=pk).update(
            name="", email=FORGOTTEN_EMAIL.format(pk=pk), job_title="", organisation="",
            token_hash=None, member=None, invited_by=None,
        )  # fmt: skip
    return changed


@transaction.atomic
def guests_forget(*, now=None) -> int:
    """Forget the guests of sessions that ended more than GUEST_RETENTION ago: they never
    joined, so nothing else needs who they were. Returns how many were forgotten."""
    cutoff = (now or timezone.now()) - GUEST_RETENTION
    due = Guest.objects.filter(event__ends_at__lt=cutoff).exclude(name="")
    return guests_anonymise(due)


# The guest's side ------------------------------------------------------------------------------


def _usable(guest: Guest) -> Guest:
    guest = Guest.objects.select_for_update(of=("self",)).select_related("event").get(pk=guest.pk)
    if guest_link_problem(guest) is not None:
        raise ValidationError("This invitation link no longer works.")
    return guest


@transaction.atomic
def guest_reply(*, guest: Guest, coming: bool) -> Guest:
    """The guest says whether they will come; they may change their mind until it starts."""
    guest = _usable(guest)
    if guest.event.starts_at <= timezone.now():
        raise ValidationError("The session has started, so replies are closed.")
    now = timezone.now()
    guest.registered_at = now if coming else None
    guest.declined_at = None if coming else now
    guest.save(update_fields=["registered_at", "declined_at"])
    return guest


@transaction.atomic
def guest_attendance_record(*, event: Event, present_ids, recorded_by, request=None) -> int:
    """Set which of the session's guests came (organisers, from its register). Returns how many
    are now marked as having come."""
    if event.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the event has started.")
    guests = event.guests.filter(withdrawn_at__isnull=True)
    present = guests.filter(pk__in=set(present_ids))
    now = timezone.now()
    present.filter(attended=False).update(attended=True, attended_recorded_at=now)
    guests.exclude(pk__in=present.values("pk")).filter(attended=True).update(
        attended=False, attended_recorded_at=now
    )
    came = guests.filter(attended=True).count()
    audit_record(
        request or recorded_by,
        Action.ATTENDANCE_MARKED,
        target=event,
        detail=f"guests: {came} marked as having come",
    )
    return came


@transaction.atomic
def guest_attendance_import(*, event: Event, email: str) -> bool:
    """An attendance register names an invited guest (by email): they came, recorded as a
    guest, never as a member. Returns whether this changed anything."""
    changed = (
        event.guests.annotate(address=Lower("email"))
        .filter(address=email.strip().lower(), withdrawn_at__isnull=True, attended=False)
        .update(attended=True, attended_recorded_at=timezone.now())
    )
    return bool(changed)


class MemberAlreadyExists(ValidationError):
    """Someone already has an account with the guest's address: they sign in instead."""


@transaction.atomic
def guest_join(*, guest: Guest):
    """The guest joins the CoP as a member with one click: an account with their name and
    email, the address verified (the invitation reached it), linked to the guest. They then
    take the joining journey as every member does (profile, introduction, ground rules).

    If anyone already has an account with that address, nothing is made and
    MemberAlreadyExists is raised: the link never signs anyone in to an existing account."""
    guest = _usable(guest)
    if member_with_email_exists(guest.email):
        raise MemberAlreadyExists(
            "There is already an account with this email address: sign in to it instead."
        )
    user = get_user_model()(email=guest.email.strip().lower(), name=guest.name)
    user.set_unusable_password()
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # made meanwhile, by a sign-up in another window
        raise MemberAlreadyExists(
            "There is already an account with this email address: sign in to it instead."
        ) from error
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    guest.member = user
    guest.save(update_fields=["member"])
    return user
