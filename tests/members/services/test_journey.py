"""After a session: the one email to those who came (its summary, survey and a link to record an
action), beside the catch-up to those who booked and missed it; and the three-month follow-up of
an action."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.services import organise
from members.models import Action
from members.services.imports import attendance_import_record
from members.services.journey import action_follow_ups_send, after_session_emails_send
from surveys.links import token_hash
from surveys.models import Invitation, InvitationLink
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    RegistrationFactory,
    SurveyFactory,
    UserFactory,
)
from tests.mail import mail_sent
from tests.tasks import scheduled_run

pytestmark = pytest.mark.django_db

SUBJECT = "[CoP Portal] After Naming racism: the summary and one thing to do"


@pytest.fixture
def session():
    return EventFactory(past=True, title="Naming racism", slug="naming-racism")


def summary_publish(event, organiser):
    return organise.event_summary_publish(
        event=event,
        user=organiser,
        outcome_summary="Two maternity teams on naming racism.",
        key_takeaways="- Name it\n- Record it",
        recording_url="https://video.example.org/naming-racism",
        slides_url="",
    )


def after_session_mail():
    return [m for m in mail_sent() if m.subject == SUBJECT]


def test_those_who_came_get_one_email_and_those_who_missed_the_catch_up(session, organiser):
    came, missed = UserFactory(), UserFactory()
    UserFactory()  # neither booked nor came: hears nothing
    for member in (came, missed):
        RegistrationFactory(event=session, member=member)
    survey = SurveyFactory(event=session, title="How was Naming racism?")
    organise.attendance_record(event=session, present_ids=[came.pk], recorded_by=organiser)
    summary_publish(session, organiser)

    scheduled_run("after-session-emails")

    catch_up, after = mail_sent()
    assert (catch_up.to, catch_up.subject) == (
        [missed.email],
        "[CoP Portal] Catch up: Naming racism",
    )
    assert (after.to, after.subject) == ([came.email], SUBJECT)
    body = after.body
    assert body.startswith(f"Hello {came.get_short_name()},\n\nThank you for coming to Naming ")
    assert "\nTwo maternity teams on naming racism.\n" in body
    assert "Key takeaways:\n- Name it\n- Record it\n" in body
    assert "Recording: https://video.example.org/naming-racism\n" in body
    assert "http://127.0.0.1:8000/actions/from-session/naming-racism/\n" in body
    found = re.search(
        "Tell us how the session went \\(How was Naming racism\\?, open until "
        f"{timezone.localtime(survey.closes_at):%-d %B %Y}\\):\n"
        r"http://127\.0\.0\.1:8000/s/([A-Za-z0-9_-]+)/\n",
        body,
    )
    assert found is not None
    # The link is the member's own: it opens their invitation, without signing in.
    link = InvitationLink.objects.get(token_hash=token_hash(found.group(1)))
    assert (link.invitation.survey, link.invitation.member) == (survey, came)
    assert after.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert after.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    # The email is their invitation, so the link works and the survey's own does not go too.
    assert list(Invitation.objects.filter(survey=survey).values_list("member", flat=True)) == [
        came.pk
    ]


def test_no_survey_line_without_an_open_published_survey(session, organiser):
    came = UserFactory()
    AttendanceFactory(event=session, member=came)
    SurveyFactory(event=session, draft=True)
    summary_publish(session, organiser)

    after_session_emails_send()

    (message,) = after_session_mail()
    assert "Tell us how the session went" not in message.body
    assert not Invitation.objects.exists()


def test_attendance_recorded_in_several_goes_emails_each_newcomer_once(session, organiser):
    first, second = UserFactory(), UserFactory()
    for member in (first, second):
        RegistrationFactory(event=session, member=member)
    summary_publish(session, organiser)
    organise.attendance_record(event=session, present_ids=[first.pk], recorded_by=organiser)
    assert after_session_emails_send() == 1
    assert [m.to for m in after_session_mail()] == [[first.email]]
    mail_sent().clear()

    organise.attendance_record(
        event=session, present_ids=[first.pk, second.pk], recorded_by=organiser
    )
    organise.attendance_record(
        event=session, present_ids=[first.pk, second.pk], recorded_by=organiser
    )
    assert after_session_emails_send() == 1
    assert after_session_emails_send() == 0

    assert [m.to for m in after_session_mail()] == [[second.email]]


def test_a_walk_in_recorded_later_gets_theirs_too(session, organiser):
    summary_publish(session, organiser)
    walk_in = UserFactory()
    organise.attendance_add_walk_in(event=session, member=walk_in, recorded_by=organiser)

    after_session_emails_send()

    assert [m.to for m in after_session_mail()] == [[walk_in.email]]


def test_attendance_before_the_summary_waits_for_it(session, organiser):
    came = UserFactory()
    organise.attendance_add_walk_in(event=session, member=came, recorded_by=organiser)

    assert after_session_emails_send() == 0
    assert after_session_mail() == []

    summary_publish(session, organiser)
    summary_publish(session, organiser)  # saved again: still one email
    after_session_emails_send()
    after_session_emails_send()

    (message,) = after_session_mail()
    assert "\nTwo maternity teams on naming racism.\n" in message.body


def test_members_who_turned_session_summaries_off_get_nothing_then_or_later(session, organiser):
    quiet = UserFactory(email_catch_up=False)
    AttendanceFactory(event=session, member=quiet)
    summary_publish(session, organiser)
    assert after_session_emails_send() == 0

    quiet.email_catch_up = True
    quiet.save()

    assert after_session_emails_send() == 0
    assert after_session_mail() == []


def test_nothing_about_a_session_long_past(organiser):
    old = EventFactory(
        title="Naming racism",
        starts_at=timezone.now() - timedelta(days=40),
        duration=timedelta(hours=1),
    )
    AttendanceFactory(event=old)
    summary_publish(old, organiser)

    assert after_session_emails_send() == 0
    assert after_session_mail() == []


def test_nobody_who_has_left_a_caucus_hears_about_its_session(organiser):
    caucus = CaucusFactory()
    stayed, left = UserFactory(), UserFactory()
    for member in (stayed, left):
        CaucusMembershipFactory(member=member, caucus=caucus)
    session = EventFactory(past=True, caucus=caucus, title="Naming racism")
    for member in (stayed, left):
        AttendanceFactory(event=session, member=member)
    left.caucus_membership.delete()
    summary_publish(session, organiser)

    after_session_emails_send()

    assert [m.to for m in after_session_mail()] == [[stayed.email]]


# The three-month follow-up ---------------------------------------------------------------------


def test_an_open_action_is_followed_up_once_three_months_on(session):
    today = timezone.localdate()
    action = ActionFactory(
        what="Ask for ethnicity data in our audit",
        event=session,
        created_at=timezone.now() - timedelta(days=91),
    )
    ActionFactory(created_at=timezone.now() - timedelta(days=60))  # too soon
    ActionFactory(created_at=timezone.now() - timedelta(days=95), status=Action.Status.DONE)
    ActionFactory(created_at=timezone.now() - timedelta(days=200))  # long before this existed

    scheduled_run("action-follow-ups")

    (message,) = mail_sent()
    assert message.to == [action.member.email]
    assert message.subject == "[CoP Portal] How is your action going?"
    assert (
        "Three months ago you planned this, after Naming racism:\n\n"
        "Ask for ethnicity data in our audit\n"
    ) in message.body
    assert f"http://127.0.0.1:8000/actions/{action.pk}/\n" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    action.refresh_from_db()
    assert action.follow_up_sent_on == today

    assert action_follow_ups_send(today=today + timedelta(days=1)) == 0
    assert len(mail_sent()) == 1


def test_no_follow_up_for_a_member_who_turned_reminders_off():
    ActionFactory(
        member=UserFactory(email_reminders=False),
        created_at=timezone.now() - timedelta(days=91),
    )

    assert action_follow_ups_send() == 0
    assert mail_sent() == []


def test_attendance_imported_from_a_register_sends_it_too(session, organiser):
    summary_publish(session, organiser)
    came = UserFactory()
    attendance_import_record(event=session, member=came)

    after_session_emails_send()

    assert [m.to for m in after_session_mail()] == [[came.email]]
