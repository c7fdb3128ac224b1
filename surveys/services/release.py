"""Releasing anonymous answers: writing sealed answers as responses, shuffled in batches of at
least k while a survey is open and all together once it has closed (surveys.sealing says why)."""

import secrets
import uuid

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..caching import results_changed
from ..models import Answer, Response, SealedResponse, Survey
from ..sealing import Coarsener, seal, unseal
from ..selectors.results import results_prepared_inline


def release_due(*, survey: Survey, now=None) -> bool:
    """Whether `responses_release` has anything to do for this survey: enough sealed answers
    to release, or a closed survey whose answers are not yet sealed in their final order."""
    if not survey.is_anonymous:
        return False
    now = now or timezone.now()
    if survey.closes_at <= now:
        return survey.answers_sealed_at is None or survey.sealed_responses.exists()
    return survey.sealed_responses.count() >= settings.SURVEY_SUPPRESSION_THRESHOLD


def _respondent_groups(survey: Survey) -> Coarsener:
    """The groups of everyone who has answered the survey (released or still sealed), as
    their profiles are now."""
    population = survey.invitations.filter(responded=True).values_list(
        "member__sector", "member__seniority", "member__organisation_id"
    )
    return Coarsener(population, k=settings.SURVEY_SUPPRESSION_THRESHOLD)


@transaction.atomic
def responses_release(*, survey: Survey, now=None) -> int:
    """Write waiting anonymous answers as responses, in a transaction of their own, in an order
    nobody can predict. Returns how many responses were written (0 when nothing was due).

    While the survey is open, answers wait until there are at least k of them
    (k = SURVEY_SUPPRESSION_THRESHOLD), so results move by k or more at a time and never by one
    person's answer. Once it has closed, everything waiting is released, and every anonymous
    response released earlier is rewritten with it (new keys, shuffled together), so that all
    of the survey's anonymous rows end up in one transaction in a random physical order; the
    survey's `answers_sealed_at` records that. They all get the day of that final release
    too: days of earlier releases would split the responses into batches, and anyone who can
    tell who answered in which batch could pick people out within one. Each response's groups
    are coarsened against the people who have answered (surveys.sealing.Coarsener); at the
    final release, those released earlier are coarsened again against everyone who answered.

    The survey row is locked first, so two releases of one survey run one after the other and
    the second finds nothing left to do."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not release_due(survey=survey, now=now):
        return 0
    closed = survey.closes_at <= now
    sealed = list(survey.sealed_responses.all())
    coarsen = _respondent_groups(survey)
    # (groups, answer rows) for each response to write.
    batch = []
    for row in sealed:
        payload = unseal(row.payload)
        batch.append((coarsen(tuple(payload["groups"])), payload["answers"]))
    if closed:
        earlier = survey.responses.filter(member__isnull=True).prefetch_related("answers")
        for response in earlier:
            groups = (response.sector, response.seniority, response.organisation_id)
            rows = [(a.question_id, a.value, a.choice_id, a.text) for a in response.answers.all()]
            batch.append((coarsen.widen(groups), rows))
        earlier.delete()
    secrets.SystemRandom().shuffle(batch)
    responses = Response.objects.bulk_create(
        Response(
            id=uuid.uuid4(),
            survey=survey,
            member=None,
            submitted_on=timezone.localdate(now),
            sector=sector,
            seniority=seniority,
            organisation_id=organisation,
        )
        for (sector, seniority, organisation), _ in batch
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=q, value=v, choice_id=c, text=t)
        for response, (_, rows) in zip(responses, batch, strict=True)
        for q, v, c, t in rows
    )
    SealedResponse.objects.filter(pk__in=[row.pk for row in sealed]).delete()
    if closed:
        survey.answers_sealed_at = now
        survey.save(update_fields=["answers_sealed_at"])
    results_changed(survey.pk)
    if closed:
        transaction.on_commit(lambda: _final_results_prepare(survey))
    return len(batch)


def _final_results_prepare(survey: Survey) -> None:
    """A large survey's final results are prepared as soon as its answers are, rather than
    when someone first opens them (surveys.services.results)."""
    from .results import results_prepare_soon  # results reads through this module

    if not results_prepared_inline(survey=survey, see_everything=False):
        results_prepare_soon(survey=survey, see_everything=False)


def responses_release_final(*, survey: Survey) -> None:
    """A closed survey's final release of anonymous answers, if it has not happened yet, in a
    transaction of its own: results are final even where no scheduler runs
    `release_survey_answers`. While the survey is open, releases happen as answers arrive."""
    if survey.closes_at <= timezone.now() and release_due(survey=survey):
        responses_release(survey=survey)
        survey.refresh_from_db(fields=["answers_sealed_at"])


def releases_run(*, now=None) -> int:
    """Release answers for every survey that has some due; for the survey-releases schedule.
    Each survey is released in its own transaction. Returns how many responses were written."""
    now = now or timezone.now()
    candidates = (
        Survey.objects.filter(is_anonymous=True)
        .filter(
            Q(sealed_responses__isnull=False)
            | Q(closes_at__lte=now, answers_sealed_at__isnull=True)
        )
        .distinct()
        .order_by("pk")
    )
    return sum(responses_release(survey=survey, now=now) for survey in candidates)


@transaction.atomic
def sealed_responses_regroup(*, organisation_ids: list[int], into: int) -> int:
    """Answers still sealed that were given by members of `organisation_ids` now count as given
    from organisation `into` (when organisations are merged), re-sealed in place. Returns how
    many were changed. Waiting answers are few: they are released once k are waiting."""
    changed = 0
    merged = set(organisation_ids)
    for row in SealedResponse.objects.select_for_update().order_by("pk"):
        try:
            payload = unseal(row.payload)
        except InvalidToken:
            continue  # sealed under a key the server no longer holds: nothing can read it
        sector, seniority, organisation = payload["groups"]
        if organisation in merged:
            payload["groups"] = [sector, seniority, into]
            row.payload = seal(payload)
            row.save(update_fields=["payload"])
            results_changed(row.survey_id)
            changed += 1
    return changed
