"""The surveys app's scheduled tasks do what `send_survey_reminders` and
`release_survey_answers` did from cron."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from surveys.models import Invitation, Response, Survey
from surveys.services.organise import survey_invite
from surveys.services.respond import response_submit

from ..factories import InvitationFactory, QuestionFactory, SurveyFactory, UserFactory
from ..mail import mail_sent
from ..tasks import scheduled_run

pytestmark = pytest.mark.django_db


def test_the_survey_reminders_schedule_reminds_those_who_have_not_answered_once():
    ada, ben = UserFactory(), UserFactory()
    survey = SurveyFactory(title="Belonging at work", closes_at=timezone.now() + timedelta(days=1))
    question = QuestionFactory(survey=survey)
    survey_invite(survey=survey)
    response_submit(survey=survey, member=ben, answers={question: 4})
    mail_sent().clear()

    run = scheduled_run("survey-reminders")

    assert (run.status, run.outcome) == (ScheduleRun.Status.SUCCEEDED, 1)
    assert [m.to for m in mail_sent()] == [[ada.email]]
    assert Invitation.objects.get(survey=survey, member=ada).reminded_on == timezone.localdate()


def test_the_survey_releases_schedule_releases_a_closed_surveys_answers(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey)
    for member in UserFactory.create_batch(2):
        InvitationFactory(survey=survey, member=member)
        response_submit(survey=survey, member=member, answers={question: 4})
    assert not Response.objects.exists()  # two are fewer than k: sealed until the survey closes
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    run = scheduled_run("survey-releases")

    assert (run.status, run.outcome) == (ScheduleRun.Status.SUCCEEDED, 2)
    assert Response.objects.filter(survey=survey).count() == 2
