"""Reads for members answering surveys: what waits for them, a survey as they see it, its
questions and how long they take."""

import math

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..models import Invitation, Survey

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


def questions_of(*, survey):
    return list(survey.questions.prefetch_related("choices").order_by("order", "pk"))


def minutes_to_answer(questions) -> int:
    seconds = sum(SECONDS_PER_QUESTION[q.kind] for q in questions)
    return max(1, math.ceil(seconds / 60))
