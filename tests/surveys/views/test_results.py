"""The results page and its CSV download: exact counts and statistics, the chart and its table,
breakdowns with small counts hidden, the tiny-survey rule, who may see what, and a fixed
number of queries however many people answered."""

import csv
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from surveys.caching import results_changed
from surveys.models import Question, Response
from surveys.selectors.results import survey_results
from tests.factories import (
    AnswerFactory,
    CaucusFactory,
    InvitationFactory,
    OrganisationFactory,
    QuestionFactory,
    SurveyFactory,
    answers_release,
    caucus_member,
    permission_give,
    survey_answer,
)

pytestmark = pytest.mark.django_db

NOTE = (
    "Counts from 1 to 4 are hidden so that nobody can be identified, along with any others "
    "that would let a hidden count be worked out from the figures shown here or anywhere else "
    "in these results."
)
POOLED_NOTE = (
    "Groups with fewer than 5 people are counted together as “Other groups”, joined by the "
    "next smallest group where that is needed to reach 5."
)
TOO_FEW = (
    "Fewer than 5 people answered this question, so its answers are not shown: with so few, "
    "they could identify the people who gave them."
)
MEAN_HIDDEN = (
    "The mean and median are not shown because some counts are hidden: they would let a "
    "hidden count be worked out."
)
NPS_HIDDEN = (
    "The net promoter score is not shown because the number of promoters or detractors is hidden."
)
TABLE_HIDDEN = '<abbr title="Hidden so that nobody can be identified">Hidden</abbr>'

TINY_NOTE = (
    "Results appear once there are at least 5 responses. With fewer, even the overall counts "
    "and free-text answers could identify the people who answered."
)
NPS_EXPLAINED = (
    "The net promoter score is the percentage of promoters (who answered 9 or 10) minus the "
    "percentage of detractors (who answered 0 to 6), so it runs from −100 to 100."
)
HIDDEN = '<abbr title="Hidden so that nobody in a small group can be identified">Hidden</abbr>'
BAD_BREAKDOWN = "That breakdown cannot be shown: choose a grouping and a question."


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5


# Helpers -------------------------------------------------------------------------------------


def answer(survey, answers, *, member=None, **member_fields):
    """`member` (or a new one), invited and answering `answers` ({question: value}); an
    anonymous answer is released at once, as these tests are about counting, not sealing."""
    member = survey_answer(survey, answers, member=member, **member_fields)
    answers_release(survey)
    return member


def add_question(survey, kind, text, **fields):
    """An optional question: people may skip any question, and these tests count who did."""
    return QuestionFactory(survey=survey, kind=kind, text=text, required=False, **fields)


def choice(question, text):
    return question.choices.get(text=text)


def many_text_answers(survey, question, count, *, prefix="Idea number"):
    """`count` free-text responses, written straight to the tables: hundreds of members each
    answering through the service would only slow the tests down."""
    for n in range(count):
        AnswerFactory(question=question, text=f"{prefix} {n}")


def results_url(survey, **params):
    url = reverse("surveys:results", kwargs={"pk": survey.pk})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def breakdown_groupings(rows):
    """The groupings ("Sector", …) in the breakdown part of a CSV."""
    start = rows.index(["Breakdown by", "Question", "Group", "Answer", "Count"]) + 1
    return {row[0] for row in rows[start:] if row and row[0] != "Note"}


def main_of(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# A CoP-wide survey six members answered --------------------------------------------------------


@pytest.fixture
def survey(db):
    """Six responses: five from the NHS, one from the voluntary sector."""
    survey = SurveyFactory(title="Belonging at work")
    agree = add_question(survey, Question.Kind.AGREEMENT, "I feel I belong in the CoP")
    nps = add_question(
        survey, Question.Kind.NPS, "How likely are you to recommend the CoP to a colleague?"
    )
    single = add_question(
        survey,
        Question.Kind.SINGLE,
        "Which format suits you best?",
        choices=["Online", "In person", "Hybrid"],
    )
    several = add_question(
        survey,
        Question.Kind.MULTIPLE,
        "Which topics should we cover?",
        choices=["Maternity", "Mental health", "Workforce"],
    )
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    online, in_person, hybrid = (choice(single, t) for t in ("Online", "In person", "Hybrid"))
    maternity, mental_health, workforce = (
        choice(several, t) for t in ("Maternity", "Mental health", "Workforce")
    )
    rows = [
        (1, 10, online, [maternity, workforce], "More evening sessions", "nhs"),
        (2, 9, online, [maternity], "Shorter talks & more discussion", "nhs"),
        (2, 8, in_person, [], "", "nhs"),
        (5, 7, online, [mental_health], "", "nhs"),
        (None, 6, hybrid, [maternity], "", "nhs"),
        (None, 0, online, [workforce, mental_health], "", "voluntary"),
    ]
    for agreement, score, format_, topics, words, sector in rows:
        answer(
            survey,
            {agree: agreement, nps: score, single: format_, several: topics, text: words},
            sector=sector,
        )
    survey.q = {"agree": agree, "nps": nps, "single": single, "several": several, "text": text}
    return survey


def test_counts_mean_median_and_net_promoter_score_are_exact(survey):
    found = survey_results(survey=survey)
    agree, nps, single, _several, text = found.questions

    assert (found.responses, found.invited) == (6, 6)
    assert agree.distribution == [
        ("Strongly disagree", 1),
        ("Disagree", 2),
        ("Neither agree nor disagree", 0),
        ("Agree", 0),
        ("Strongly agree", 1),
    ]
    assert (agree.answered, agree.mean, agree.median, agree.nps) == (4, 2.5, 2.0, None)
    # 10 and 9 promote, 6 and 0 detract: 2/6 − 2/6 = 0.
    assert (nps.answered, nps.mean, nps.median, nps.nps) == (6, 6.67, 7.5, 0)
    assert single.distribution == [("Online", 4), ("In person", 1), ("Hybrid", 1)]
    assert single.answered == 6
    assert text.texts == ["More evening sessions", "Shorter talks & more discussion"]
    assert text.answered == 2


def test_answered_counts_each_person_once_on_a_several_choices_question(survey):
    several = survey_results(survey=survey).questions[3]

    assert several.distribution == [("Maternity", 3), ("Mental health", 2), ("Workforce", 2)]
    assert several.answered == 5


def test_page_shows_the_numbers_the_chart_and_the_table(client, organiser, survey):
    """Everything, for someone allowed to see small counts: how the page lays figures out."""
    permission_give(organiser, "surveys.view_unsuppressed_results")
    client.force_login(organiser)
    agree = survey.q["agree"]

    response = client.get(results_url(survey))

    assert response.status_code == 200
    assertContains(response, "<h1>Results: “Belonging at work”</h1>", html=True)
    assertContains(
        response,
        '<dt class="col-sm-4 col-lg-3">Responses</dt><dd class="col-sm-8 col-lg-9">6</dd>',
        html=True,
    )
    assertContains(
        response,
        '<dt class="col-sm-4 col-lg-3">Response rate</dt><dd class="col-sm-8 col-lg-9">100%</dd>',
        html=True,
    )
    today = timezone.localdate()
    assertContains(
        response, f'<tr><th scope="row">{today:%A %-d %B %Y}</th><td>6</td></tr>', html=True
    )
    # The chart: an SVG image named by its title, bars as wide as their share of the longest.
    assertContains(
        response,
        f'<svg role="img" aria-labelledby="chart-{agree.pk}-title" '
        f'aria-describedby="chart-{agree.pk}-desc"',
    )
    assertContains(
        response,
        f'<title id="chart-{agree.pk}-title">Bar chart of the answers to '
        "“I feel I belong in the CoP”</title>",
    )
    assertContains(response, '<rect x="0" y="18" width="50.0%" height="14" fill="#005eb8">')
    assertContains(response, '<rect x="0" y="62" width="100.0%" height="14" fill="#005eb8">')
    assertContains(response, '<rect x="0" y="106" width="0%" height="14" fill="#005eb8">')
    # The same numbers in a table, with percentages of those who answered.
    assertContains(
        response,
        '<tr><th scope="row">Strongly disagree</th><td>1</td><td>25%</td></tr>',
        html=True,
    )
    assertContains(
        response, '<tr><th scope="row">Disagree</th><td>2</td><td>50%</td></tr>', html=True
    )
    assertContains(response, "4 people answered this question.")
    assertContains(response, "Mean: <strong>2.5</strong>. Median: <strong>2.0</strong>.")
    assertContains(
        response,
        "Net promoter score: <strong>0</strong> (2 promoters and 2 detractors of 6). "
        + NPS_EXPLAINED,
    )
    # Each person counts once, however many options they ticked.
    assertContains(
        response,
        "5 people answered this question; each could choose more than one answer.",
    )
    assertContains(
        response, '<tr><th scope="row">Maternity</th><td>3</td><td>60%</td></tr>', html=True
    )
    assertContains(
        response,
        '<li class="border-start border-3 ps-3 mb-3">More evening sessions</li>',
        html=True,
    )
    assertContains(response, "Shorter talks &amp; more discussion")
    # No inline styles or scripts, so the Content-Security-Policy stays strict.
    main = main_of(response)
    assert "style=" not in main
    assert "<script" not in main


def test_an_organiser_sees_only_what_names_nobody(organiser_client, survey):
    """Six people: the agreement question (four answered) shows no split at all; on the others
    every count from 1 to 4 is hidden, zeros stay, and so do the mean and the score."""
    agree, nps, single = survey.q["agree"], survey.q["nps"], survey.q["single"]

    response = organiser_client.get(results_url(survey))

    assertContains(response, "4 people answered this question.")
    assertContains(response, f'<p class="alert alert-info">{TOO_FEW}</p>', html=True)
    assertNotContains(response, f'id="answers-{agree.pk}-caption"')
    assertNotContains(response, f'id="chart-{agree.pk}-title"')
    for score in ("0", "6", "7", "8", "9", "10"):
        assertContains(
            response,
            f'<tr><th scope="row">{score}</th><td>{TABLE_HIDDEN}</td><td>Hidden</td></tr>',
            html=True,
        )
    for score in ("1", "2", "3", "4", "5"):
        assertContains(
            response, f'<tr><th scope="row">{score}</th><td>0</td><td>0%</td></tr>', html=True
        )
    assertContains(response, f"<p>{MEAN_HIDDEN}</p>", html=True)
    assertContains(response, f"<p>{NPS_HIDDEN}</p>", html=True)
    assertNotContains(response, "Net promoter score:")
    assertNotContains(response, "Mean:")
    for option in ("Online", "In person", "Hybrid", "Maternity", "Mental health", "Workforce"):
        assertContains(
            response,
            f'<tr><th scope="row">{option}</th><td>{TABLE_HIDDEN}</td><td>Hidden</td></tr>',
            html=True,
        )
    # A hidden count draws no bar.
    assertContains(response, f'<svg role="img" aria-labelledby="chart-{single.pk}-title"')
    assertNotContains(response, '<rect x="0" y="20" width="320"')
    assert nps.pk  # the score question is charted too
    assertContains(response, f'id="chart-{nps.pk}-title"')


def test_response_rate_before_anyone_is_invited(organiser_client):
    survey = SurveyFactory()
    add_question(survey, Question.Kind.AGREEMENT, "I feel I belong in the CoP")

    response = organiser_client.get(results_url(survey))

    assertContains(response, '<dd class="col-sm-8 col-lg-9">No one invited yet</dd>', html=True)
    assertContains(response, "<p>No responses yet.</p>", html=True)


def test_response_rate_is_a_percentage_of_those_invited(organiser_client, survey):
    for _ in range(2):
        InvitationFactory(survey=survey)

    response = organiser_client.get(results_url(survey))

    assertContains(response, '<dd class="col-sm-8 col-lg-9">75%</dd>', html=True)


def test_only_the_first_200_free_text_answers_are_listed(organiser_client):
    survey = SurveyFactory()
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    many_text_answers(survey, text, 201)

    response = organiser_client.get(results_url(survey))

    assertContains(response, "201 people answered this question.")
    assertContains(response, "Showing the first 200 of 201 answers, in alphabetical order.")
    assertContains(response, '<li class="border-start border-3 ps-3 mb-3">', count=200)


def test_a_busy_text_question_does_not_crowd_out_the_next():
    survey = SurveyFactory()
    first = add_question(survey, Question.Kind.TEXT, "What went well?")
    second = add_question(survey, Question.Kind.TEXT, "What should change?")
    # 200 answers are fetched per question: 401 to the first leave none for the second.
    many_text_answers(survey, first, 401)
    answer(survey, {second: "Change"})

    found = survey_results(survey=survey)

    assert found.questions[1].texts == ["Change"]


def test_answered_counts_every_free_text_answer():
    survey = SurveyFactory()
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    many_text_answers(survey, text, 201)

    (result,) = survey_results(survey=survey).questions

    assert len(result.texts) == 200
    assert result.answered == 201


# Breakdowns ----------------------------------------------------------------------------------


def test_breakdown_by_sector_hides_small_counts_and_says_why(organiser_client, survey):
    single = survey.q["single"]

    response = organiser_client.get(results_url(survey, by="sector", question=single.pk))

    assertContains(
        response,
        "<caption>Answers to “Which format suits you best?” by sector</caption>",
        html=True,
    )
    # The one voluntary-sector member is too few for a row, and so is the pool of one: the
    # NHS joins it. Every count but the number who answered would point to four or fewer.
    assertContains(
        response,
        f'<tr><th scope="row">Other groups</th><td>{HIDDEN}</td><td>{HIDDEN}</td>'
        f"<td>{HIDDEN}</td><td>6</td></tr>",
        html=True,
    )
    assertNotContains(response, '<th scope="row">NHS</th>', html=True)
    assertNotContains(response, '<th scope="row">Voluntary and community</th>', html=True)
    assertContains(
        response,
        f'<tr><th scope="row">Total</th><td>{HIDDEN}</td><td>{HIDDEN}</td><td>{HIDDEN}</td>'
        "<td>6</td></tr>",
        html=True,
    )
    assertContains(response, f"<p>{POOLED_NOTE}</p>", html=True)
    assertContains(response, f"<p>{NOTE}</p>", html=True)
    assertContains(response, 'aria-describedby="breakdown-notes"')
    assertNotContains(response, BAD_BREAKDOWN)


def test_someone_allowed_to_see_small_counts_sees_the_numbers(client, organiser, survey):
    permission_give(organiser, "surveys.view_unsuppressed_results")
    client.force_login(organiser)

    response = client.get(results_url(survey, by="sector", question=survey.q["single"].pk))

    assertContains(
        response,
        '<tr><th scope="row">NHS</th><td>3</td><td>1</td><td>1</td><td>5</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr><th scope="row">Voluntary and community</th><td>1</td><td>0</td><td>0</td>'
        "<td>1</td></tr>",
        html=True,
    )
    assertContains(
        response,
        '<tr><th scope="row">Total</th><td>4</td><td>1</td><td>1</td><td>6</td></tr>',
        html=True,
    )
    assertNotContains(response, HIDDEN, html=True)
    assertNotContains(response, NOTE)


def test_breakdown_of_an_agreement_question_names_its_columns(client, organiser, survey):
    permission_give(organiser, "surveys.view_unsuppressed_results")
    client.force_login(organiser)

    response = client.get(results_url(survey, by="organisation", question=survey.q["agree"].pk))

    assertContains(response, '<th scope="col">Strongly disagree (1)</th>', html=True)
    assertContains(response, '<th scope="col">Strongly agree (5)</th>', html=True)
    assertContains(response, '<th scope="col">Organisation</th>', html=True)


@pytest.mark.parametrize("trusted", [False, True], ids=["organiser", "trusted-with-caucus"])
def test_there_is_no_breakdown_by_caucus_even_for_those_trusted_with_caucus_choices(
    client, organiser, trusted
):
    """Members agreed to their caucus being kept for its sessions only: responses do not
    keep it, so nobody can break answers down by it."""
    if trusted:
        permission_give(organiser, "events.view_caucus_choice")
    client.force_login(organiser)
    survey = SurveyFactory()
    agree = add_question(survey, Question.Kind.AGREEMENT, "I feel I belong in the CoP")
    caucus = CaucusFactory()
    for _ in range(5):
        answer(survey, {agree: 4}, member=caucus_member(caucus))

    response = client.get(results_url(survey, by="caucus", question=agree.pk))

    assert response.status_code == 200
    assertContains(response, BAD_BREAKDOWN)
    assertNotContains(response, '<option value="caucus"')
    assertNotContains(response, "by caucus</caption>")
    assert not hasattr(Response, "caucus")


@pytest.mark.parametrize(
    "params",
    [
        {"by": "foo", "question": "agree"},
        {"by": "sector", "question": "abc"},
        {"by": "sector", "question": "text"},
        {"by": "sector", "question": "elsewhere"},
        {"by": "sector"},
    ],
    ids=["unknown-grouping", "not-a-number", "free-text", "other-survey", "no-question"],
)
def test_bad_breakdown_values_give_the_page_and_a_message(organiser_client, survey, params):
    other = SurveyFactory(title="Another")
    elsewhere = add_question(other, Question.Kind.AGREEMENT, "Elsewhere")
    ids = {**{key: q.pk for key, q in survey.q.items()}, "elsewhere": elsewhere.pk}
    params = {key: ids.get(value, value) for key, value in params.items()}

    response = organiser_client.get(results_url(survey, **params))

    assert response.status_code == 200
    assertContains(response, BAD_BREAKDOWN)
    assertNotContains(response, "by sector</caption>")
    assertNotContains(response, "by foo</caption>")
    # The rest of the page is there.
    assertContains(response, "5 people answered this question; each could choose more")


def test_the_form_offers_only_questions_that_can_be_broken_down(organiser_client, survey):
    response = organiser_client.get(results_url(survey))

    for key in ("agree", "nps", "single", "several"):
        assertContains(response, f'<option value="{survey.q[key].pk}"')
    assertNotContains(response, f'<option value="{survey.q["text"].pk}"')
    assertContains(response, '<option value="sector"')
    assertContains(response, '<option value="organisation"')
    assertNotContains(response, BAD_BREAKDOWN)


# A survey too small to show -----------------------------------------------------------------


@pytest.fixture
def tiny_survey(db):
    survey = SurveyFactory(title="Caucus check-in")
    agree = add_question(survey, Question.Kind.AGREEMENT, "I feel safe in the caucus")
    text = add_question(survey, Question.Kind.TEXT, "Anything else?")
    for value in (1, 2, 4, 5):
        answer(survey, {agree: value, text: f"A private thought {value}"})
    survey.q = {"agree": agree, "text": text}
    return survey


def test_a_tiny_survey_hides_every_count_and_free_text(organiser_client, tiny_survey):
    response = organiser_client.get(
        results_url(tiny_survey, by="sector", question=tiny_survey.q["agree"].pk)
    )

    assertContains(response, TINY_NOTE)
    assertContains(response, '<dd class="col-sm-8 col-lg-9">4</dd>', html=True)
    assertNotContains(response, "A private thought")
    assertNotContains(response, "<svg")
    assertNotContains(response, "Mean:")
    assertNotContains(response, "people answered this question")
    assertNotContains(response, "by sector</caption>")
    assertNotContains(response, "Download the results")


def test_a_tiny_survey_is_shown_to_someone_allowed_to_see_small_counts(
    client, organiser, tiny_survey
):
    permission_give(organiser, "surveys.view_unsuppressed_results")
    client.force_login(organiser)

    response = client.get(results_url(tiny_survey))

    assertNotContains(response, TINY_NOTE)
    assertContains(response, "A private thought 5")
    assertContains(response, "Mean: <strong>3.0</strong>. Median: <strong>3.0</strong>.")


# Who may see results ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["results", "results_csv"])
def test_who_may_see_results(client, member, steering_member, organiser, survey, name):
    url = reverse(f"surveys:{name}", kwargs={"pk": survey.pk})

    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(steering_member)
    assert client.get(url).status_code == 200
    client.force_login(organiser)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["results", "results_csv"])
def test_an_unknown_survey_is_not_found(organiser_client, name):
    assert (
        organiser_client.get(reverse(f"surveys:{name}", kwargs={"pk": 999999})).status_code == 404
    )


# Query count ---------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_for_10_and_200_responses(
    organiser_client, same_queries_at_two_sizes
):
    """Aggregation happens in the database, so more responses must not mean more queries."""
    survey = SurveyFactory()
    agree = add_question(survey, Question.Kind.AGREEMENT, "I feel I belong in the CoP")
    nps = add_question(survey, Question.Kind.NPS, "How likely are you to recommend the CoP?")
    several = add_question(
        survey, Question.Kind.MULTIPLE, "Which topics?", choices=["Maternity", "Workforce"]
    )
    text = add_question(survey, Question.Kind.TEXT, "Anything else?")
    options = list(several.choices.all())
    organisations = [OrganisationFactory() for _ in range(4)]

    numbers = itertools.count()

    def add_responses(count):
        for n in itertools.islice(numbers, count):
            answer(
                survey,
                {agree: n % 5 + 1, nps: n % 11, several: options[: n % 3], text: f"Thought {n}"},
                organisation=organisations[n % 4],
            )

    url = results_url(survey, by="organisation", question=agree.pk)
    pages = same_queries_at_two_sizes(
        organiser_client,
        url,
        grow=add_responses,
        sizes=(10, 190),
        before_each=lambda: results_changed(survey.pk),  # both renders work the results out
    )
    assertContains(pages.small, "by organisation</caption>")
    assertContains(pages.large, "by organisation</caption>")


# The CSV download ----------------------------------------------------------------------------


def test_csv_of_an_anonymous_survey_hides_small_counts_and_leaves_out_free_text(
    organiser_client,
):
    survey = SurveyFactory(title="Belonging at work", slug="belonging-at-work")
    agree = add_question(survey, Question.Kind.AGREEMENT, "I feel I belong in the CoP")
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    home_care = OrganisationFactory(name="@Home Care")
    for value, words in ((4, "More evening sessions"), (4, ""), (4, "=1+1"), (4, ""), (5, "")):
        answer(survey, {agree: value, text: words}, organisation=home_care, sector="nhs")

    response = organiser_client.get(reverse("surveys:results_csv", kwargs={"pk": survey.pk}))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="belonging-at-work-results.csv"'
    assert response.content.startswith("\ufeff".encode())
    question = "I feel I belong in the CoP"
    labels = [
        "Strongly disagree (1)",
        "Disagree (2)",
        "Neither agree nor disagree (3)",
        "Agree (4)",
        "Strongly agree (5)",
    ]

    def breakdown(by, group):
        counts = ["0", "0", "0", "hidden", "hidden"]
        rows = []
        for name in (group, "All groups"):
            rows += [
                [by, question, name, label, n] for label, n in zip(labels, counts, strict=True)
            ]
            rows.append([by, question, name, "All answers", "5"])
        return rows

    assert csv_rows(response) == [
        ["Survey", "Belonging at work"],
        ["Responses", "5"],
        ["Invited", "5"],
        [],
        ["Question", "Answer", "Count"],
        [question, "Answered", "5"],
        [question, "Strongly disagree", "0"],
        [question, "Disagree", "0"],
        [question, "Neither agree nor disagree", "0"],
        # The one "Strongly agree" is hidden, and so the four "Agree" beside it: with the
        # number who answered, either would give the other away. So are the mean and median.
        [question, "Agree", "hidden"],
        [question, "Strongly agree", "hidden"],
        [question, MEAN_HIDDEN],
        ["What should we do differently?", "Answered", "2"],
        [
            "What should we do differently?",
            "Free-text answers are not exported: this survey is anonymous.",
        ],
        [],
        ["Breakdown by", "Question", "Group", "Answer", "Count"],
        *breakdown("Sector", "NHS"),
        # A name a spreadsheet would take for a formula is defused.
        *breakdown("Organisation", "'@Home Care"),
        *breakdown("Seniority", "Frontline"),
        ["Note", NOTE],
    ]


def test_csv_of_a_named_survey_gives_free_text_to_someone_allowed_defused(client, organiser):
    permission_give(organiser, "surveys.view_unsuppressed_results")
    client.force_login(organiser)
    survey = SurveyFactory(title="Belonging at work", named=True)
    nps = add_question(survey, Question.Kind.NPS, "How likely are you to recommend the CoP?")
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    formula = '=HYPERLINK("https://evil.example","Click")'
    answer(survey, {nps: 0, text: formula}, sector="nhs")
    answer(survey, {nps: 2, text: "-2 sessions a month"}, sector="nhs")

    rows = csv_rows(client.get(reverse("surveys:results_csv", kwargs={"pk": survey.pk})))

    question = "How likely are you to recommend the CoP?"
    texts = "What should we do differently?"
    assert rows[:3] == [["Survey", "Belonging at work"], ["Responses", "2"], ["Invited", "2"]]
    assert [question, "Net promoter score", "-100"] in rows  # a number we computed: left as is
    assert [question, "Mean", "1.0"] in rows
    assert [texts, "Answered", "2"] in rows
    assert [texts, "'" + formula] in rows
    assert [texts, "'-2 sessions a month"] in rows
    assert ["Sector", question, "NHS", "0", "1"] in rows
    assert ["Sector", question, "NHS", "All answers", "2"] in rows
    assert not any("hidden" in row for row in rows)
    assert rows[-2:] == [
        [],
        [
            "Note",
            NPS_EXPLAINED,
        ],
    ]


def test_csv_of_a_named_survey_leaves_out_free_text_for_others(organiser_client):
    survey = SurveyFactory(title="Belonging at work", named=True)
    text = add_question(survey, Question.Kind.TEXT, "What should we do differently?")
    for n in range(5):
        answer(survey, {text: f"Named thought {n}"})

    rows = csv_rows(organiser_client.get(reverse("surveys:results_csv", kwargs={"pk": survey.pk})))

    assert not any("Named thought" in cell for row in rows for cell in row)
    assert [
        "What should we do differently?",
        "Free-text answers are not exported: they can identify the people who wrote them, so "
        "only people allowed to see unsuppressed results can download them.",
    ] in rows


def test_csv_never_breaks_down_by_caucus(client, organiser, survey):
    client.force_login(organiser)
    url = reverse("surveys:results_csv", kwargs={"pk": survey.pk})

    groupings = breakdown_groupings(csv_rows(client.get(url)))
    permission_give(organiser, "events.view_caucus_choice")
    groupings_trusted = breakdown_groupings(csv_rows(client.get(url)))

    assert groupings == {"Sector", "Organisation", "Seniority"}
    assert groupings_trusted == {"Sector", "Organisation", "Seniority"}


def test_csv_of_a_tiny_survey_gives_only_the_response_count_and_why(organiser_client, tiny_survey):
    url = reverse("surveys:results_csv", kwargs={"pk": tiny_survey.pk})

    assert csv_rows(organiser_client.get(url)) == [
        ["Survey", "Caucus check-in"],
        ["Responses", "4"],
        ["Invited", "4"],
        ["Note", TINY_NOTE],
    ]
