"""The answering page as kept (surveys.caching.answering_page_kept): drawn once for everyone
invited with an empty form, served only to a member for whom it is kept that they may answer
now, with their own CSRF token. The tests are attacks on what is kept: served to someone not
invited (a caucus survey to someone outside the caucus), with another member's token or typed
answers, or after a change, an answer or the closing time."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.forms.respond import ResponseForm
from surveys.selectors.respond import questions_of
from surveys.services.organise import question_save, survey_invite, survey_publish, survey_save
from surveys.services.respond import response_submit
from tests.factories import (
    CaucusFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def _survey(**fields):
    survey = SurveyFactory(title="Autumn check-in", **fields)
    scale = QuestionFactory(survey=survey, text="It was useful")
    text = QuestionFactory(survey=survey, text="Anything else?", kind="text", required=False)
    return survey, scale, text


def _signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _page(client, survey) -> str:
    response = client.get(survey.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _main(html: str) -> str:
    """The page's main content, without its CSRF tokens."""
    return TOKEN.sub("", html[html.index("<main") : html.index("</main>")])


def _form_tokens(html: str) -> list[str]:
    """The CSRF tokens in the page's forms (the header's sign-out form and the survey's)."""
    return TOKEN.findall(html)


def test_the_kept_page_is_served_without_a_query_and_as_drawn_afresh(member_client, member):
    """The second view asks the database nothing, and shows exactly the questions' markup
    (labels, fieldsets, legends and hints) that the form draws on its own."""
    survey, *_ = _survey()
    InvitationFactory(survey=survey, member=member)
    first = _page(member_client, survey)
    with CaptureQueriesContext(connection) as captured:
        second = _page(member_client, survey)
    assert len(captured.captured_queries) == 0
    drawn = str(ResponseForm(questions=questions_of(survey=survey)).markup())
    assert drawn in first
    assert drawn in second
    assert _main(first) == _main(second)


def test_each_request_gets_its_own_csrf_token_and_the_answer_is_taken(member, ground_rules):
    """The kept page holds no token: each member's page carries a token for their own session
    (the one Django checks), never the one of whoever was served first."""
    survey, scale, _ = _survey()
    other = UserFactory(agreed_to=ground_rules)
    InvitationFactory(survey=survey, member=member)
    InvitationFactory(survey=survey, member=other)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(member)
    second.force_login(other)

    first_tokens = _form_tokens(_page(first, survey))
    second_tokens = _form_tokens(_page(second, survey))

    assert len(first_tokens) == len(second_tokens) == 2
    assert "csrf-token-placeholder" not in "".join(first_tokens + second_tokens)
    assert not set(first_tokens) & set(second_tokens)
    # The first member's token is no use in the second member's session.
    refused = second.post(
        survey.get_absolute_url(),
        {"csrfmiddlewaretoken": first_tokens[-1], f"q{scale.pk}": "4"},
    )
    assert refused.status_code == 403
    response = second.post(
        survey.get_absolute_url(),
        {"csrfmiddlewaretoken": second_tokens[-1], f"q{scale.pk}": "4"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])


def test_a_page_kept_for_an_invited_member_is_never_served_to_one_not_invited(member, ground_rules):
    survey, *_ = _survey()
    InvitationFactory(survey=survey, member=member)
    assert "It was useful" in _page(_signed_in(member), survey)

    outsider = _signed_in(UserFactory(agreed_to=ground_rules))
    response = outsider.get(survey.get_absolute_url())
    assert response.status_code == 403
    assert "It was useful" not in response.content.decode()


def test_a_caucus_survey_kept_for_its_caucus_is_never_served_outside_it(member, ground_rules):
    rules = ground_rules
    caucus = CaucusFactory(name="Zephyr caucus", slug="zephyr")
    inside = caucus_member(caucus, agreed_to=rules)
    survey = SurveyFactory(title="Zephyr check-in", caucus=caucus)
    QuestionFactory(survey=survey, text="How did the Zephyr caucus meeting go?")
    assert survey_invite(survey=survey) == 1
    assert "How did the Zephyr caucus meeting go?" in _page(_signed_in(inside), survey)

    response = _signed_in(member).get(survey.get_absolute_url())
    assert response.status_code == 403
    assert "Zephyr" not in response.content.decode()


def test_being_invited_through_the_service_opens_the_page_on_the_next_request(member):
    survey, *_ = _survey()
    client = _signed_in(member)
    assert client.get(survey.get_absolute_url()).status_code == 403

    survey_invite(survey=survey)

    assert "It was useful" in _page(client, survey)


def test_a_bound_form_with_errors_shows_what_was_typed_and_the_kept_page_never_does(
    member, ground_rules
):
    """The page is kept first; a sent form missing a required answer comes back with the
    errors, linked to their question, and the text typed. Neither the typed text nor the
    errors reach the kept page, for this member or another."""
    survey, scale, text = _survey()
    other = UserFactory(agreed_to=ground_rules)
    InvitationFactory(survey=survey, member=member)
    InvitationFactory(survey=survey, member=other)
    client = _signed_in(member)
    _page(client, survey)

    sent = client.post(survey.get_absolute_url(), {f"q{text.pk}": "Typed <b>before</b>"})

    html = sent.content.decode()
    assert sent.status_code == 200
    assert "Typed &lt;b&gt;before&lt;/b&gt;</textarea>" in html
    error = f'<p id="error_1_id_q{scale.pk}"><strong>This field is required.</strong></p>'
    assert error in html
    assert f'<fieldset aria-describedby="id_q{scale.pk}_error">' in html
    assert "Some answers need another look" in html
    for viewer in (client, _signed_in(other)):
        again = _page(viewer, survey)
        assert "Typed" not in again
        assert "This field is required." not in again
        assert 'aria-invalid="true"' not in again


def test_an_answer_through_the_service_ends_the_kept_form_on_the_next_request(
    member_client, member
):
    survey, scale, _ = _survey()
    InvitationFactory(survey=survey, member=member)
    assert "Send my answers" in _page(member_client, survey)

    response_submit(survey=survey, member=member, answers={scale: 4})

    html = _page(member_client, survey)
    assert "You have already answered this survey. Thank you." in html
    assert "Send my answers" not in html


def test_the_kept_form_is_not_served_once_the_survey_has_closed(member_client, member):
    survey, *_ = _survey(closes_at=timezone.now() + datetime.timedelta(minutes=10))
    InvitationFactory(survey=survey, member=member)
    assert "Send my answers" in _page(member_client, survey)

    with time_machine.travel(survey.closes_at + datetime.timedelta(seconds=1), tick=False):
        html = _page(member_client, survey)

    assert "This survey has closed." in html
    assert "Send my answers" not in html


def test_a_change_through_the_services_shows_on_the_next_request(member_client, member):
    survey, scale, _ = _survey(draft=True)
    InvitationFactory(survey=survey, member=member)
    assert member_client.get(survey.get_absolute_url()).status_code == 404

    survey_publish(survey=survey)
    assert "It was useful" in _page(member_client, survey)

    question_save(question=scale, text="It was worth the time")
    assert "It was worth the time" in _page(member_client, survey)

    survey_save(survey=survey, closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "This survey has closed." in _page(member_client, survey)


def test_a_survey_renamed_through_the_service_keeps_no_page_under_its_old_address(
    member_client, member
):
    survey, *_ = _survey()
    InvitationFactory(survey=survey, member=member)
    old_address = survey.get_absolute_url()
    _page(member_client, survey)

    survey_save(survey=survey, slug="winter-check-in")

    assert member_client.get(old_address).status_code == 404
    assert "Autumn check-in" in _page(member_client, survey)


def test_the_kept_page_runs_the_same_queries_however_many_questions(
    member_client, member, same_queries_at_two_sizes
):
    """Drawn afresh (the surveys' generation moved on before each view), the page reads the
    survey, its questions and their choices in a fixed number of queries."""
    survey, *_ = _survey()
    InvitationFactory(survey=survey, member=member)

    def add_questions(count):
        for n in range(count):
            QuestionFactory(survey=survey, text=f"Pick {n}", kind="multiple", choices=["Yes", "No"])

    sizes = same_queries_at_two_sizes(
        member_client,
        survey.get_absolute_url(),
        grow=add_questions,
        sizes=(1, 4),
        before_each=lambda: survey_save(survey=survey, intro=f"Asked at {timezone.now()}"),
    )
    # The agreement question and the five choice questions, each a fieldset with its legend.
    assert sizes.large.content.decode().count('<legend class="form-label') == 6
    assert sizes.queries <= 10
