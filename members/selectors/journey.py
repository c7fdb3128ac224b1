"""Reads for "from learning to action": a member's actions, those shared as examples, and
their journey check-ins.

An action may name the session that prompted it, offered from the sessions the member may see
(`member_action_event_choices`): that read of events puts the journey among the areas above the
other apps."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from events.models import Attendance, Event

from ..models import Action, CheckIn, User

SUGGESTED_CHECK_IN_DAYS = 91  # about three months


@dataclass(frozen=True)
class MemberActions:
    to_do: list  # planned and in progress, soonest due first; each with `.is_overdue`
    finished: list  # done and dropped, most recently changed first


def member_actions(*, member: User, today=None) -> MemberActions:
    """A member's own actions, in one query, split into what is still to do and what is
    finished."""

    today = today or timezone.localdate()
    actions = (
        Action.objects.filter(member=member)
        .select_related("event")
        .order_by(F("due_on").asc(nulls_last=True), "-created_at", "-pk")
    )
    to_do, finished = [], []
    for action in actions:
        if action.status in (Action.Status.PLANNED, Action.Status.IN_PROGRESS):
            action.is_overdue = action.due_on is not None and action.due_on < today
            to_do.append(action)
        else:
            finished.append(action)
    finished.sort(key=lambda a: a.updated_at, reverse=True)
    return MemberActions(to_do=to_do, finished=finished)


@dataclass(frozen=True)
class ActionSummary:
    open_count: int
    next_due: object  # the open action due soonest, or None


def member_action_summary(*, member: User):
    """What the home page says about a member's actions: how many are open, and the next due."""

    open_actions = Action.objects.filter(
        member=member, status__in=[Action.Status.PLANNED, Action.Status.IN_PROGRESS]
    )
    next_due = (
        open_actions.filter(due_on__isnull=False).order_by("due_on", "-created_at", "-pk").first()
    )
    return ActionSummary(open_count=open_actions.count(), next_due=next_due)


def member_action_event_choices(*, member: User, keep_event_id=None):
    """The sessions a member can say prompted an action: published ones, newest first, with
    those the member came to listed first. Caucus sessions only for members of that caucus.

    `keep_event_id` stays on offer whatever its state, so an action whose session has since
    been cancelled or unpublished can still be edited."""

    offered = Q(status=Event.Status.PUBLISHED) & (
        Q(caucus__isnull=True) | Q(caucus__memberships__member=member)
    )
    if keep_event_id is not None:
        offered |= Q(pk=keep_event_id)
    return (
        Event.objects.filter(offered)
        .distinct()
        .annotate(attended=Exists(Attendance.objects.filter(event=OuterRef("pk"), member=member)))
        .order_by("-attended", "-starts_at", "-pk")
    )


def session_attended_get(*, slug: str, member: User):
    """The session `slug` if `member` was recorded there and may still see it (a caucus session
    only while they are in its caucus), else None: the only sessions the "record one action
    from today" link in the email after a session may tie an action to."""
    return (
        Event.objects.exclude(status=Event.Status.DRAFT)
        .filter(Q(caucus__isnull=True) | Q(caucus__memberships__member=member))
        .filter(slug=slug, attendances__member=member)
        .distinct()
        .first()
    )


def actions_shared():
    """Actions members chose to share as examples, with who shared them, newest change first.

    The session that prompted an action is left out on purpose: a caucus session would reveal
    the member's caucus, which is special category data."""

    return (
        Action.objects.filter(shared=True, member__is_active=True)
        .select_related("member")
        .order_by("-updated_at", "-pk")
    )


@dataclass(frozen=True)
class Journey:
    check_ins: list  # newest first
    last: object  # the newest check-in, or None
    check_in_due: bool  # no check-in yet, or the last is about three months old


def member_journey(*, member: User, today=None) -> Journey:
    """A member's own check-ins on the learning journey, in one query."""

    today = today or timezone.localdate()
    check_ins = list(CheckIn.objects.filter(member=member).order_by("-created_at", "-pk"))
    last = check_ins[0] if check_ins else None
    due = (
        last is None
        or (today - timezone.localdate(last.created_at)).days >= SUGGESTED_CHECK_IN_DAYS
    )
    return Journey(check_ins=check_ins, last=last, check_in_due=due)


def member_own_actions(*, member: User):
    """The member's own actions, each with its session: anyone else's answers 404 through this."""
    return Action.objects.filter(member=member).select_related("event")
