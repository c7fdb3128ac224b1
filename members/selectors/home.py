"""Reads for the visitor's home page (the next sessions, the CoP in a few figures, recent public
resources); for a member's home page: the steps of joining still to take, and what is coming up
for them across the portal (their sessions, surveys waiting, actions); and for the Organise
page, what waits for an organiser across the portal. Both span every app, so this sits with
the areas above the other apps."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cop_portal.background.selectors import failed_tasks_count
from cop_portal.mail.selectors import failed_count
from cop_portal.web import disclosure
from events import selectors as events_selectors
from resources import selectors as resources_selectors
from surveys import selectors as surveys_selectors

from ..models import User
from .accounts import unclaimed_members
from .imports import imported_members_waiting
from .journey import ActionSummary, member_action_summary
from .onboarding import GroundRulesStatus, NextStep, member_next_steps

UPCOMING_SHOWN = 3
SURVEYS_SHOWN = 5


# What a member's home page shows is kept for them (members.caching.member_page_kept) under
# their own generation (their name, profile, actions: the services that change them move it on)
# and these: their sessions' titles, times and cancellations, their places, and surveys; and
# under their caucus's (home_kept_under), as caucus sessions show only while they are in it.
HOME_KEPT_UNDER = (
    events_selectors.SESSIONS_GENERATION_KEY,
    events_selectors.PLACES_GENERATION_KEY,
    surveys_selectors.SURVEYS_GENERATION_KEY,
)


def home_kept_under(member_pk: int) -> tuple[str, ...]:
    return (*HOME_KEPT_UNDER, events_selectors.caucus_generation_key(member_pk))


@dataclass(frozen=True)
class HomePage:
    steps: list[NextStep]
    upcoming: list  # the member's next sessions, soonest first
    surveys: list  # surveys waiting for their answer
    action_summary: ActionSummary
    # When time alone changes the page: a session shown ends, a survey shown closes, or one
    # waiting for them opens. None: not before something else changes.
    valid_until: datetime | None

    @property
    def steps_done(self) -> bool:
        return all(step.done for step in self.steps)


def home_page(*, member: User, ground_rules: GroundRulesStatus, now=None) -> HomePage:
    now = now or timezone.now()
    upcoming = list(events_selectors.member_upcoming(member=member, now=now)[:UPCOMING_SHOWN])
    surveys = list(surveys_selectors.surveys_waiting(member=member, now=now)[:SURVEYS_SHOWN])
    opening = surveys_selectors.survey_opening_next(member=member, now=now)
    changes = [r.event.ends_at for r in upcoming] + [s.closes_at for s in surveys]
    return HomePage(
        steps=member_next_steps(user=member, ground_rules=ground_rules),
        upcoming=upcoming,
        surveys=surveys,
        action_summary=member_action_summary(member=member),
        valid_until=min([*changes, opening] if opening else changes, default=None),
    )


# The visitor's home page ---------------------------------------------------------------------

VISITOR_SESSIONS_SHOWN = 4
VISITOR_RESOURCES_SHOWN = 4
# Public figures are rounded down to these steps and read "over N": an exact count on a public
# page, watched from day to day, would tell anyone when a member joined or left.
MEMBERS_STEP = 10
ORGANISATIONS_STEP = 5
SESSIONS_STEP = 5


def _over(count: int, step: int) -> int | None:
    """The round number a public page may say the count is over, or None when there is too
    little to say: a count under the small-numbers threshold (the disclosure layer's), or one
    no higher than the first step."""
    shown = disclosure.count_shown(count, settings.SURVEY_SUPPRESSION_THRESHOLD)
    if not shown:
        return None
    over = (shown - 1) // step * step
    return over or None


@dataclass(frozen=True)
class Figures:
    """The CoP in a few figures, each "over N" (None: not shown)."""

    members: int | None
    organisations: int | None
    sessions: int | None  # sessions held; caucus sessions are not counted

    @property
    def any(self) -> bool:
        return any(f is not None for f in (self.members, self.organisations, self.sessions))


@dataclass(frozen=True)
class VisitorHomePage:
    sessions: list  # events.selectors.VisitorSession, soonest first
    figures: Figures
    resources: list  # public resources, newest first


def visitor_figures(*, now=None) -> Figures:
    """How many members, organisations with members, and sessions held (caucus sessions left
    out: their number would say how often a caucus meets)."""
    now = now or timezone.now()
    members = User.objects.filter(is_active=True)  # whom the dashboard counts as members
    organisations = members.filter(organisation__isnull=False).values("organisation").distinct()
    held = events_selectors.past_events(now=now).filter(caucus__isnull=True).count()
    return Figures(
        members=_over(members.count(), MEMBERS_STEP),
        organisations=_over(organisations.count(), ORGANISATIONS_STEP),
        sessions=_over(held, SESSIONS_STEP),
    )


def visitor_home_page(*, now=None) -> VisitorHomePage:
    resources = (
        resources_selectors.resources_visible_to(AnonymousUser())
        .defer("transcript", "search_vector")
        .order_by("-published_on", "-pk")[:VISITOR_RESOURCES_SHOWN]
    )
    return VisitorHomePage(
        sessions=events_selectors.visitor_next_sessions(limit=VISITOR_SESSIONS_SHOWN, now=now),
        figures=visitor_figures(now=now),
        resources=list(resources),
    )


# The Organise page: what waits for this organiser --------------------------------------------

SESSIONS_NAMED = 5  # sessions named one by one under a count; the rest are on the linked page


@dataclass(frozen=True)
class Waiting:
    """One kind of task waiting for an organiser: how many, where to deal with them all, and
    for sessions each one with a link straight to it."""

    label: str
    count: int
    url: str
    sessions: tuple = ()  # (session, its url) for the first few


# The permissions organiser_waiting looks for: a member holding any of them may have something
# waiting, so they get its daily email and the choice to turn it off.
WAITING_PERMISSIONS = (
    "mail.view_outgoingemail",
    "background.view_background_work",
    "events.manage_attendance",
    "events.publish_summary",
    "resources.moderate_casestudy",
    "events.triage_suggestion",
    "members.add_organisation",
)


def may_have_waiting(user) -> bool:
    """Whether `user` holds a permission that organiser_waiting looks for."""
    return any(user.has_perm(permission) for permission in WAITING_PERMISSIONS)


def organisers_waited_for():
    """Active members holding, in a group or of their own, a permission that organiser_waiting
    looks for, who have claimed their account and not turned its email off."""
    held = Q()
    for permission in WAITING_PERMISSIONS:
        app_label, codename = permission.split(".")
        held |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(held)
    return (
        User.objects.filter(is_active=True, erased_at__isnull=True, email_organiser_waiting=True)
        .exclude(email="")
        .exclude(unclaimed_members())
        .filter(
            Q(is_superuser=True)
            | Q(pk__in=User.objects.filter(groups__permissions__in=permissions).values("pk"))
            | Q(pk__in=User.objects.filter(user_permissions__in=permissions).values("pk"))
        )
        .order_by("pk")
    )


def organiser_waiting(*, user) -> list[Waiting]:
    """What waits for `user`, of the tasks their permissions let them do, in the order they
    most need doing; kinds with nothing waiting are left out."""
    found = []
    may_see_caucus = user.has_perm(events_selectors.CAUCUS_CHOICE_PERMISSION)

    def sessions(queryset, url_name: str, label: str, *, all_url: str):
        events = list(queryset[: SESSIONS_NAMED + 1])
        if events:
            count = queryset.count() if len(events) > SESSIONS_NAMED else len(events)
            named = tuple((e, reverse(url_name, args=[e.pk])) for e in events[:SESSIONS_NAMED])
            found.append(Waiting(label, count, reverse(all_url), named))

    if user.has_perm("mail.view_outgoingemail") and (failed := failed_count()):
        found.append(Waiting("Emails that could not be sent", failed, reverse("outgoing_email")))
    if user.has_perm("background.view_background_work") and (failed := failed_tasks_count()):
        found.append(Waiting("Background tasks that failed", failed, reverse("members:background")))
    if user.has_perm("events.manage_attendance"):
        sessions(
            events_selectors.registers_to_take(may_see_caucus=may_see_caucus),
            "events:event_attendance",
            "Registers to take",
            all_url="events:organise_programme",
        )
    if user.has_perm("events.publish_summary"):
        sessions(
            events_selectors.summaries_to_publish(may_see_caucus=may_see_caucus),
            "events:event_summary",
            "Summaries to publish",
            all_url="events:organise_programme",
        )
    if user.has_perm("resources.moderate_casestudy") and (
        waiting := resources_selectors.case_studies_waiting_count()
    ):
        found.append(Waiting("Case studies to review", waiting, reverse("resources:moderation")))
    if user.has_perm("resources.moderate_conversation") and (
        waiting := resources_selectors.concerns_waiting_count()
    ):
        found.append(Waiting("Concerns raised about posts", waiting, reverse("resources:concerns")))
    if user.has_perm("events.triage_suggestion") and (
        waiting := events_selectors.suggestions_new_count()
    ):
        found.append(
            Waiting(
                "Members’ suggestions to consider", waiting, reverse("events:suggestions_triage")
            )
        )
    if user.has_perm("members.add_organisation") and (
        waiting := imported_members_waiting().count()
    ):
        found.append(
            Waiting(
                "Imported members who have not joined", waiting, reverse("members:imported_members")
            )
        )
    return found
