"""Answering a survey, end to end: the write and its rules (anonymity, one response each, who is
invited, the dates), the response-rate arithmetic, then the survey page itself."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from surveys.caching import results_changed
from surveys.models import Answer, Invitation, Response, SealedResponse
from surveys.selectors.organise import surveys_with_rates
from surveys.selectors.results import median_from_counts, response_rate
from surveys.services.respond import response_submit
from tests.factories import (
    InvitationFactory,
    OrganisationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    answers_release,
)

pytestmark = pytest.mark.django_db


def _survey(*, title="How was the session?", **fields):
    """An open survey asking how useful it was, which part helped (of two) and, optionally,
    anything else."""
    survey = SurveyFactory(title=title, **fields)
    scale = QuestionFactory(survey=survey, text="It was useful")
    pick = QuestionFactory(
        survey=survey, text="Which part?", kind="single", choices=["Talks", "Groups"]
    )
    text = QuestionFactory(survey=survey, text="Anything else?", kind="text", required=False)
    return survey, scale, pick, text


def _nothing_stored():
    """No response stored, released or still sealed."""
    return not Response.objects.exists() and not SealedResponse.objects.exists()


def test_an_anonymous_response_cannot_be_joined_back_to_its_respondent():
    """Checked from the database side: no column of any survey table points at the person, and
    no time finer than the day is stored beside the answer."""
    survey, scale, pick, text = _survey()
    member = UserFactory(organisation=OrganisationFactory(name="Riverside NHS Trust"))
    InvitationFactory(survey=survey, member=member)
    response_submit(
        survey=survey,
        member=member,
        answers={scale: 4, pick: pick.choices.first(), text: "More time for groups."},
    )
    answers_release(survey)
    response = Response.objects.get()
    assert response.member_id is None
    assert isinstance(response.pk, __import__("uuid").UUID)
    assert Invitation.objects.get().responded is True

    with connection.cursor() as cursor:
        # No column anywhere in the survey tables holds the member's id next to an answer.
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('surveys_response', 'surveys_answer', 'surveys_sealedresponse')"
        )
        columns = cursor.fetchall()
        cursor.execute("SELECT member_id FROM surveys_response")
        assert cursor.fetchall() == [(None,)]
        cursor.execute(
            "SELECT count(*) FROM surveys_answer a JOIN surveys_response r ON a.response_id = r.id"
            " JOIN surveys_invitation i ON i.survey_id = r.survey_id WHERE i.member_id = %s"
            " AND (r.member_id = i.member_id)",
            [member.pk],
        )
        assert cursor.fetchone() == (0,)
    time_columns = {
        (table, name) for table, name, kind in columns if "timestamp" in kind or kind == "time"
    }
    assert time_columns == set()
    invitation_columns = {f.column for f in Invitation._meta.concrete_fields}
    assert invitation_columns == {
        "id", "survey_id", "member_id", "invited_on", "reminded_on", "responded",
    }  # fmt: skip


def test_a_named_response_records_the_member():
    survey, scale, pick, _ = _survey(named=True)
    member = UserFactory()
    InvitationFactory(survey=survey, member=member)
    response_submit(survey=survey, member=member, answers={scale: 2, pick: pick.choices.last()})
    assert Response.objects.get().member == member


def test_a_second_response_is_refused_and_the_first_kept():
    survey, scale, pick, _ = _survey()
    member = UserFactory()
    InvitationFactory(survey=survey, member=member)
    response_submit(survey=survey, member=member, answers={scale: 5, pick: pick.choices.first()})
    with pytest.raises(ValidationError) as caught:
        response_submit(
            survey=survey, member=member, answers={scale: 1, pick: pick.choices.first()}
        )
    assert caught.value.messages == ["You have already answered this survey. Thank you."]
    assert answers_release(survey) == 1
    assert list(Answer.objects.filter(question=scale).values_list("value", flat=True)) == [5]


def test_someone_not_invited_cannot_answer():
    survey, scale, _pick, _ = _survey()
    with pytest.raises(PermissionDenied):
        response_submit(survey=survey, member=UserFactory(), answers={scale: 3})
    assert _nothing_stored()


@pytest.mark.parametrize(
    "when",
    [
        {"opens_at": timezone.now() + datetime.timedelta(days=1),
         "closes_at": timezone.now() + datetime.timedelta(days=3)},
        {"closed": True},
    ],
)  # fmt: skip
def test_a_survey_outside_its_dates_takes_no_answers(when):
    survey, scale, _pick, _ = _survey(**when)
    member = UserFactory()
    InvitationFactory(survey=survey, member=member)
    with pytest.raises(ValidationError) as caught:
        response_submit(survey=survey, member=member, answers={scale: 3})
    assert caught.value.messages == ["This survey is not open for answers."]
    assert _nothing_stored()


def test_a_missing_required_answer_stores_nothing():
    survey, scale, _pick, _ = _survey()
    member = UserFactory()
    InvitationFactory(survey=survey, member=member)
    with pytest.raises(ValidationError) as caught:
        response_submit(survey=survey, member=member, answers={scale: 3})
    assert caught.value.messages == ["“Which part?” needs an answer."]
    assert _nothing_stored()
    assert Invitation.objects.get().responded is False


def test_response_rate_arithmetic():
    assert response_rate(8, 66) == 0.1212
    assert response_rate(0, 10) == 0.0
    assert response_rate(3, 3) == 1.0
    assert response_rate(0, 0) is None


def test_survey_list_counts_invited_and_responded():
    survey, scale, pick, _ = _survey()
    members = UserFactory.create_batch(4)
    for member in members:
        InvitationFactory(survey=survey, member=member)
    for member in members[:3]:
        response_submit(
            survey=survey, member=member, answers={scale: 4, pick: pick.choices.first()}
        )
    row = surveys_with_rates().get(pk=survey.pk)
    assert (row.invited, row.responded) == (4, 3)
    assert response_rate(row.responded, row.invited) == 0.75


@pytest.mark.parametrize(
    ("values", "median"),
    [
        ({1: 1, 2: 2, 5: 1}, 2.0),
        ({1: 1, 4: 1}, 2.5),
        ({3: 5}, 3.0),
        ({}, None),
        ({0: 2, 10: 1}, 0.0),
    ],
)
def test_median_from_counts(values, median):
    assert median_from_counts(values) == median


# Through the pages ---------------------------------------------------------------------------


def _post(client, survey, data):
    return client.post(reverse("surveys:respond", args=[survey.slug]), data)


def test_a_missing_required_answer_comes_back_with_the_other_answers_kept(member_client, member):
    survey, scale, pick, text = _survey()
    InvitationFactory(survey=survey, member=member)
    response = _post(member_client, survey, {f"q{scale.pk}": "4", f"q{text.pk}": "Kept text"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert 'value="4" checked' in html.replace('checked value="4"', 'value="4" checked') or (
        "checked" in html.split(f'id="id_q{scale.pk}_3"')[1].split(">")[0]
    )
    assert "Kept text</textarea>" in html
    assert _nothing_stored()

    choice = pick.choices.first()
    response = _post(member_client, survey, {f"q{scale.pk}": "4", f"q{pick.pk}": choice.pk,
                                             f"q{text.pk}": "Kept text"})  # fmt: skip
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    answers_release(survey)
    assert Answer.objects.filter(question=text).get().text == "Kept text"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s, p: {f"q{s.pk}": "9"},  # off the 1–5 scale
        lambda s, p: {f"q{p.pk}": "999999"},  # not one of this question's choices
        lambda s, p: {f"q{p.pk}": "abc"},
    ],
)
def test_answers_off_the_list_are_refused(member_client, member, tamper):
    survey, scale, pick, _ = _survey()
    InvitationFactory(survey=survey, member=member)
    data = {f"q{scale.pk}": "3", f"q{pick.pk}": pick.choices.first().pk} | tamper(scale, pick)
    response = _post(member_client, survey, data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert _nothing_stored()


def test_a_question_id_from_another_survey_is_ignored(member_client, member):
    survey, scale, pick, _ = _survey()
    _other, other_scale, _, _ = _survey(title="Other")
    InvitationFactory(survey=survey, member=member)
    _post(member_client, survey, {f"q{scale.pk}": "3", f"q{pick.pk}": pick.choices.first().pk,
                                  f"q{other_scale.pk}": "5"})  # fmt: skip
    answers_release(survey)
    assert list(Answer.objects.values_list("question_id", flat=True).order_by("question_id")) == [
        scale.pk,
        pick.pk,
    ]


def test_the_page_says_whether_the_survey_is_anonymous(member_client, member):
    survey, *_ = _survey()
    named, *_ = _survey(named=True, title="Named")
    InvitationFactory(survey=survey, member=member)
    InvitationFactory(survey=named, member=member)
    assert (
        "This survey is anonymous." in member_client.get(survey.get_absolute_url()).content.decode()
    )
    assert (
        "This survey is not anonymous."
        in member_client.get(named.get_absolute_url()).content.decode()
    )


def test_a_second_visit_after_answering_says_so(member_client, member):
    survey, scale, pick, _ = _survey()
    InvitationFactory(survey=survey, member=member)
    response_submit(survey=survey, member=member, answers={scale: 4, pick: pick.choices.first()})
    html = member_client.get(survey.get_absolute_url()).content.decode()
    assert "You have already answered this survey. Thank you." in html
    assert "Send my answers" not in html
    _post(member_client, survey, {f"q{scale.pk}": "1", f"q{pick.pk}": pick.choices.first().pk})
    assert answers_release(survey) == 1
    assert Response.objects.count() == 1


def test_a_closed_survey_says_so(member_client, member):
    survey, *_ = _survey(closed=True)
    InvitationFactory(survey=survey, member=member)
    assert (
        "This survey has closed." in member_client.get(survey.get_absolute_url()).content.decode()
    )


def test_a_survey_for_others_is_403_and_a_draft_is_404(member_client):
    survey, *_ = _survey()
    assert member_client.get(survey.get_absolute_url()).status_code == 403
    draft, *_ = _survey(title="Draft", draft=True)
    assert member_client.get(draft.get_absolute_url()).status_code == 404


def test_waiting_surveys_show_on_the_home_page_until_answered(member_client, member):
    survey, scale, pick, _ = _survey(title="Tell us about the webinar")
    InvitationFactory(survey=survey, member=member)
    assert (
        "Tell us about the webinar" in member_client.get(reverse("members:home")).content.decode()
    )
    response_submit(survey=survey, member=member, answers={scale: 4, pick: pick.choices.first()})
    assert (
        "Tell us about the webinar"
        not in member_client.get(reverse("members:home")).content.decode()
    )


def test_the_survey_form_queries_do_not_grow_with_choice_questions(
    member_client, member, same_queries_at_two_sizes
):
    """Options come from the prefetched choices, not a query per choice question."""
    survey, *_ = _survey()
    InvitationFactory(survey=survey, member=member)

    def add_choice_questions(count):
        for n in range(count):
            QuestionFactory(survey=survey, text=f"Pick {n}", kind="multiple", choices=["Yes", "No"])

    same_queries_at_two_sizes(
        member_client,
        survey.get_absolute_url(),
        grow=add_choice_questions,
        sizes=(0, 4),
        before_each=lambda: results_changed(survey.pk),  # drawn afresh, not the kept page
    )
