"""Invitations by the email after a session count as the survey's invitations (reminders go
to those it reached), and personal links that can no longer open anything are deleted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Invitation, InvitationLink
from surveys.services.organise import invitation_link_for, invitation_links_purge, reminders_send
from surveys.services.respond import invitation_link_create
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory, UserFactory
from tests.mail import mail_sent
from tests.tasks import scheduled_run

pytestmark = pytest.mark.django_db


def test_those_invited_by_the_email_after_a_session_are_reminded(organiser):
    survey = SurveyFactory(after_event=True, closes_at=timezone.now() + timedelta(hours=30))
    QuestionFactory(survey=survey)
    came = UserFactory()
    invitation_link_for(survey=survey, member=came)

    assert reminders_send() == 1
    assert [m.subject for m in mail_sent()] == [
        f"[CoP Portal] Reminder: {survey.title} closes soon"
    ]


def test_links_that_open_nothing_are_deleted_with_the_reminders():
    survey = SurveyFactory()
    expired, answered, live = (InvitationFactory(survey=survey) for _ in range(3))
    invitation_link_create(invitation=expired, now=timezone.now() - timedelta(days=31))
    invitation_link_create(invitation=answered)
    Invitation.objects.filter(pk=answered.pk).update(responded=True)
    invitation_link_create(invitation=live)

    assert invitation_links_purge() == 2
    assert list(InvitationLink.objects.values_list("invitation", flat=True)) == [live.pk]
    invitation_link_create(invitation=expired, now=timezone.now() - timedelta(days=31))
    scheduled_run("survey-reminders")
    assert list(InvitationLink.objects.values_list("invitation", flat=True)) == [live.pk]
