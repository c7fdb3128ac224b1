"""Reads for survey results: counts, scale statistics and free text worked out in the database
in a fixed number of queries however many people answered, and the breakdowns by group, all
protected together (cop_portal.web.disclosure) for whoever is looking."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import Lower, RowNumber

from cop_portal.web.disclosure import Disclosed, Grouping, disclose, too_few_note, unsuppressed
from members.models import Organisation, Sector, Seniority

from ..caching import KeptResults, results_kept
from ..models import Answer, Question, Response, SealedResponse, Survey
from .organise import audience_from_caucus
from .respond import questions_of


def response_rate(responded: int, invited: int) -> float | None:
    """Responses as a share of people invited, or None before anyone is invited."""
    return round(responded / invited, 4) if invited else None


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
    # Filled in by `disclosed_results`: tables by grouping key, counts of promoters and
    # detractors, and why figures are withheld.
    tables: dict = field(default_factory=dict)
    promoters: int | None = None
    detractors: int | None = None
    notes: list = field(default_factory=list)
    withheld: bool = False

    @property
    def max_count(self):
        return max((n for _, n in self.distribution if n is not None), default=0)


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


def survey_results(*, survey: Survey) -> Results:
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


# Breakdowns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A grouping answers can be broken down by: the response field it reads (copied from the
    member when they answered) and how its values are named. Adding one is one line below."""

    key: str
    label: str
    field: str
    names: Callable[[set], dict]
    # Whether anyone who can read the member directory knows it of every member: then they
    # may know how many in each such group responded, and the audit assumes they do.
    in_directory: bool = True


def _sector_names(ids):
    labels = dict(Sector.choices)
    return {g: labels.get(g, NOT_STATED) if g else NOT_STATED for g in ids}


def _organisation_names(ids):
    known = dict(
        Organisation.objects.filter(pk__in=[g for g in ids if g]).values_list("pk", "name")
    )
    return {g: known.get(g, NOT_STATED) for g in ids}


def _seniority_names(ids):
    labels = dict(Seniority.choices)
    return {g: labels.get(g, NOT_STATED) if g else NOT_STATED for g in ids}


# A blank group is "not given", or pooled when answers were released so that the combination
# kept is shared by at least k people who answered (surveys.sealing).
NOT_STATED = "Not stated, or pooled"
# Every grouping is protected together with the others, so that setting one table beside
# another narrows nothing (an organisation sits inside a sector).
DIMENSIONS = (
    Dimension("sector", "Sector", "sector", _sector_names),
    Dimension("organisation", "Organisation", "organisation_id", _organisation_names),
    Dimension("seniority", "Seniority", "seniority", _seniority_names),
)
BREAKDOWNS = {d.key: d.label for d in DIMENSIONS}
PROMOTERS, DETRACTORS = ["9", "10"], [str(v) for v in range(7)]


def breakdown_columns(question) -> list[str]:
    """A question's columns in breakdown tables: scale points, or choices' texts (a repeated
    text numbered, so that two choices never share a column)."""
    if question.kind in Question.SCALE_KINDS:
        return [str(v) for v in question.scale]
    columns = []
    for c in question.choices.all():
        text, n = c.text, 1
        while text in columns:
            n += 1
            text = f"{c.text} ({n})"
        columns.append(text)
    return columns


def _column_keys(question) -> dict:
    """Answer value or choice id -> column name."""
    columns = breakdown_columns(question)
    if question.kind in Question.SCALE_KINDS:
        return dict(zip(question.scale, columns, strict=True))
    return {c.pk: name for c, name in zip(question.choices.all(), columns, strict=True)}


def disclosed_figures(*, questions, see_everything: bool) -> dict:
    """For each question that can be broken down: its `Disclosed` figures (overall split,
    promoters and detractors, one table per dimension), protected together, or everything for
    someone allowed to see unsuppressed results. Five queries, however many questions (all of
    one survey)."""
    questions = [q for q in questions if q.kind in (*Question.SCALE_KINDS, *Question.CHOICE_KINDS)]
    if not questions:
        return {}
    fields = [f"response__{d.field}" for d in DIMENSIONS]
    answers = Answer.objects.filter(question__in=questions)
    people, ticks = {}, {}
    for question_id, *combo, n in answers.values_list("question_id", *fields).annotate(
        n=Count("response_id", distinct=True)
    ):
        people.setdefault(question_id, {})[tuple(combo)] = n
    for question_id, *combo, value, choice_id, n in (
        answers.exclude(value__isnull=True, choice__isnull=True)
        .values_list("question_id", *fields, "value", "choice_id")
        .annotate(n=Count("pk"))
    ):
        ticks.setdefault(question_id, []).append((tuple(combo), value, choice_id, n))
    ids = [set() for _ in DIMENSIONS]
    for found in people.values():
        for combo in found:
            for d, value in enumerate(combo):
                ids[d].add(value)
    names = [d.names(found) for d, found in zip(DIMENSIONS, ids, strict=True)]
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    public = [d for d, dimension in enumerate(DIMENSIONS) if dimension.in_directory]

    def known_of(combo):
        return tuple(combo[d] for d in public)

    known_people = {}
    if not see_everything:
        public_fields = [DIMENSIONS[d].field for d in public]
        for *key, n in (
            Response.objects.filter(survey_id=questions[0].survey_id)
            .values_list(*public_fields)
            .annotate(n=Count("pk"))
        ):
            known_people[tuple(key)] = n
    figures = {}
    for q in questions:
        keys = _column_keys(q)
        columns = list(keys.values())
        counts = {}
        for combo, value, choice_id, n in ticks.get(q.pk, []):
            column = keys.get(value if q.kind in Question.SCALE_KINDS else choice_id)
            if column is not None:
                counts[(combo, column)] = counts.get((combo, column), 0) + n
        mine = people.get(q.pk, {})
        groupings = []
        for d, dimension in enumerate(DIMENSIONS):
            group_of = {combo: names[d][combo[d]] for combo in mine}
            order = sorted(
                {(combo[d] in (None, ""), name) for combo, name in group_of.items()},
                key=lambda pair: (pair[0], pair[1].casefold()),
            )
            order = list(dict.fromkeys(name for _, name in order))
            groupings.append(Grouping(dimension.key, group_of, order))
        if see_everything:
            figures[q.pk] = _everything(columns, mine, counts, groupings)
            continue
        figures[q.pk] = disclose(
            columns=columns,
            people=mine,
            ticks=counts,
            groupings=groupings,
            threshold=threshold,
            several=q.kind == Question.Kind.MULTIPLE,
            subtotals={"promoters": PROMOTERS, "detractors": DETRACTORS}
            if q.kind == Question.Kind.NPS
            else None,
            weights=_scale_weights(q, keys),
            known_people=known_people,
            known_of=known_of,
        )
    return figures


def _scale_weights(question, keys) -> dict[str, int] | None:
    """A scale question's points by column, for its mean (None for choice questions)."""
    if question.kind not in Question.SCALE_KINDS:
        return None
    return {column: value for value, column in keys.items()}


def _everything(columns, people, counts, groupings):
    overall = {c: sum(n for (_, column), n in counts.items() if column == c) for c in columns}
    tables = {}
    for grouping in groupings:
        grouped = {}
        for (combo, column), n in counts.items():
            key = (grouping.group_of[combo], column)
            grouped[key] = grouped.get(key, 0) + n
        table = unsuppressed(grouped, grouping.order, columns)
        # Several-choice rows: the people who answered, not the ticks.
        for name in grouping.order:
            table.row_totals[name] = sum(
                n for combo, n in people.items() if grouping.group_of[combo] == name
            )
        table.total = sum(people.values())
        tables[grouping.key] = table
    subtotals = {
        "promoters": sum(overall.get(c, 0) for c in PROMOTERS),
        "detractors": sum(overall.get(c, 0) for c in DETRACTORS),
    }
    return Disclosed(sum(people.values()), overall, subtotals, tables)


def breakdown(*, question: Question, by: str, see_everything: bool):
    """Answers to one question by one dimension, protected together with every other figure
    about the question (see cop_portal.web.disclosure)."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    if question.kind not in (*Question.SCALE_KINDS, *Question.CHOICE_KINDS):
        raise ValueError("Free-text answers are not broken down.")
    found = disclosed_figures(questions=[question], see_everything=see_everything)
    return found[question.pk].tables[by]


def disclosed_results(*, survey: Survey, see_everything: bool) -> Results:
    """`survey_results` with what this viewer may see: hidden counts are None, and every question
    that can be broken down carries its tables by each dimension, all from one protected set."""
    found = survey_results(survey=survey)
    figures = disclosed_figures(
        questions=[r.question for r in found.questions], see_everything=see_everything
    )
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    for result in found.questions:
        disclosed = figures.get(result.question.pk)
        if disclosed is None:
            continue
        result.tables = disclosed.tables
        result.promoters = disclosed.subtotals.get("promoters")
        result.detractors = disclosed.subtotals.get("detractors")
        if see_everything:
            continue
        if disclosed.too_few:
            result.withheld = True
            result.distribution = []
            result.notes.append(too_few_note(threshold))
        else:
            result.distribution = [
                (label, disclosed.overall[column])
                for (label, _), column in zip(
                    result.distribution, breakdown_columns(result.question), strict=True
                )
            ]
        if result.mean is not None and not (disclosed.mean_shown and disclosed.complete):
            if not disclosed.mean_shown:
                result.mean = None
            result.median = None
            if not disclosed.too_few:
                result.notes.append(
                    "The median is not shown because some counts are hidden: it would let a "
                    "hidden count be worked out."
                    if disclosed.mean_shown
                    else "The mean and median are not shown because some counts are hidden: "
                    "they would let a hidden count be worked out."
                )
        if result.nps is not None and None in (result.promoters, result.detractors):
            result.nps = None
            if not disclosed.too_few:
                result.notes.append(
                    "The net promoter score is not shown because the number of promoters or "
                    "detractors is hidden."
                )
    return found


def responses_by_day(*, survey):
    """Responses per day, for the response rate over time."""
    return list(
        Response.objects.filter(survey=survey)
        .values_list("submitted_on")
        .annotate(n=Count("pk"))
        .order_by("submitted_on")
    )


def results_prepared_inline(*, survey: Survey, see_everything: bool) -> bool:
    """Whether these results are worked out during a request: always for someone who sees
    everything (no audit), and for surveys with fewer than SURVEY_RESULTS_IN_BACKGROUND_FROM
    responses (the audit of a larger one can take minutes; surveys.caching)."""
    if see_everything:
        return True
    return survey.responses.count() < settings.SURVEY_RESULTS_IN_BACKGROUND_FROM


def results_with_days(
    *, survey: Survey, see_everything: bool = False, inline: bool = True
) -> KeptResults | None:
    """`disclosed_results` and `responses_by_day` together, kept until the services change what
    they count (surveys.caching). The page, its chart and its CSV all read this one protected
    set. Not `inline`: only what is kept (the latest prepared, perhaps not current), or None."""

    def compute():
        found = disclosed_results(survey=survey, see_everything=see_everything)
        return found, responses_by_day(survey=survey)

    return results_kept(survey, see_everything=see_everything, compute=compute if inline else None)


# What the results page shows of the survey itself --------------------------------------------


@dataclass(frozen=True)
class ResultsSurvey:
    """What the results page needs of a survey besides its results: what it shows about it, the
    closing and sealing times its results are kept under, and whether a look must first
    release anonymous answers. Kept under the survey's generation (surveys.caching), so a look
    at results already drawn reads no row."""

    pk: int
    title: str
    slug: str
    kind_label: str
    event_title: str | None
    caucus_name: str | None
    is_anonymous: bool
    opens_at: datetime
    closes_at: datetime
    answers_sealed_at: datetime | None
    # Anonymous answers still sealed when read: storing one moves the survey's generation on.
    sealed_waiting: bool
    # Whether the people invited are a caucus (surveys.selectors.organise.audience_from_caucus).
    from_caucus: bool

    def release_due(self, now) -> bool:
        """Whether a look now must first make the final release of anonymous answers
        (surveys.services.release.responses_release_final): the survey has closed and its
        answers are not all written out in their final order."""
        return (
            self.is_anonymous
            and self.closes_at <= now
            and (self.answers_sealed_at is None or self.sealed_waiting)
        )


def results_survey(*, survey_id: int) -> ResultsSurvey | None:
    """The survey `survey_id` as its results page shows it, in one query; None if there is no
    such survey (a template is not one: nobody answers it)."""
    survey = (
        Survey.objects.select_related("event", "caucus")
        .filter(pk=survey_id, is_template=False)
        .annotate(sealed_waiting=Exists(SealedResponse.objects.filter(survey=OuterRef("pk"))))
        .first()
    )
    if survey is None:
        return None
    return ResultsSurvey(
        pk=survey.pk,
        title=survey.title,
        slug=survey.slug,
        kind_label=survey.get_kind_display(),
        event_title=survey.event.title if survey.event else None,
        caucus_name=survey.caucus.name if survey.caucus else None,
        is_anonymous=survey.is_anonymous,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        answers_sealed_at=survey.answers_sealed_at,
        sealed_waiting=survey.sealed_waiting,
        from_caucus=audience_from_caucus(survey),
    )
