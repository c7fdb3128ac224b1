"""Writes for "from learning to action": members' actions, their reminders, and journey
check-ins."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting

from ..models import Action, ActionUpdate, CheckIn, JourneyStage
from .emails import member_email_send


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
    return action


def action_delete(*, action, member) -> None:
    if action.member_id != member.pk:
        raise PermissionDenied("Members delete only their own actions.")
    action.delete()


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


@transaction.atomic
def check_in_record(*, member, stage: int, note: str = ""):
    if stage not in JourneyStage.values:
        raise ValidationError("Choose one of the stages.")
    return CheckIn.objects.create(member=member, stage=stage, note=note.strip())
