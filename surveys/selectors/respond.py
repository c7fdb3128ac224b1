"""Reads for members answering surveys: what waits for them, a survey as they see it, its
questions and how long they take."""

import math

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..links import token_hash
from ..models import Invitation, InvitationLink, Survey

# Rough seconds to answer each kind of question, for "takes about N minutes".
SECONDS_PER_QUESTION = {"agreement": 10, "nps": 10, "single": 12, "multiple": 18, "text": 60}


def surveys_waiting(*, member, now=None):
    """Open surveys this member was invited to and has not answered, closing soonest first."""
    now = now or timezone.now()
    return Survey.objects.filter(
        status=Survey.Status.PUBLISHED,
        opens_at__lte=now,
        closes_at__gt=now,
        invitations__member=member,
        invitations__responded=False,
    ).order_by("closes_at")


def survey_opening_next(*, member, now=None):
    """When the next survey this member was invited to and has not answered opens, if one
    published is still to open: their home page lists it from then."""
    now = now or timezone.now()
    return (
        Survey.objects.filter(
            status=Survey.Status.PUBLISHED,
            opens_at__gt=now,
            invitations__member=member,
            invitations__responded=False,
        )
        .order_by("opens_at")
        .values_list("opens_at", flat=True)
        .first()
    )


def survey_for_member(*, slug: str, member):
    """A published survey with whether this member is invited and has answered."""
    return (
        Survey.objects.filter(slug=slug, status=Survey.Status.PUBLISHED)
        .annotate(
            invited=Exists(Invitation.objects.filter(survey=OuterRef("pk"), member=member)),
            answered=Exists(
                Invitation.objects.filter(survey=OuterRef("pk"), member=member, responded=True)
            ),
        )
        .select_related("event", "caucus")
        .first()
    )


def _links_usable(now):
    """Links that still open their survey: not expired, for an invitation not yet answered,
    to a published survey that has not closed, of a member whose account is active."""
    return InvitationLink.objects.filter(
        expires_at__gt=now,
        invitation__responded=False,
        invitation__member__is_active=True,
        invitation__survey__status=Survey.Status.PUBLISHED,
        invitation__survey__closes_at__gt=now,
    ).select_related(
        "invitation__member", "invitation__survey__event", "invitation__survey__caucus"
    )


def invitation_link_for_token(token: str, *, now=None) -> InvitationLink | None:
    """The usable link a token from an email stands for, found by its hash alone; None for a
    token that was never issued, has expired, or whose invitation has been answered."""
    hashed = token_hash(token)
    if hashed is None:
        return None
    return _links_usable(now or timezone.now()).filter(token_hash=hashed).first()


def invitation_link_by_pk(pk, *, now=None) -> InvitationLink | None:
    """The usable link a visitor's session holds (after they followed it), checked again on
    every request: it may have expired, or been used in another window, since."""
    if not isinstance(pk, int):
        return None
    return _links_usable(now or timezone.now()).filter(pk=pk).first()


def survey_answered_by_link(survey_id) -> Survey | None:
    """The survey named by the thanks cookie after answering through a link (signed by the
    portal, so it is one the visitor has just answered), for its title and whether it is
    anonymous."""
    if not isinstance(survey_id, int):
        return None
    return Survey.objects.filter(pk=survey_id, status=Survey.Status.PUBLISHED).first()


def questions_of(*, survey):
    return list(survey.questions.prefetch_related("choices").order_by("order", "pk"))


def minutes_to_answer(questions) -> int:
    seconds = sum(SECONDS_PER_QUESTION[q.kind] for q in questions)
    return max(1, math.ceil(seconds / 60))
