"""Writes for "from learning to action": members' actions, their reminders and three-month
follow-ups, the email after a session to those who came, and journey check-ins.

The email after a session reads the session (events) and its survey (surveys), which puts the
journey among the areas above the other apps; for the same reason it runs on a schedule rather
than being queued by events' attendance services, which may not import it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting
from events.models import Attendance, Event
from events.services import caucus_allows
from surveys.models import Invitation, Survey
from surveys.services import invitation_link_discard, invitation_link_for, standard_surveys_make

from ..caching import member_forget
from ..models import Action, ActionUpdate, CheckIn, JourneyStage
from ..selectors.accounts import member_has_claimed
from ..selectors.journey import session_attended_get
from .emails import member_email_send

# How long after a session its email to those who came may still go: attendance imported from
# an old register, or a summary written much later, sends nothing about a session long past.
AFTER_SESSION_DAYS = 30
# The follow-up of an action: about three months on, and not for actions much older than that
# (say, when the workers were stopped for weeks).
FOLLOW_UP_DAYS = 91
FOLLOW_UP_LAST_DAY = 120


@transaction.atomic
def action_save(*, action, member, **fields):
    """Create or change one of the member's own actions."""
    if action.pk and action.member_id != member.pk:
        raise PermissionDenied("Members change only their own actions.")
    if "due_on" in fields and fields["due_on"] != action.due_on:
        action.reminder_sent_on = None  # a new date gets its own reminder
    for name, value in fields.items():
        setattr(action, name, value)
    action.member = member
    action.full_clean()
    action.save()
    member_forget(member.pk)  # their home page counts their open actions
    return action


@transaction.atomic
def action_status_update(*, action, status: str, note: str = "", value_cycle: str = ""):
    """Move an action on (planned, in progress, done, dropped) with a short note; record the day
    it was done and, if the member says, the kind of value it created."""
    if status not in Action.Status.values:
        raise ValidationError("Choose one of the statuses offered.")
    action.status = status
    if status != Action.Status.DONE:
        action.completed_on = None
    elif action.completed_on is None:
        action.completed_on = timezone.localdate()  # a later note keeps the day it was done
    if value_cycle or status != Action.Status.DONE:
        action.value_cycle = value_cycle if status == Action.Status.DONE else ""
    action.full_clean()
    action.save()
    ActionUpdate.objects.create(action=action, status=status, note=note.strip()[:500])
    member_forget(action.member_id)
    return action


@transaction.atomic
def action_from_session_save(*, member, event, **fields):
    """Record a new action tied to a session the member came to (the "record one action from
    today" link); refused for any other session."""
    if session_attended_get(slug=event.slug, member=member) is None:
        raise PermissionDenied("Only those who came to a session can record an action from it.")
    return action_save(action=Action(), member=member, event=event, **fields)


def action_delete(*, action, member) -> None:
    if action.member_id != member.pk:
        raise PermissionDenied("Members delete only their own actions.")
    action.delete()
    member_forget(member.pk)


def action_reminders_send(*, today=None) -> int:
    """Remind members of actions falling due tomorrow or already due, once per action.
    The workers run it daily (members.tasks, the action-reminders schedule)."""
    today = today or timezone.localdate()
    due = (
        Action.objects.filter(
            status__in=[Action.Status.PLANNED, Action.Status.IN_PROGRESS],
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=1),
            reminder_sent_on__isnull=True,
        )
        .select_related("member")
        .order_by("due_on", "pk")
    )
    sent = 0
    with outbox_collecting():
        for action in due:
            # Marked in the transaction that queues the email: both happen, or neither.
            with transaction.atomic():
                marked = Action.objects.filter(pk=action.pk, reminder_sent_on__isnull=True).update(
                    reminder_sent_on=today
                )
                if marked and member_email_send(
                    member=action.member,
                    subject="An action you planned is due",
                    template="members/email/action_due.txt",
                    context={"action": action},
                    category="reminders",
                    key=f"action-due:{action.pk}:{today.isoformat()}",
                ):
                    sent += 1
    return sent


def action_follow_ups_send(*, today=None) -> int:
    """Ask, once, about three months on, how each open action is going. The workers run it daily
    (members.tasks, the action-follow-ups schedule); returns how many emails went."""
    today = today or timezone.localdate()
    due = (
        Action.objects.filter(
            status__in=[Action.Status.PLANNED, Action.Status.IN_PROGRESS],
            follow_up_sent_on__isnull=True,
            created_at__date__lte=today - timedelta(days=FOLLOW_UP_DAYS),
            created_at__date__gt=today - timedelta(days=FOLLOW_UP_LAST_DAY),
        )
        .select_related("member", "event")
        .order_by("created_at", "pk")
    )
    sent = 0
    with outbox_collecting():
        for action in due:
            # Marked in the transaction that queues the email: both happen, or neither.
            with transaction.atomic():
                marked = Action.objects.filter(pk=action.pk, follow_up_sent_on__isnull=True).update(
                    follow_up_sent_on=today
                )
                if marked and member_email_send(
                    member=action.member,
                    subject="How is your action going?",
                    template="members/email/action_follow_up.txt",
                    context={"action": action},
                    category="reminders",
                    key=f"action-follow-up:{action.pk}",
                ):
                    sent += 1
    return sent


def _session_survey(event, member):
    """The survey after `event` that `member` can answer now, or None: published, open, and
    either one they are invited to and have not answered, or one for the session's attendees
    they have not been invited to yet (this email then is their invitation, so they get one
    email, not two; the survey's own invitations skip those already invited)."""
    now = timezone.now()
    survey = (
        Survey.objects.filter(
            event=event,
            kind=Survey.Kind.POST_EVENT,
            status=Survey.Status.PUBLISHED,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .exclude(
            pk__in=Invitation.objects.filter(member=member, responded=True).values("survey_id")
        )
        .order_by("opens_at", "pk")
        .first()
    )
    return survey


def after_session_emails_send(*, now=None) -> int:
    """Email everyone recorded at a session once, when its summary is published: the summary
    and takeaways, its survey if one is open, and a link to record an action tied to the
    session. Whichever comes later, the summary or the member's attendance, sends it, so each
    gets one email, with the summary in it; attendance recorded in several goes reaches each
    newcomer once. The workers run it every few minutes (the after-session-emails schedule);
    returns how many emails went.

    Sessions that ended with a standard survey chosen have it made first, so the email
    carries it rather than a second email inviting to it."""
    now = now or timezone.now()
    standard_surveys_make(now=now)
    waiting = (
        Attendance.objects.filter(
            after_session_sent_at__isnull=True,
            event__summary_published_at__isnull=False,
            event__ends_at__lte=now,
            event__ends_at__gt=now - timedelta(days=AFTER_SESSION_DAYS),
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event", "member")
        .order_by("event_id", "pk")
    )
    sent = 0
    with outbox_collecting():
        for attendance in waiting:
            event, member = attendance.event, attendance.member
            with transaction.atomic():
                marked = Attendance.objects.filter(
                    Q(pk=attendance.pk), Q(after_session_sent_at__isnull=True)
                ).update(after_session_sent_at=now)
                # Nothing for a member who turned session summaries off, who has not claimed
                # an imported record (they have no account to act with), or who has left the
                # caucus of a caucus session since.
                wanted = member.is_active and member.email and member.email_catch_up
                if not (
                    marked
                    and wanted
                    and member_has_claimed(member)
                    and caucus_allows(event=event, member=member)
                ):
                    continue
                survey = _session_survey(event, member)
                token, survey_link = (
                    invitation_link_for(survey=survey, member=member) if survey else ("", "")
                )
                if member_email_send(
                    member=member,
                    subject=f"After {event.title}: the summary and one thing to do",
                    template="members/email/after_session.txt",
                    context={"event": event, "survey": survey, "survey_link": survey_link},
                    category="catch_up",
                    key=f"after-session:{event.pk}:{member.pk}",
                ):
                    sent += 1
                elif token:
                    invitation_link_discard(token)
    return sent


@transaction.atomic
def check_in_record(*, member, stage: int, note: str = ""):
    if stage not in JourneyStage.values:
        raise ValidationError("Choose one of the stages.")
    return CheckIn.objects.create(member=member, stage=stage, note=note.strip())
