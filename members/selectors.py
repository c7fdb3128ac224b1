"""Reads for the members app: the queries its pages need."""

import logging
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from events.models import Attendance, Event

from .models import Action, CheckIn, ContentPage, GlossaryTerm, GroundRules, Organisation, User

logger = logging.getLogger(__name__)


def ground_rules_current() -> GroundRules | None:
    return GroundRules.objects.filter(published_at__isnull=False).order_by("-version").first()


@dataclass(frozen=True)
class GroundRulesStatus:
    current_version: int | None
    agreed_version: int | None

    @property
    def needs_agreement(self) -> bool:
        return self.current_version is not None and self.agreed_version != self.current_version

    @property
    def is_reagreement(self) -> bool:
        return self.needs_agreement and self.agreed_version is not None


def ground_rules_status(*, user: User) -> GroundRulesStatus:
    """The current version and the newest one `user` agreed to, in one query."""
    figures = GroundRules.objects.filter(published_at__isnull=False).aggregate(
        current=Max("version"),
        agreed=Max("version", filter=Q(agreements__member=user)),
    )
    return GroundRulesStatus(current_version=figures["current"], agreed_version=figures["agreed"])


@dataclass(frozen=True)
class NextStep:
    title: str
    done: bool
    url_name: str


def member_next_steps(*, user: User, ground_rules: GroundRulesStatus) -> list[NextStep]:
    """The joining checklist shown on a member's home page."""
    return [
        NextStep("Verify your email address", True, "account_email"),
        NextStep(
            "Complete your profile", user.profile_completed_at is not None, "members:profile_edit"
        ),
        NextStep(
            "Read the introduction", user.introduction_read_at is not None, "members:introduction"
        ),
        NextStep(
            "Agree to the ground rules", not ground_rules.needs_agreement, "members:ground_rules"
        ),
    ]


def content_page_get(*, slug: str) -> ContentPage | None:
    return ContentPage.objects.filter(slug=slug).first()


def glossary_by_letter(*, query: str = "") -> list[tuple[str, list[GlossaryTerm]]]:
    terms = GlossaryTerm.objects.all()
    if query:
        terms = terms.filter(Q(term__icontains=query) | Q(definition__icontains=query))
    # Sort on the letter itself: terms filed under "#" (a digit, a pasted curly quote) can sort
    # apart in the database's collation, and each letter must form one section.
    ordered = sorted(terms, key=lambda t: (t.letter, t.term.casefold()))
    return [(letter, list(group)) for letter, group in groupby(ordered, key=lambda t: t.letter)]


def member_directory(*, organisation=None, sector: str = "", interest=None):
    """Members who chose to be listed, with what their directory cards show."""
    members = (
        User.objects.filter(is_active=True, listed_in_directory=True)
        .select_related("organisation")
        .prefetch_related("interests")
    )
    if organisation is not None:
        members = members.filter(organisation=organisation)
    if sector:
        members = members.filter(sector=sector)
    if interest is not None:
        members = members.filter(interests=interest)
    return members


def organisations_with_counts():
    # A GROUP BY drops Meta.ordering, so the order is stated here.
    return Organisation.objects.annotate(member_count=Count("members")).order_by(Lower("name"))


def ground_rules_versions():
    return (
        GroundRules.objects.select_related("published_by")
        .annotate(agreement_count=Count("agreements"))
        .order_by("-version")
    )


# Learning to action.

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


def unclaimed_members() -> Q:
    """Members imported from a spreadsheet who have not claimed their record: no password they
    set, and no sign-in that gave the portal their address (members.emails.member_has_claimed
    asks the same of one member)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    return Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & ~Exists(
        EmailAddress.objects.filter(user=OuterRef("pk"))
    )


def imported_members_waiting():
    """Members imported who have not claimed their record yet, newest first."""
    return (
        User.objects.filter(unclaimed_members(), is_active=True)
        .select_related("organisation")
        .order_by("-date_joined", "pk")
    )
