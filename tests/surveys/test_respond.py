import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Choice, Invitation, Question, Response, SealedResponse, Survey
from surveys.selectors.organise import surveys_with_rates
from surveys.selectors.results import median_from_counts, response_rate
from surveys.services.respond import response_submit

from ..factories import OrganisationFactory, UserFactory, answers_release

pytestmark = pytest.mark.django_db


def _survey(*, anonymous=True, **fields):
    now = timezone.now()
    survey = Survey.objects.create(
        title=fields.pop("title", "How was the session?"),
        slug=fields.pop("slug", "how-was-it"),
        kind=Survey.Kind.COP_WIDE,
        is_anonymous=anonymous,
        status=fields.pop("status", Survey.Status.PUBLISHED),
        opens_at=fields.pop("opens_at", now - datetime.timedelta(days=1)),
        closes_at=fields.pop("closes_at", now + datetime.timedelta(days=7)),
        **fields,
    )
    scale = Question.objects.create(survey=survey, order=1, text="It was useful", kind="agreement")
    pick = Question.objects.create(survey=survey, order=2, text="Which part?", kind="single")
    Choice.objects.create(question=pick, text="Talks", order=1)
    Choice.objects.create(question=pick, text="Groups", order=2)
    text = Question.objects.create(
        survey=survey, order=3, text="Anything else?", kind="text", required=False
    )
    return survey, scale, pick, text


def _invite(survey, member):
    return Invitation.objects.create(survey=survey, member=member)


def _nothing_stored():
    """No response stored, released or still sealed."""
    return not Response.objects.exists() and not SealedResponse.objects.exists()


def test_an_anonymous_response_cannot_be_joined_back_to_its_respondent():
    """Checked from the database side: no column of any survey table points at the person, and
    no time finer than the day is stored beside the answer."""
    survey, scale, pick, text = _survey()
    member = UserFactory(organisation=OrganisationFactory(name="Riverside NHS Trust"))
    _invite(survey, member)
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
    survey, scale, pick, _ = _survey(anonymous=False)
    member = UserFactory()
    _invite(survey, member)
    response_submit(survey=survey, member=member, answers={scale: 2, pick: pick.choices.last()})
    assert Response.objects.get().member == member


def test_a_second_response_is_refused_and_the_first_kept():
    survey, scale, pick, _ = _survey()
    member = UserFactory()
    _invite(survey, member)
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
        {"opens_at": timezone.now() - datetime.timedelta(days=3),
         "closes_at": timezone.now() - datetime.timedelta(days=1)},
    ],
)  # fmt: skip
def test_a_survey_outside_its_dates_takes_no_answers(when):
    survey, scale, _pick, _ = _survey(**when)
    member = UserFactory()
    _invite(survey, member)
    with pytest.raises(ValidationError) as caught:
        response_submit(survey=survey, member=member, answers={scale: 3})
    assert caught.value.messages == ["This survey is not open for answers."]
    assert _nothing_stored()


def test_a_missing_required_answer_stores_nothing():
    survey, scale, _pick, _ = _survey()
    member = UserFactory()
    _invite(survey, member)
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
        _invite(survey, member)
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
    _invite(survey, member)
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
    _invite(survey, member)
    data = {f"q{scale.pk}": "3", f"q{pick.pk}": pick.choices.first().pk} | tamper(scale, pick)
    response = _post(member_client, survey, data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert _nothing_stored()


def test_a_question_id_from_another_survey_is_ignored(member_client, member):
    survey, scale, pick, _ = _survey()
    _other, other_scale, _, _ = _survey(slug="other", title="Other")
    _invite(survey, member)
    _post(member_client, survey, {f"q{scale.pk}": "3", f"q{pick.pk}": pick.choices.first().pk,
                                  f"q{other_scale.pk}": "5"})  # fmt: skip
    answers_release(survey)
    assert list(Answer.objects.values_list("question_id", flat=True).order_by("question_id")) == [
        scale.pk,
        pick.pk,
    ]


def test_the_page_says_whether_the_survey_is_anonymous(member_client, member):
    survey, *_ = _survey()
    named, *_ = _survey(anonymous=False, slug="named", title="Named")
    _invite(survey, member)
    _invite(named, member)
    assert (
        "This survey is anonymous." in member_client.get(survey.get_absolute_url()).content.decode()
    )
    assert (
        "This survey is not anonymous."
        in member_client.get(named.get_absolute_url()).content.decode()
    )


def test_a_second_visit_after_answering_says_so(member_client, member):
    survey, scale, pick, _ = _survey()
    _invite(survey, member)
    response_submit(survey=survey, member=member, answers={scale: 4, pick: pick.choices.first()})
    html = member_client.get(survey.get_absolute_url()).content.decode()
    assert "You have already answered this survey. Thank you." in html
    assert "Send my answers" not in html
    _post(member_client, survey, {f"q{scale.pk}": "1", f"q{pick.pk}": pick.choices.first().pk})
    assert answers_release(survey) == 1
    assert Response.objects.count() == 1


def test_a_closed_survey_says_so(member_client, member):
    survey, *_ = _survey(opens_at=timezone.now() - datetime.timedelta(days=5),
                         closes_at=timezone.now() - datetime.timedelta(days=1))  # fmt: skip
    _invite(survey, member)
    assert (
        "This survey has closed." in member_client.get(survey.get_absolute_url()).content.decode()
    )


def test_a_survey_for_others_is_403_and_a_draft_is_404(member_client):
    survey, *_ = _survey()
    assert member_client.get(survey.get_absolute_url()).status_code == 403
    draft, *_ = _survey(slug="draft", title="Draft", status=Survey.Status.DRAFT)
    assert member_client.get(draft.get_absolute_url()).status_code == 404


def test_waiting_surveys_show_on_the_home_page_until_answered(member_client, member):
    survey, scale, pick, _ = _survey(title="Tell us about the webinar")
    _invite(survey, member)
    assert (
        "Tell us about the webinar" in member_client.get(reverse("members:home")).content.decode()
    )
    response_submit(survey=survey, member=member, answers={scale: 4, pick: pick.choices.first()})
    assert (
        "Tell us about the webinar"
        not in member_client.get(reverse("members:home")).content.decode()
    )


def test_the_survey_form_queries_do_not_grow_with_choice_questions(member_client, member):
    """Options come from the prefetched choices, not a query per choice question."""
    survey, *_ = _survey()
    _invite(survey, member)

    def queries():
        member_client.get(survey.get_absolute_url())  # warm the caches first
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(survey.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    small = queries()
    for n in range(4):
        extra = Question.objects.create(
            survey=survey, order=10 + n, text=f"Pick {n}", kind="multiple"
        )
        Choice.objects.create(question=extra, text="Yes", order=1)
        Choice.objects.create(question=extra, text="No", order=2)
    assert queries() == small
