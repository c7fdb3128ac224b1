"""What the results page keeps in the cache: a closed survey's results, until its closing time
changes."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import QuestionFactory, ResponseFactory, SurveyFactory, survey_answer


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
    assert kept.context["results"].responses == 1
    assert not [q for q in captured.captured_queries if "surveys_answer" in q["sql"]]

    # A new closing time is a different survey period: worked out afresh.
    survey.closes_at = timezone.now() - timedelta(seconds=5)
    survey.save()
    assert organiser_client.get(url).context["results"].responses == 2
