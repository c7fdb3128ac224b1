"""What the results page keeps in the cache (surveys.caching): a survey's results and its
charts, until the services change what they count or its closing time changes. The tests of
open surveys are attacks: kept charts served to a viewer who may not see them, or kept after an
answer, a release or a change to the survey."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import GroundRules
from members.roles import ORGANISERS
from surveys.services.organise import question_move, survey_save
from tests.factories import (
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
    permission_give,
    survey_answer,
)


def test_a_closed_surveys_results_are_kept_and_reopening_it_works_them_out_again(
    organiser_client, settings
):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 1
    survey = SurveyFactory()
    survey_answer(survey, {QuestionFactory(survey=survey): 4})
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    url = reverse("surveys:results", args=[survey.pk])
    assert organiser_client.get(url).context["results"].responses == 1

    # A response written behind the portal's back does not show: the closed results are kept.
    ResponseFactory(survey=survey)
    with CaptureQueriesContext(connection) as captured:
        kept = organiser_client.get(url)
    assert _responses_shown(kept) == "1"
    assert not [q for q in captured.captured_queries if "surveys_answer" in q["sql"]]

    # A new closing time is a different survey period: worked out afresh.
    survey_save(survey=survey, closes_at=timezone.now() - timedelta(seconds=5))
    assert organiser_client.get(url).context["results"].responses == 2


def _responses_shown(page) -> str:
    """The number of responses the page shows."""
    return re.search(r">Responses</dt>\s*<dd[^>]*>([^<]*)</dd>", page.text)[1]


# Open surveys: kept under the survey's generation ------------------------------------------------


def _results(client, survey):
    response = client.get(reverse("surveys:results", args=[survey.pk]))
    assert response.status_code == 200
    return response


def test_an_answer_stored_shows_on_the_next_view_of_an_open_surveys_results(
    organiser_client, settings
):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 1
    survey = SurveyFactory(named=True)
    question = QuestionFactory(survey=survey, text="It was useful")
    survey_answer(survey, {question: 4})
    assert _results(organiser_client, survey).context["results"].responses == 1
    survey_answer(survey, {question: 5})
    page = _results(organiser_client, survey)
    assert page.context["results"].responses == 2
    assert "2 people answered this question" in page.text


def test_a_protected_viewer_never_gets_the_charts_kept_for_someone_who_sees_everything(
    client, organiser, settings
):
    """A count of one, shown to the few allowed to see every count, must stay hidden from
    everyone else however the two views follow each other."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    survey = SurveyFactory(named=True)
    question = QuestionFactory(survey=survey, text="It was useful")
    for value in (4, 4, 4, 4, 1):
        survey_answer(survey, {question: value})
    trusted = UserFactory(
        agreed_to=GroundRules.objects.get(), groups=[ORGANISERS],
        permissions=["surveys.view_unsuppressed_results"],
    )  # fmt: skip
    client.force_login(trusted)
    everything = _results(client, survey)
    assert everything.context["see_everything"] is True
    assert ": 1</text>" in everything.text
    assert ": hidden</text>" not in everything.text
    client.force_login(organiser)
    protected = _results(client, survey)
    assert protected.context["see_everything"] is False
    assert ": 1</text>" not in protected.text
    assert ": hidden</text>" in protected.text


def test_anonymous_answers_show_only_once_released_whatever_was_kept(
    organiser_client, settings, django_capture_on_commit_callbacks
):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey)
    with django_capture_on_commit_callbacks(execute=True):
        survey_answer(survey, {question: 4})
    page = _results(organiser_client, survey)
    assert page.context["results"].responses == 0
    assert page.context["results"].waiting == 1
    with django_capture_on_commit_callbacks(execute=True):
        survey_answer(survey, {question: 5})  # the second answer releases both
    page = _results(organiser_client, survey)
    assert page.context["results"].responses == 2
    assert page.context["results"].waiting == 0


def test_a_question_moved_by_its_organiser_moves_on_the_next_view(client, organiser):
    survey = SurveyFactory(draft=True)
    first = QuestionFactory(survey=survey, text="First question")
    QuestionFactory(survey=survey, text="Second question")
    # Someone who sees everything sees the charts of a survey nobody has answered yet.
    client.force_login(permission_give(organiser, "surveys.view_unsuppressed_results"))
    organiser_client = client
    page = _results(organiser_client, survey).text
    assert page.index("First question") < page.index("Second question")
    question_move(question=first, direction=1)
    page = _results(organiser_client, survey).text
    assert page.index("Second question") < page.index("First question")
