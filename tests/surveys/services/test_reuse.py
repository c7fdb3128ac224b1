"""Reusing surveys: the starter templates, copies of a template or an earlier survey (never
anything of the people asked or their answers), a session's standard survey made once after it
ends and carried by the email after the session, and templates kept out of every list and
count."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.services import organise as events_organise
from members.selectors.dashboard import PROTECTED, Period, survey_response_rates
from members.services import starter
from members.services.journey import after_session_emails_send
from surveys.models import (
    Choice,
    Invitation,
    InvitationLink,
    Question,
    Response,
    SealedResponse,
    StandardSurvey,
    Survey,
)
from surveys.selectors.organise import surveys_with_rates
from surveys.selectors.respond import surveys_waiting
from surveys.services.organise import (
    invitation_link_for,
    survey_invite,
    survey_publish,
)
from surveys.services.respond import invitation_link_create
from surveys.services.reuse import (
    standard_survey_choose,
    standard_surveys_make,
    survey_copy,
    survey_templates_load,
)
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    answers_release,
    caucus_member,
    survey_answer,
)
from tests.mail import mail_sent
from tests.tasks import scheduled_run

pytestmark = pytest.mark.django_db

STARTER_TEMPLATES = json.loads(
    (starter.STARTER_DIR / "survey_templates.json").read_text(encoding="utf-8")
)


def _templates() -> dict[str, Survey]:
    survey_templates_load(STARTER_TEMPLATES)
    return {t.kind: t for t in Survey.objects.filter(is_template=True)}


def _questions(survey) -> list[tuple]:
    return [
        (q.order, q.text, q.help_text, q.kind, q.required, q.value_cycle,
         [(c.order, c.text) for c in q.choices.all()])
        for q in survey.questions.prefetch_related("choices").order_by("order", "pk")
    ]  # fmt: skip


def _window(days=14):
    opens_at = timezone.now() - timedelta(minutes=1)
    return {"opens_at": opens_at, "closes_at": opens_at + timedelta(days=days)}


# The starter templates ------------------------------------------------------------------------


def test_the_starter_content_gives_one_template_of_each_kind_once():
    assert starter.starter_content_load()["survey_templates"] == 4

    templates = Survey.objects.filter(is_template=True)
    assert sorted(templates.values_list("kind", flat=True)) == sorted(Survey.Kind.values)
    assert set(templates.values_list("status", "event", "caucus")) == {("draft", None, None)}
    after = templates.get(kind=Survey.Kind.POST_EVENT)
    kinds = list(after.questions.values_list("kind", "value_cycle"))
    assert kinds[0] == ("nps", "")  # usefulness, 0 to 10
    assert {"immediate", "potential", "applied"} <= {cycle for _, cycle in kinds}
    assert "What will you do differently" in after.questions.get(kind="text", order=6).text
    check_in = templates.get(kind=Survey.Kind.CHECK_IN)
    stage = check_in.questions.get(order=1)
    assert stage.text == "Where are you on your journey now?"
    assert stage.choices.count() == 5
    # Again (every deploy): nothing more, and an organiser's edit stays.
    Survey.objects.filter(pk=after.pk).update(title="Our own wording")
    assert starter.starter_content_load()["survey_templates"] == 0
    assert Survey.objects.filter(is_template=True).count() == 4
    assert Survey.objects.get(pk=after.pk).title == "Our own wording"


def test_a_template_is_never_published_nor_sent(member):
    template = _templates()[Survey.Kind.COP_WIDE]

    with pytest.raises(ValidationError, match="A template is never published"):
        survey_publish(survey=template)
    with pytest.raises(ValidationError, match="Publish the survey before inviting people"):
        survey_invite(survey=template)
    with pytest.raises(ValidationError, match="Publish the survey before inviting people"):
        invitation_link_for(survey=template, member=member)
    # Past the services, the table itself refuses a published template.
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=template.pk).update(status=Survey.Status.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=template.pk).update(caucus=CaucusFactory())
    assert not Invitation.objects.filter(survey=template).exists()


def test_templates_are_in_no_list_or_count_of_surveys(member):
    """Every survey a member can see, and every figure about surveys: none includes a
    template, even one whose questions match those answered elsewhere."""
    templates = _templates()
    answered = survey_copy(templates[Survey.Kind.COP_WIDE], by=None, **_window())
    survey_publish(survey=answered)
    survey_invite(survey=answered)

    assert list(surveys_with_rates()) == [answered]
    assert list(surveys_waiting(member=member)) == [answered]
    rates = survey_response_rates(Period(None, None), PROTECTED)
    assert [row["title"] for row in rates] == [answered.title]


# Copies ---------------------------------------------------------------------------------------


def test_a_survey_from_a_template_has_its_questions_and_is_a_draft_for_the_session(organiser):
    template = _templates()[Survey.Kind.POST_EVENT]
    session = EventFactory(past=True)

    made = survey_copy(template, by=organiser, event=session, **_window())

    assert _questions(made) == _questions(template)
    assert (made.title, made.kind, made.intro, made.is_anonymous) == (
        template.title, "post_event", template.intro, True,
    )  # fmt: skip
    assert (made.event, made.status, made.is_template, made.created_by) == (
        session, "draft", False, organiser,
    )  # fmt: skip
    assert made.slug != template.slug
    assert made.short_code != template.short_code
    # The template is as it was, and the copy's questions are its own to change.
    assert Question.objects.filter(survey=template).count() == len(
        STARTER_TEMPLATES[0]["questions"]
    )
    assert not Question.objects.filter(survey=made).filter(pk__in=template.questions.all())


def test_a_copy_of_an_answered_survey_carries_no_answer_invitation_or_link(organiser):
    source = SurveyFactory(title="Belonging", intro="Why we ask.", reminders_sent_at=None)
    scale = QuestionFactory(survey=source, text="I belong here")
    pick = QuestionFactory(
        survey=source, kind=Question.Kind.SINGLE, text="How?", choices=["Online", "In person"]
    )
    online = pick.choices.get(text="Online")
    for _ in range(2):
        survey_answer(source, {scale: 4, pick: online})
    answers_release(source)
    survey_answer(source, {scale: 2, pick: online})  # still sealed
    waiting = InvitationFactory(survey=source)
    invitation_link_create(invitation=waiting)
    Survey.objects.filter(pk=source.pk).update(
        invitations_sent_at=timezone.now(),
        reminders_sent_at=timezone.now(),
        answers_sealed_at=timezone.now(),
    )
    source.refresh_from_db()

    made = survey_copy(source, by=organiser, title="Belonging again", **_window(30))

    assert _questions(made) == _questions(source)
    assert not Response.objects.filter(survey=made).exists()
    assert not SealedResponse.objects.filter(survey=made).exists()
    assert not Invitation.objects.filter(survey=made).exists()
    assert not InvitationLink.objects.filter(invitation__survey=made).exists()
    assert not Choice.objects.filter(question__survey=made, answers__isnull=False).exists()
    assert (made.status, made.published_at, made.invitations_sent_at) == ("draft", None, None)
    assert (made.reminders_sent_at, made.answers_sealed_at) == (None, None)
    assert made.short_code != source.short_code
    # The earlier survey keeps everything.
    assert Response.objects.filter(survey=source).count() == 2
    assert SealedResponse.objects.filter(survey=source).count() == 1
    assert Invitation.objects.filter(survey=source).count() == 4
    assert InvitationLink.objects.filter(invitation__survey=source).count() == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (Survey.Kind.POST_EVENT, "Choose the session this survey follows."),
        (Survey.Kind.CAUCUS, "Choose the caucus this survey is for."),
    ],
)
def test_a_copy_needs_its_session_or_caucus(kind, message):
    template = _templates()[kind]

    with pytest.raises(ValidationError) as refused:
        survey_copy(template, by=None, **_window())

    assert refused.value.messages == [message]
    assert Survey.objects.filter(is_template=False).count() == 0


# A session's standard survey ----------------------------------------------------------------


@pytest.fixture
def after_template():
    return _templates()[Survey.Kind.POST_EVENT]


def _standard(event):
    return Survey.objects.filter(event=event, is_standard_for_event=True)


def test_it_is_made_once_when_the_session_ends(organiser, after_template):
    session = EventFactory(title="Naming racism", started=True)
    standard_survey_choose(event=session, template=after_template, by=organiser)

    assert standard_surveys_make() == 0  # still going on
    now = session.ends_at + timedelta(minutes=5)
    assert standard_surveys_make(now=now) == 1
    assert standard_surveys_make(now=now) == 0

    made = _standard(session).get()
    assert made.title == "After the session: Naming racism"
    assert (made.kind, made.status, made.is_anonymous) == ("post_event", "published", True)
    assert (made.opens_at, made.closes_at) == (
        session.ends_at,
        session.ends_at + timedelta(days=14),
    )
    assert _questions(made) == _questions(after_template)
    assert made.created_by == organiser


def test_a_second_one_for_the_session_is_refused_by_the_table(organiser, after_template):
    session = EventFactory(past=True)
    standard_survey_choose(event=session, template=after_template, by=organiser)
    standard_surveys_make()

    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(
            title="Again", slug="again", kind="post_event", event=session,
            is_standard_for_event=True, **_window(),
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_it_once(organiser):
    template = _templates()[Survey.Kind.POST_EVENT]
    session = EventFactory(past=True)
    standard_survey_choose(event=session, template=template, by=organiser)
    made = []

    def run():
        try:
            made.append(standard_surveys_make())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(made) == [0, 1]
    assert _standard(session).count() == 1


def test_none_is_made_for_a_cancelled_session_or_one_long_past(organiser, after_template):
    cancelled = EventFactory(past=True, status=Event.Status.CANCELLED)
    # Ended more than two weeks ago: its survey would already have closed.
    long_past = EventFactory(
        starts_at=timezone.now() - timedelta(days=15), duration=timedelta(hours=1)
    )
    for session in (cancelled, long_past):
        StandardSurvey.objects.create(event=session, template=after_template)

    assert standard_surveys_make() == 0
    assert not Survey.objects.filter(is_standard_for_event=True).exists()


def test_the_choice_is_fixed_once_the_survey_is_made(organiser, after_template):
    session = EventFactory(past=True)
    standard_survey_choose(event=session, template=after_template, by=organiser)
    standard_surveys_make()

    with pytest.raises(ValidationError, match="already been made"):
        standard_survey_choose(event=session, template=None, by=organiser)
    assert StandardSurvey.objects.filter(event=session).exists()


def test_only_a_template_for_after_a_session_may_be_chosen(organiser):
    templates = _templates()
    session = EventFactory()
    for not_allowed in (templates[Survey.Kind.CHECK_IN], SurveyFactory(after_event=True)):
        with pytest.raises(ValidationError, match="templates for after a session"):
            standard_survey_choose(event=session, template=not_allowed, by=organiser)
    assert not StandardSurvey.objects.exists()


def _summary_publish(event, organiser):
    return events_organise.event_summary_publish(
        event=event, user=organiser, outcome_summary="What we learned.", key_takeaways="",
        recording_url="", slides_url="",
    )  # fmt: skip


def test_the_email_after_the_session_carries_it_in_one_email(organiser, after_template):
    session = EventFactory(past=True, title="Naming racism")
    came = UserFactory()
    AttendanceFactory(event=session, member=came)
    standard_survey_choose(event=session, template=after_template, by=organiser)
    _summary_publish(session, organiser)

    scheduled_run("after-session-emails")
    after_session_emails_send()  # the next run

    made = _standard(session).get()
    sent = [m for m in mail_sent() if came.email in m.to]
    assert [m.subject for m in sent] == [
        "[CoP Portal] After Naming racism: the summary and one thing to do"
    ]
    assert "Tell us how the session went (After the session: Naming racism, open until" in (
        sent[0].body
    )
    invitation = Invitation.objects.get(survey=made)
    assert (invitation.member, invitation.links.count()) == (came, 1)
    # The survey has gone out: its page says so, and inviting now adds nobody twice.
    made.refresh_from_db()
    assert made.invitations_sent_at is not None
    assert survey_invite(survey=made) == 0


def test_a_caucus_sessions_survey_goes_to_none_outside_the_caucus(
    client, ground_rules, organiser, after_template
):
    caucus = CaucusFactory()
    stayed = caucus_member(caucus, agreed_to=ground_rules)
    left = caucus_member(caucus, agreed_to=ground_rules)
    outsider = UserFactory(agreed_to=ground_rules)
    session = EventFactory(past=True, caucus=caucus, title="Caucus circle")
    for person in (stayed, left):
        AttendanceFactory(event=session, member=person)
    left.caucus_membership.delete()
    standard_survey_choose(event=session, template=after_template, by=organiser)
    _summary_publish(session, organiser)

    after_session_emails_send()

    made = _standard(session).get()
    assert list(Invitation.objects.filter(survey=made).values_list("member", flat=True)) == [
        stayed.pk
    ]
    assert [m.to for m in mail_sent() if "Caucus circle" in m.subject] == [[stayed.email]]
    for person in (left, outsider):
        client.force_login(person)
        assert client.get(reverse("surveys:respond", args=[made.slug])).status_code == 403
        assert made not in surveys_waiting(member=person)
