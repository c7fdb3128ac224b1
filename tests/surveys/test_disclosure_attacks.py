"""Attacks on the survey results, written as an insider would make them.

An organiser without the permission to see small counts downloads the results CSV and reads the
results page, and knows from the member directory every member's organisation and sector. The
attacker below is written here, independently of the product: it builds its own integer
programme over the counts of each (sector, organisation) combination and answer, constrained by
every figure published anywhere (cells, group totals, answer totals, the overall split and the
number who answered, promoters and detractors) and by how many members each combination has in
the directory. It must be unable to pin any hidden count, to prove that a hidden small count is
above 0, or to prove what anyone in a small group answered."""

import csv
import io
import re
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from members.models import AuditEvent
from surveys.models import Question, Survey
from tests.factories import (
    OrganisationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    permission_give,
    survey_answer,
)

pytestmark = pytest.mark.django_db

K = 5
AGREEMENT = [str(v) for v in range(1, 6)]
FORMATS = ["Online", "In person", "Hybrid"]
TOPICS = ["Maternity", "Mental health", "Workforce"]
SECTOR_LABELS = {"nhs": "NHS", "voluntary": "Voluntary and community",
                 "local_authority": "Local authority"}  # fmt: skip
SCORES = [str(v) for v in range(11)]
# The score question's published sums of answers.
SUBTOTALS = {"Promoters": ["9", "10"], "Detractors": [str(v) for v in range(7)]}
ORG_SECTORS = ["nhs", "nhs", "voluntary", "local_authority", "nhs", "voluntary", "nhs", "nhs"]


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = K


def _make_survey():
    # Named, so that responses keep each member's own sector and organisation: the finest
    # groups the disclosure layer can be given. (An anonymous survey's responses keep them only
    # as coarsely as k people who answered share them, surveys.sealing, which can only help.)
    survey = SurveyFactory(named=True)
    asked = [
        ("agree", "agreement", "I feel I belong", ()),
        ("single", "single", "Which format?", FORMATS),
        ("several", "multiple", "Which topics?", TOPICS),
        ("score", "nps", "Would you recommend us?", ()),
    ]
    questions = {
        key: QuestionFactory(survey=survey, kind=kind, text=text, choices=choices, required=False)
        for key, kind, text, choices in asked
    }
    return survey, questions


def _populate(people):
    """`people`: (organisation index, sector or None for the organisation's, agreement or None,
    format index or None, topic indexes). Returns the survey, its questions and the directory
    (organisation name -> sector of each member)."""
    survey, questions = _make_survey()
    n = survey.pk
    organisations = {}
    directory = []
    for org_index, own_sector, agreement, format_, topics in people:
        if org_index not in organisations:
            sector = ORG_SECTORS[org_index]
            organisations[org_index] = OrganisationFactory(
                name=f"S{n} org {org_index}", sector=sector
            )
        organisation = organisations[org_index]
        sector = own_sector or organisation.sector
        member = UserFactory(organisation=organisation, sector=sector)
        directory.append((SECTOR_LABELS[sector], organisation.name))
        choices = {q: list(q.choices.all()) for q in (questions["single"], questions["several"])}
        answers = {
            questions["agree"]: agreement,
            questions["single"]: None if format_ is None else choices[questions["single"]][format_],
            questions["several"]: [choices[questions["several"]][t] for t in sorted(topics)],
            questions["score"]: _score(agreement, format_),
        }
        survey_answer(survey, answers, member=member)
    return survey, questions, directory


def _score(agreement, format_):
    """A 0–10 score for each person, from their other answers (none if they skipped either)."""
    if agreement is None or format_ is None:
        return None
    return min(10, 2 * agreement + 3 * format_ - 2)


def _truth(people, directory):
    """The real counts: {question key: {((sector, org), column): n}} and people who answered."""
    ticks = {"agree": {}, "single": {}, "several": {}, "score": {}}
    answered = {"agree": {}, "single": {}, "several": {}, "score": {}}
    for (_, _, agreement, format_, topics), combo in zip(people, directory, strict=True):
        given_ = {
            "agree": [] if agreement is None else [str(agreement)],
            "single": [] if format_ is None else [FORMATS[format_]],
            "several": [TOPICS[t] for t in sorted(topics)],
            "score": []
            if _score(agreement, format_) is None
            else [str(_score(agreement, format_))],
        }
        for key, columns in given_.items():
            if columns:
                answered[key][combo] = answered[key].get(combo, 0) + 1
            for column in columns:
                ticks[key][(combo, column)] = ticks[key].get((combo, column), 0) + 1
    return ticks, answered


def _organiser(client, organiser):
    client.force_login(organiser)
    return organiser


def _download(client, survey):
    response = client.get(reverse("surveys:results_csv", kwargs={"pk": survey.pk}))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _count(text):
    if text == "hidden":
        return None
    return int(text)


def _published(rows, question_text, columns_of):
    """Every figure the CSV gives about one question: [(kind, group or None, column, count)],
    with column None for a total of people. `columns_of` maps the CSV's answer label to the
    attacker's column name."""
    figures = []
    for row in rows:
        if len(row) == 3 and row[0] == question_text:
            label, value = row[1], row[2]
            if label == "Answered":
                figures.append(("overall", None, None, _count(value)))
            elif label in columns_of:
                figures.append(("overall", None, columns_of[label], _count(value)))
            elif label in SUBTOTALS:
                figures.append(("overall", None, SUBTOTALS[label], _count(value)))
        if len(row) == 5 and row[1] == question_text and row[0] in ("Sector", "Organisation"):
            by, _, group, label, value = row
            column = None if label == "All answers" else columns_of[label]
            group = None if group == "All groups" else group
            figures.append((by, group, column, _count(value)))
    return figures


def _page_overall(client, survey, question, labels):
    """The overall split as the page's table shows it: {label: count or None}."""
    html = client.get(reverse("surveys:results", kwargs={"pk": survey.pk})).content.decode()
    if f'id="answers-{question.pk}-caption"' not in html:
        return {}  # too few answered: no split at all
    start = html.index(f'id="answers-{question.pk}-caption"')
    body = html[start : html.index("</table>", start)]
    found = {}
    for label, cell in re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', body):
        if label in labels:
            found[label] = None if "Hidden" in cell else int(cell)
    return found


class Attacker:
    """An integer programme over (combination, column) tick counts and people per combination,
    written from scratch: it shares no code with the product."""

    def __init__(self, combos, columns, *, several, directory_sizes, answered_total):
        self.combos, self.columns = combos, columns
        self.c = len(columns)
        self.n_vars = len(combos) * self.c + len(combos)
        self.eq, self.eq_b, self.ub, self.ub_b = [], [], [], []
        self.bound = answered_total
        for i, combo in enumerate(combos):
            # Nobody can be counted twice in a combination with only so many members.
            self.ub.append(self._vector(people=[i]))
            self.ub_b.append(directory_sizes[combo])
            if several:
                for j in range(self.c):
                    row = self._vector(ticks=[(i, j)])
                    row[self._n(i)] = -1
                    self.ub.append(row)
                    self.ub_b.append(0)
                row = -self._vector(ticks=[(i, j) for j in range(self.c)])
                row[self._n(i)] = 1
                self.ub.append(row)
                self.ub_b.append(0)
            else:
                row = self._vector(ticks=[(i, j) for j in range(self.c)])
                row[self._n(i)] = -1
                self.eq.append(row)
                self.eq_b.append(0)

    def _n(self, i):
        return len(self.combos) * self.c + i

    def _vector(self, *, ticks=(), people=()):
        vector = np.zeros(self.n_vars)
        for i, j in ticks:
            vector[i * self.c + j] = 1
        for i in people:
            vector[self._n(i)] = 1
        return vector

    def figure(self, inside, column):
        """The sum a published figure stands for: `inside` the combinations of its group;
        `column` one answer, a list of answers (promoters), or None for people."""
        members = [i for i, combo in enumerate(self.combos) if inside(combo)]
        if column is None:
            return self._vector(people=members)
        columns = column if isinstance(column, list) else [column]
        js = [self.columns.index(c) for c in columns]
        return self._vector(ticks=[(i, j) for i in members for j in js])

    def know(self, vector, value):
        self.eq.append(vector)
        self.eq_b.append(value)

    def admits(self, values):
        """Whether the real counts meet every constraint: every published figure is true and the
        model reads it as the portal meant it. Checked before solving, so that a programme the
        solver calls infeasible is the solver's fault, not the portal's or the model's."""
        return all(
            np.dot(row, values) == b for row, b in zip(self.eq, self.eq_b, strict=True)
        ) and all(np.dot(row, values) <= b for row, b in zip(self.ub, self.ub_b, strict=True))

    def range_of(self, vector):
        bounds = []
        for sign in (1, -1):
            result = linprog(
                sign * vector,
                A_ub=np.array(self.ub) if self.ub else None,
                b_ub=np.array(self.ub_b) if self.ub else None,
                A_eq=np.array(self.eq) if self.eq else None,
                b_eq=np.array(self.eq_b) if self.eq else None,
                bounds=(0, self.bound),
                method="highs",
                integrality=np.ones(self.n_vars),
                # HiGHS's MIP presolve can call a feasible programme infeasible (the pinned
                # example below: the real counts meet every constraint, and the same programme
                # solves without presolve). These programmes are small enough to solve whole.
                options={"presolve": False},
            )
            assert result.status == 0, result.message
            bounds.append(round(sign * result.fun))
        return tuple(bounds)


def _inside(by, group, shown_groups):
    """Which combinations a published row adds up: "Other groups" is every combination whose
    group has no row of its own."""
    position = 0 if by == "Sector" else 1
    if group is None:
        return lambda combo: True
    if group == "Other groups":
        return lambda combo: combo[position] not in shown_groups[by]
    return lambda combo: combo[position] == group


def _attack(client, survey, questions, directory, people):
    """Run the attack on every question; return the list of what it managed to learn."""
    rows = _download(client, survey)
    truth, answered = _truth(people, directory)
    sizes = {}
    for combo in directory:
        sizes[combo] = sizes.get(combo, 0) + 1
    combos = sorted(sizes)
    found = []
    specs = {
        "agree": (AGREEMENT, {**{f"{v}": str(v) for v in range(1, 6)},
                              **{label: str(v) for v, label in
                                 Question.AGREEMENT_LABELS.items()},
                              **{f"{label} ({v})": str(v) for v, label in
                                 Question.AGREEMENT_LABELS.items()}}),
        "single": (FORMATS, {t: t for t in FORMATS}),
        "several": (TOPICS, {t: t for t in TOPICS}),
        "score": (SCORES, {v: v for v in SCORES}),
    }  # fmt: skip
    for key, question in questions.items():
        columns, columns_of = specs[key]
        figures = _published(rows, question.text, columns_of)
        page = _page_overall(
            client, survey, question, [label for label in columns_of if label in columns_of]
        )
        shown_groups = {
            by: {g for kind, g, _, _ in figures if kind == by and g not in (None, "Other groups")}
            for by in ("Sector", "Organisation")
        }
        total = sum(answered[key].values())
        attacker = Attacker(
            combos, columns, several=key == "several", directory_sizes=sizes, answered_total=total
        )
        hidden = []
        for kind, group, column, value in figures:
            vector = attacker.figure(
                _inside(kind, group, shown_groups) if kind != "overall" else (lambda c: True),
                column,
            )
            if value is None:
                hidden.append((kind, group, column, vector))
            else:
                attacker.know(vector, value)
        for label, value in page.items():
            vector = attacker.figure(lambda c: True, columns_of[label])
            if value is not None:
                attacker.know(vector, value)
        real_ticks, real_people = truth[key], answered[key]

        values = np.zeros(attacker.n_vars)
        for i, combo in enumerate(combos):
            values[attacker._n(i)] = real_people.get(combo, 0)
            for j, column in enumerate(columns):
                values[i * attacker.c + j] = real_ticks.get((combo, column), 0)
        assert attacker.admits(values), f"published figures contradict the real counts: {key}"

        for kind, group, column, vector in hidden:
            low, high = attacker.range_of(vector)
            value = int(vector @ values)
            assert low <= value <= high, f"the solver's range leaves out the real count: {key}"
            if low == high:
                found.append(("pinned", key, kind, group, column, value))
            elif 0 < value < K and low > 0:
                found.append(("small count above 0", key, kind, group, column, low))
        # Small groups: nobody may be proved to have given any answer. The groups are sectors,
        # organisations, and the people of one organisation who gave one sector (the
        # directory names them even though no table has them as a row).
        small_groups = [
            (by, group, lambda c, g=group, p=position: c[p] == g)
            for position, by in ((0, "Sector"), (1, "Organisation"))
            for group in sorted({combo[position] for combo in combos})
        ] + [("Sector and organisation", combo, lambda c, g=combo: c == g) for combo in combos]
        for by, group, inside in small_groups:
            size = sum(n for combo, n in real_people.items() if inside(combo))
            if not 0 < size < K:
                continue
            for column in columns:
                low, _ = attacker.range_of(attacker.figure(inside, column))
                if low > 0:
                    found.append(("answer forced", key, by, group, column, low))
    return found


# Populations ------------------------------------------------------------------------------------

person = st.tuples(
    st.integers(0, 7),
    st.sampled_from([None, None, None, "voluntary"]),
    st.one_of(st.none(), st.integers(1, 5)),
    st.one_of(st.none(), st.integers(0, 2)),
    st.sets(st.integers(0, 2)),
)


def _one_per_organisation(n, agreement=4):
    return [(i % 8, None, agreement, 0, {0}) for i in range(n)]


@hypothesis_settings(max_examples=12)
@given(people=st.lists(person, min_size=K, max_size=18))
@example(people=_one_per_organisation(8))
@example(people=[(0, None, 4, 1, {0, 1})] * 9 + [(0, None, 1, 0, set())])
@example(people=[(0, None, None, None, set())] * 6 + [(1, None, 2, 2, {2})] * 2)
# HiGHS's MIP presolve called the attacker's programme for "Which topics?" infeasible.
@example(
    people=[
        (5, None, None, None, {0, 1, 2}),
        (0, None, None, None, {0, 1, 2}),
        (0, None, None, None, set()),
        (3, None, None, None, set()),
        (0, None, None, None, set()),
        (3, None, None, None, {0, 1}),
        (0, None, None, None, set()),
        (0, None, None, None, set()),
        (3, None, None, None, set()),
        (0, None, None, None, {0}),
        (2, None, None, None, set()),
        (3, None, None, None, {0}),
        (0, None, None, None, {0, 1, 2}),
        (6, None, None, None, {0, 1, 2}),
        (3, None, None, None, {0, 1, 2}),
        (3, None, None, None, {0}),
        (7, None, 4, 1, {0, 1, 2}),
        (0, None, 2, 1, {1, 2}),
    ]
)
def test_an_insider_with_the_csv_and_the_directory_learns_nothing_hidden(client, organiser, people):
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    assert _attack(client, survey, questions, directory, people) == []


# The specific leaks, each as a plain test -------------------------------------------------------


def _row(rows, by, text, group):
    return {
        r[3]: r[4] for r in rows if len(r) == 5 and r[0] == by and r[1] == text and r[2] == group
    }


def test_a_group_whose_only_answer_is_hidden_does_not_give_it_away_through_zeros(client, organiser):
    """Before: a two-person organisation showed 0, 0, 0, 0 and a hidden count: both had
    chosen the hidden answer. Now the organisation is pooled and nothing about it is forced."""
    people = [(0, None, 4, 0, {0})] * 8 + [(2, None, 4, 0, {0})] * 6 + [(1, None, 1, 0, {0})] * 2
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    rows = _download(client, survey)
    org_rows = {r[2] for r in rows if len(r) == 5 and r[0] == "Organisation"}
    assert org_rows == {f"S{survey.pk} org 0", "Other groups", "All groups"}
    # "Other groups" is at least five people: the two, and the next smallest organisation.
    assert _row(rows, "Organisation", "I feel I belong", "Other groups")["All answers"] == "8"
    assert _attack(client, survey, questions, directory, people) == []


def test_the_overall_count_does_not_give_away_a_hidden_cell(client, organiser):
    """Before: "Strongly disagree: 1" overall, minus the shown cells of the breakdown, gave the
    hidden one. Now the overall count of 1 is hidden on the page and in the CSV."""
    people = [(0, None, 4, 0, {0})] * 6 + [(1, None, 4, 0, {0})] * 5 + [(1, None, 1, 0, {0})]
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    rows = _download(client, survey)
    assert ["I feel I belong", "Strongly disagree", "hidden"] in rows
    page = _page_overall(client, survey, questions["agree"], ["Strongly disagree", "Agree"])
    assert page == {"Strongly disagree": None, "Agree": None}
    assert _attack(client, survey, questions, directory, people) == []


def test_sector_and_organisation_tables_together_narrow_nothing(client, organiser):
    """Organisations sit inside sectors: the two tables are protected as one."""
    people = (
        [(0, None, 4, 0, {0})] * 5
        + [(1, None, 5, 1, {1})] * 5
        + [(1, None, 2, 1, {1})] * 2
        + [(2, None, 3, 2, {2})] * 6
    )
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    assert _attack(client, survey, questions, directory, people) == []


def test_one_member_who_gave_another_sector_is_not_isolated_by_the_two_tables(client, organiser):
    """One member of an NHS trust gave their sector as voluntary. The voluntary row minus the
    voluntary organisation's row, or the trust's row minus the NHS row, would be their answer
    alone; the directory names them."""
    people = (
        [(0, None, 4, 0, {0})] * 6
        + [(0, "voluntary", 1, 1, {1})]
        + [(2, None, 5, 2, {2})] * 6
        + [(4, None, 3, 0, {0})] * 5
    )
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    assert _attack(client, survey, questions, directory, people) == []


def test_a_question_answered_by_fewer_than_k_shows_no_split_and_says_why(client, organiser):
    people = [(0, None, None, 0, {0})] * 6 + [(0, None, 4, 0, {0})] * 4
    survey, questions, _ = _populate(people)
    _organiser(client, organiser)
    rows = _download(client, survey)
    agree_rows = [r for r in rows if r and r[0] == "I feel I belong"]
    assert agree_rows == [
        ["I feel I belong", "Answered", "4"],
        [
            "I feel I belong",
            "Fewer than 5 people answered this question, so its answers are not shown: with "
            "so few, they could identify the people who gave them.",
        ],
    ]
    assert not [r for r in rows if len(r) == 5 and r[1] == "I feel I belong"]
    page = client.get(reverse("surveys:results", kwargs={"pk": survey.pk}))
    assert "Fewer than 5 people answered this question" in page.content.decode()
    assert f'id="answers-{questions["agree"].pk}-caption"' not in page.content.decode()


def test_several_choice_counts_are_bounded_by_people_not_summed(client, organiser):
    """Each of six people in one organisation ticked every topic but one ticked two: "Workforce"
    is 5, not small, but the others sum past the number of people."""
    people = [(0, None, 4, 0, {0, 1, 2})] * 5 + [(0, None, 4, 0, {0, 1})] + [(1, None, 4, 0, {2})]
    survey, questions, directory = _populate(people)
    _organiser(client, organiser)
    assert _attack(client, survey, questions, directory, people) == []


def test_someone_allowed_sees_everything_and_each_view_is_audited(client, organiser):
    people = [(0, None, 4, 0, {0})] * 4 + [(1, None, 1, 0, {0})] * 2
    survey, _, _ = _populate(people)
    organiser = _organiser(client, organiser)
    permission_give(organiser, "surveys.view_unsuppressed_results")
    _download(client, survey)
    page = client.get(reverse("surveys:results", kwargs={"pk": survey.pk}))
    assert '<tr><th scope="row">Strongly disagree</th><td>2</td><td>33%</td></tr>' in (
        page.content.decode()
    )
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.UNSUPPRESSED_RESULTS_VIEWED, actor=organiser
    )
    assert events.count() == 2
    assert {e.target_id for e in events} == {str(survey.pk)}


def test_no_audit_line_for_an_organiser_who_sees_only_protected_figures(client, organiser):
    people = [(0, None, 4, 0, {0})] * 6
    survey, _, _ = _populate(people)
    _organiser(client, organiser)
    _download(client, survey)
    client.get(reverse("surveys:results", kwargs={"pk": survey.pk}))
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.UNSUPPRESSED_RESULTS_VIEWED
    ).exists()


def test_a_closed_surveys_kept_results_never_pass_between_viewers(client, organiser, ground_rules):
    """Closed results are kept in the cache: the full figures kept for someone allowed to see
    them must not be what an organiser without the permission is then given, nor the other way
    round."""
    people = [(0, None, 4, 0, {0})] * 4 + [(1, None, 1, 0, {0})] * 2
    survey, _, _ = _populate(people)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    allowed = UserFactory(agreed_to=ground_rules, groups=["Organisers"])
    permission_give(allowed, "surveys.view_unsuppressed_results")
    full = '<tr><th scope="row">Strongly disagree</th><td>2</td><td>33%</td></tr>'
    url = reverse("surveys:results", kwargs={"pk": survey.pk})

    client.force_login(allowed)
    assert full in client.get(url).content.decode()
    _organiser(client, organiser)
    assert full not in client.get(url).content.decode()
    assert ["I feel I belong", "Strongly disagree", "hidden"] in _download(client, survey)
    client.force_login(allowed)
    assert ["I feel I belong", "Strongly disagree", "2"] in _download(client, survey)
