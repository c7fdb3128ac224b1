"""Reads for surveys: what waits for a member, response rates, and results computed in the
database in a fixed number of queries however many people answered."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import Lower, RowNumber
from django.utils import timezone

from members.models import Organisation, Sector, Seniority

from .disclosure import suppress, unsuppressed
from .models import Answer, Invitation, Question, Response, Survey


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


def surveys_with_rates():
    """Every survey with invited and responded counts, for the organisers' list."""
    return Survey.objects.select_related("event", "caucus").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
    )


def audience_from_caucus(survey: Survey) -> bool:
    """A caucus survey, or a survey after a caucus session: the people invited are a caucus,
    or those of its members at the session, so their number is special category data."""
    return survey.kind == Survey.Kind.CAUCUS or (
        survey.event_id is not None and survey.event.caucus_id is not None
    )


def response_rate(responded: int, invited: int) -> float | None:
    """Responses as a share of people invited, or None before anyone is invited."""
    return round(responded / invited, 4) if invited else None


# Results -------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    # [(label, count)] in the question's own order: scale points or choices.
    distribution: list = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    nps: int | None = None
    texts: list = field(default_factory=list)
    text_count: int = 0

    @property
    def max_count(self):
        return max((n for _, n in self.distribution), default=0)


@dataclass
class Results:
    survey: Survey
    responses: int
    invited: int
    questions: list
    # Anonymous answers sealed until there are enough to release together.
    waiting: int = 0

    @property
    def rate(self):
        return response_rate(self.responses, self.invited)


TEXT_ANSWERS_SHOWN = 200


def results(*, survey: Survey) -> Results:
    """Counts, scale statistics, net promoter score and free text for every question.

    Only released answers count: an anonymous answer still sealed is counted as waiting and
    nothing more. Free text is listed in the order of the texts themselves, the same rule
    for every question, so one person's answers do not line up across questions.

    A fixed number of queries, whatever the number of responses: the aggregation is done by
    the database."""
    questions = questions_of(survey=survey)
    by_id = {q.pk: QuestionResult(q) for q in questions}
    responses = survey.responses.count()
    invited = survey.invitations.count()
    waiting = survey.sealed_responses.count() if survey.is_anonymous else 0
    answers = Answer.objects.filter(question__survey=survey)
    scale_counts = {}
    for question_id, value, n in (
        answers.filter(value__isnull=False)
        .values_list("question_id", "value")
        .annotate(n=Count("pk"))
    ):
        scale_counts[(question_id, value)] = n
    choice_counts = {
        (question_id, choice_id): n
        for question_id, choice_id, n in answers.filter(choice__isnull=False)
        .values_list("question_id", "choice_id")
        .annotate(n=Count("pk"))
    }
    # People who answered each question: a person who ticked three options counts once.
    answered = dict(
        answers.values_list("question_id").annotate(people=Count("response_id", distinct=True))
    )
    texts = {}
    text_rows = (
        answers.exclude(text="")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("question_id"),
                order_by=[Lower("text"), F("text"), F("pk")],
            )
        )
        .filter(rank__lte=TEXT_ANSWERS_SHOWN)
        .values_list("question_id", "text")
        .order_by("question_id", "rank")
    )
    for question_id, text in text_rows:
        texts.setdefault(question_id, []).append(text)
    for result in by_id.values():
        q = result.question
        if q.kind in Question.SCALE_KINDS:
            result.distribution = [
                (Question.AGREEMENT_LABELS.get(v, str(v)) if q.kind == "agreement" else str(v),
                 scale_counts.get((q.pk, v), 0))
                for v in q.scale
            ]  # fmt: skip
            values = {v: scale_counts.get((q.pk, v), 0) for v in q.scale}
            result.answered = answered.get(q.pk, 0)
            total = sum(values.values())
            if total:
                result.mean = round(sum(v * n for v, n in values.items()) / total, 2)
                result.median = median_from_counts(values)
            if q.kind == Question.Kind.NPS and total:
                promoters = sum(values[v] for v in (9, 10))
                detractors = sum(values[v] for v in range(7))
                result.nps = round(100 * (promoters - detractors) / total)
        elif q.kind in Question.CHOICE_KINDS:
            result.distribution = [
                (c.text, choice_counts.get((q.pk, c.pk), 0)) for c in q.choices.all()
            ]
            result.answered = answered.get(q.pk, 0)
        else:
            result.texts = texts.get(q.pk, [])
            result.answered = result.text_count = answered.get(q.pk, 0)
    return Results(survey, responses, invited, [by_id[q.pk] for q in questions], waiting)


def median_from_counts(values: dict[int, int]) -> float | None:
    """The median of a distribution given as {value: count}, without expanding it."""
    total = sum(values.values())
    if not total:
        return None

    def at(position):
        running = 0
        for value, n in sorted(values.items()):
            running += n
            if running > position:
                return value
        raise AssertionError("unreachable")

    return (at((total - 1) // 2) + at(total // 2)) / 2


BREAKDOWNS = {"sector": "Sector", "organisation": "Organisation", "seniority": "Seniority"}


def breakdown(*, question: Question, by: str, see_everything: bool):
    """Answers to one question by sector, organisation or seniority, with small counts hidden
    (unless the viewer has the dedicated permission). One query for the counts, one for the
    group names."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    answers = Answer.objects.filter(question=question)
    if question.kind in Question.SCALE_KINDS:
        column_of = "value"
        columns = [str(v) for v in question.scale]
    elif question.kind in Question.CHOICE_KINDS:
        column_of = "choice_id"
        choices = list(question.choices.all())
        columns = [c.text for c in choices]
        choice_names = {c.pk: c.text for c in choices}
    else:
        raise ValueError("Free-text answers are not broken down.")
    group_field = {"sector": "response__sector", "organisation": "response__organisation_id",
                   "seniority": "response__seniority"}[by]  # fmt: skip
    counts = {}
    group_ids = set()
    for group, column, n in answers.values_list(group_field, column_of).annotate(n=Count("pk")):
        group_ids.add(group)
        column = choice_names.get(column) if column_of == "choice_id" else str(column)
        counts[(group, column)] = n
    names = _group_names(by, group_ids)
    rows = sorted(group_ids, key=lambda g: (g in (None, ""), names[g].casefold()))
    named = {(names[g], c): n for (g, c), n in counts.items()}
    row_names = [names[g] for g in rows]
    if see_everything:
        return unsuppressed(named, row_names, columns)
    return suppress(named, row_names, columns, threshold=settings.SURVEY_SUPPRESSION_THRESHOLD)


def _group_names(by, ids):
    # Blank covers both "not given" and "pooled so that nobody can be picked out".
    not_stated = "Not stated"
    if by in ("sector", "seniority"):
        labels = dict(Sector.choices if by == "sector" else Seniority.choices)
        return {g: labels.get(g, not_stated) if g else not_stated for g in ids}
    known = dict(
        Organisation.objects.filter(pk__in=[g for g in ids if g]).values_list("pk", "name")
    )
    return {g: known.get(g, not_stated) for g in ids}


def responses_by_day(*, survey):
    """Responses per day, for the response rate over time."""
    return list(
        Response.objects.filter(survey=survey)
        .values_list("submitted_on")
        .annotate(n=Count("pk"))
        .order_by("submitted_on")
    )


# A closed survey takes no more answers, so its results are worked out once and kept.
CLOSED_RESULTS_TIMEOUT = 60 * 60 * 24


def _closed_results_key(survey) -> str:
    # The sealing time is in the key: results cached before the final release of anonymous
    # answers can never be served after it.
    sealed = survey.answers_sealed_at.timestamp() if survey.answers_sealed_at else "unsealed"
    return f"surveys:closed-results:{survey.pk}:{survey.closes_at.timestamp()}:{sealed}"


def results_with_days(*, survey) -> tuple[Results, list]:
    """`results` and `responses_by_day` together: from the cache once the survey has closed
    (reopening it changes the closing time, and the final release its sealing time, and so
    the key); fresh while it is open."""
    if survey.closes_at > timezone.now():
        return results(survey=survey), responses_by_day(survey=survey)
    key = _closed_results_key(survey)
    found = cache.get(key)
    if found is None:
        found = (results(survey=survey), responses_by_day(survey=survey))
        cache.set(key, found, CLOSED_RESULTS_TIMEOUT)
    return found
