"""Survey invitations and reminders: who gets them, once, what they say, and that members can
turn them off."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.selectors.accounts import member_has_claimed
from members.services.emails import unsubscribe_token_read
from members.services.imports import member_import_create
from surveys.models import Invitation, InvitationLink, Question
from surveys.services.organise import reminders_send, survey_invite
from surveys.services.respond import invitation_link_create, response_submit
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory, UserFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

# 16:00 UTC in July is 17:00 in London (BST).
CLOSES_AT = datetime(2040, 7, 3, 16, 0, tzinfo=UTC)
PERSONAL_LINK = re.compile(r"http://127\.0\.0\.1:8000/s/([A-Za-z0-9_-]{43})/")
LINK_NOTE = (
    "The link is yours alone: it opens the survey without signing in, and works until you have "
    "answered, the survey closes, or 30 days have passed. Please do not forward it.\n"
)
PREFERENCES = "http://127.0.0.1:8000/profile/emails/"


def make_survey(*, closes_at=CLOSES_AT, **fields):
    """The survey these emails are about: one agreement question, closing at `closes_at`."""
    survey = SurveyFactory(
        title="Belonging at work", slug="belonging-at-work", closes_at=closes_at, **fields
    )
    QuestionFactory(survey=survey, text="I feel I belong in the CoP")
    return survey


def invite(survey):
    """Invite the members the survey is for, and let the workers send what that queued."""
    invited = survey_invite(survey=survey)
    mail_sent()
    return invited


def unsubscribe_link(message, member):
    """The one-click unsubscribe link from the message's header, checked to stand for this
    member's survey emails (tokens carry a timestamp, so it cannot be rebuilt exactly)."""
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    prefix = "http://127.0.0.1:8000" + reverse("members:unsubscribe", kwargs={"token": "T"})[:-2]
    assert link.startswith(prefix)
    assert unsubscribe_token_read(link.removeprefix(prefix).strip("/")) == (member.pk, "surveys")
    return link


def personal_link(message, member, survey) -> str:
    """The message's personal link, checked to open this member's invitation to `survey` (the
    database holds its hash, never the token)."""
    (token,) = PERSONAL_LINK.findall(message.body)
    link = InvitationLink.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    assert (link.invitation.member, link.invitation.survey) == (member, survey)
    return f"http://127.0.0.1:8000/s/{token}/"


def answer(survey, member):
    question = survey.questions.get()
    response_submit(survey=survey, member=member, answers={question: 4})


# Invitations ---------------------------------------------------------------------------------


def test_invitation_says_what_how_long_when_and_where():
    member = UserFactory(name="Ada Okafor")
    survey = make_survey()

    assert invite(survey) == 1

    (message,) = mail_sent()
    assert message.to == [member.email]
    assert message.subject == "[CoP Portal] Belonging at work (about 1 minute)"
    assert message.body == (
        "Hello Ada,\n"
        "\n"
        "We would value your views in a short survey: Belonging at work.\n"
        "\n"
        "The survey is anonymous: your answers are stored with no link to you, so nobody, the "
        "organisers included, can tell which answers are yours.\n"
        "\n"
        "It takes about 1 minute. It closes on Tuesday 3 July 2040, 17:00 (UK time).\n"
        "\n"
        f"Answer the survey: {personal_link(message, member, survey)}\n"
        "\n"
        f"{LINK_NOTE}"
        "\n"
        "Thank you for your time.\n"
        "\n"
        "The CoP organisers\n"
        "\n"
        "--\n"
        f"Stop survey emails: {unsubscribe_link(message, member)}\n"
        f"Choose which emails you get: {PREFERENCES}\n"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_invitation_to_a_named_survey_says_it_is_not_anonymous():
    UserFactory()
    survey = make_survey(named=True, intro="Tell us how the first year went & what next.")

    invite(survey)

    body = mail_sent()[0].body
    assert (
        "The survey is not anonymous: your answers are stored with your name, so the organisers "
        "can follow up with you.\n"
    ) in body
    assert "anonymous: your answers are stored with no link" not in body
    # The introduction is plain text, not HTML-escaped.
    assert "\nTell us how the first year went & what next.\n" in body


def test_each_member_is_invited_once():
    ada, ben = UserFactory(), UserFactory()
    survey = make_survey()

    invite(survey)
    invite(survey)

    assert sorted(m.to[0] for m in mail_sent()) == sorted([ada.email, ben.email])
    # Each with a link of their own.
    ada_message, ben_message = sorted(mail_sent(), key=lambda m: m.to[0] != ada.email)
    assert personal_link(ada_message, ada, survey) != personal_link(ben_message, ben, survey)
    assert InvitationLink.objects.count() == 2
    assert Invitation.objects.filter(survey=survey).count() == 2


def test_a_longer_survey_says_minutes():
    UserFactory()
    survey = make_survey()
    for n in range(2):
        QuestionFactory(survey=survey, kind=Question.Kind.TEXT, text=f"Q{n}")

    invite(survey)

    # 10 seconds for the scale and a minute for each free-text question: 2 minutes 10 → 3.
    (message,) = mail_sent()
    assert message.subject == "[CoP Portal] Belonging at work (about 3 minutes)"
    assert "It takes about 3 minutes." in message.body


def test_members_who_turned_survey_emails_off_are_invited_but_not_emailed():
    keen = UserFactory()
    quiet = UserFactory(email_surveys=False)
    survey = make_survey()

    assert invite(survey) == 2

    assert [m.to for m in mail_sent()] == [[keen.email]]
    # Still invited: they can answer from their home page.
    assert Invitation.objects.filter(survey=survey, member=quiet).exists()


# Reminders -----------------------------------------------------------------------------------


@pytest.fixture
def closing_soon():
    """A survey closing in a day, to which three members were invited; Ben has answered and
    Cleo has turned survey emails off."""
    people = {
        "ada": UserFactory(name="Ada Okafor"),
        "ben": UserFactory(name="Ben Shah"),
        "cleo": UserFactory(name="Cleo Mensah", email_surveys=False),
    }
    survey = make_survey(closes_at=timezone.now() + timedelta(hours=24))
    invite(survey)
    answer(survey, people["ben"])
    mail_sent().clear()
    survey.people = people
    return survey


def test_reminders_go_once_to_those_who_have_not_answered(closing_soon):
    ada = closing_soon.people["ada"]

    assert reminders_send() == 1

    (message,) = mail_sent()
    assert message.to == [ada.email]
    assert message.subject == "[CoP Portal] Reminder: Belonging at work closes soon"
    closes = timezone.localtime(closing_soon.closes_at)
    assert message.body == (
        "Hello Ada,\n"
        "\n"
        "A reminder that the survey Belonging at work closes soon, on "
        f"{closes:%A %-d %B %Y, %H:%M} (UK time). It takes about 1 minute, and it is anonymous.\n"
        "\n"
        f"Answer the survey: {personal_link(message, ada, closing_soon)}\n"
        "\n"
        f"{LINK_NOTE}"
        "\n"
        "The CoP organisers\n"
        "\n"
        "--\n"
        f"Stop survey emails: {unsubscribe_link(message, ada)}\n"
        f"Choose which emails you get: {PREFERENCES}\n"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Invitation.objects.get(survey=closing_soon, member=ada).reminded_on == (
        timezone.localdate()
    )

    assert reminders_send() == 0
    assert len(mail_sent()) == 1


def test_no_reminder_for_a_survey_closing_in_five_days():
    UserFactory()
    survey = make_survey(closes_at=timezone.now() + timedelta(days=5))
    invite(survey)
    mail_sent().clear()

    assert reminders_send() == 0
    assert mail_sent() == []
    survey.refresh_from_db()
    assert survey.reminders_sent_at is None


def test_the_command_sends_reminders_and_says_how_many(closing_soon):
    UserFactory()  # not invited: never reminded
    out = StringIO()

    call_command("send_survey_reminders", stdout=out)

    assert out.getvalue() == "Sent 1 survey reminder.\n"
    assert [m.to for m in mail_sent()] == [[closing_soon.people["ada"].email]]

    out = StringIO()
    call_command("send_survey_reminders", stdout=out)

    assert out.getvalue() == "Sent 0 survey reminders.\n"


def test_the_command_says_how_to_schedule_it():
    from surveys.management.commands.send_survey_reminders import Command

    assert "every 15 minutes (the survey-reminders schedule" in Command.help
    assert "beside event-reminders" in Command.help


# Personal links ------------------------------------------------------------------------------


def test_the_reminder_brings_a_fresh_link_and_both_work_until_the_survey_is_answered(
    closing_soon, client
):
    ada = closing_soon.people["ada"]
    invitation_link = InvitationLink.objects.get(invitation__member=ada)

    reminders_send()

    (reminder,) = mail_sent()
    fresh = personal_link(reminder, ada, closing_soon)
    assert InvitationLink.objects.filter(invitation__member=ada).count() == 2
    fresh_hash = hashlib.sha256(fresh.split("/")[-2].encode()).hexdigest()
    assert fresh_hash != invitation_link.token_hash
    # Ben answered before the reminders: his link went when he answered, and he got none.
    assert not InvitationLink.objects.filter(invitation__member=closing_soon.people["ben"])

    answer(closing_soon, ada)

    assert not InvitationLink.objects.filter(invitation__member=ada).exists()
    assert client.get(fresh.removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_no_link_is_kept_for_an_email_that_was_not_sent():
    UserFactory(email_surveys=False)
    survey = make_survey()

    assert invite(survey) == 1

    assert mail_sent() == []
    assert not InvitationLink.objects.exists()


def test_a_link_lasts_until_the_survey_closes_and_never_more_than_30_days():
    now = timezone.now()
    soon = make_survey(closes_at=now + timedelta(days=3))
    later = SurveyFactory(closes_at=now + timedelta(days=90))
    member = UserFactory()

    invitation_link_create(invitation=InvitationFactory(survey=soon, member=member), now=now)
    invitation_link_create(invitation=InvitationFactory(survey=later, member=member), now=now)

    assert InvitationLink.objects.get(invitation__survey=soon).expires_at == soon.closes_at
    assert InvitationLink.objects.get(invitation__survey=later).expires_at == now + timedelta(
        days=30
    )


def test_someone_imported_who_has_not_joined_is_invited_and_can_answer_by_the_link(client):
    """Imported members get no news until they claim their record, but a survey invitation is
    one email they can act on without an account, so they get it, with its unsubscribe."""
    imported = member_import_create(email="pat@example.org", name="Pat Imported")
    survey = make_survey()

    assert invite(survey) == 1

    (message,) = mail_sent()
    assert message.to == ["pat@example.org"]
    link = personal_link(message, imported, survey)
    assert f"Stop survey emails: {unsubscribe_link(message, imported)}\n" in message.body
    question = survey.questions.get()
    client.get(link.removeprefix("http://127.0.0.1:8000"))
    answered = client.post(reverse("surveys:link_respond"), {f"q{question.pk}": "4"})
    assert answered["Location"] == reverse("surveys:link_thanks")
    assert Invitation.objects.get(member=imported).responded is True
    # Still not signed in, and still not a member who has claimed an account.
    assert "_auth_user_id" not in client.session
    assert member_has_claimed(imported) is False
