"""The 0 to 10 question on the survey page: one radio group in a fieldset whose legend is the
question, eleven labelled options 0 to 10 whose ends say what they mean, drawn as a row of
buttons; an answer given is kept when another is missing."""

import re

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _survey(member):
    survey = SurveyFactory(title="After the session")
    nps = QuestionFactory(survey=survey, kind="nps", text="Would you recommend the CoP?")
    other = QuestionFactory(survey=survey, kind="text", text="Why?")
    InvitationFactory(survey=survey, member=member)
    return survey, nps, other


def _fieldset(html, question):
    block = html.split(f'id="div_id_q{question.pk}"', 1)[1]
    return block.split("</fieldset>", 1)[0]


def test_the_scale_is_one_radio_group_with_labelled_ends(member_client, member):
    survey, nps, _ = _survey(member)

    html = member_client.get(survey.get_absolute_url()).content.decode()

    block = _fieldset(html, nps)
    assert f'<fieldset aria-describedby="id_q{nps.pk}_helptext">' in block
    assert re.search(r"<legend[^>]*>Would you recommend the CoP\?<span", block)
    radios = re.findall(
        rf'<input type="radio" name="q{nps.pk}" value="(\d+)" class="btn-check"', block
    )
    assert radios == [str(v) for v in range(11)]
    labels = re.findall(r'<label for="[^"]+" class="btn btn-outline-primary">(.*?)</label>', block)
    assert labels[0] == '0<span class="visually-hidden"> – not at all likely</span>'
    assert labels[1:10] == [str(v) for v in range(1, 10)]
    assert labels[10] == '10<span class="visually-hidden"> – extremely likely</span>'
    assert '<div class="nps-scale">' in block
    assert (
        '<div class="nps-scale-ends" aria-hidden="true"><span>Not at all likely</span>'
        "<span>Extremely likely</span></div>"
    ) in block
    assert "0 is not at all likely, 10 is extremely likely." in block


def test_a_scale_answer_is_kept_and_a_missing_one_is_said_beside_the_scale(member_client, member):
    survey, nps, other = _survey(member)
    url = reverse("surveys:respond", args=[survey.slug])

    html = member_client.post(url, {f"q{other.pk}": "Because"}).content.decode()
    block = _fieldset(html, nps)
    assert f'aria-describedby="id_q{nps.pk}_helptext id_q{nps.pk}_error"' in block
    assert f'<div id="id_q{nps.pk}_error" class="invalid-feedback d-block">' in block
    assert "This field is required." in block

    html = member_client.post(url, {f"q{nps.pk}": "7"}).content.decode()
    seven = re.search(rf'<input type="radio" name="q{nps.pk}" value="7"[^>]*>', html)[0]
    assert "checked" in seven
