"""A survey's short link and QR code, for a slide: the organiser's page shows them; the link
takes a signed-in member to the survey page and tells a visitor nothing."""

import re

import pytest
from django.urls import reverse

from surveys.models import SHORT_CODE_LETTERS, Survey
from tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_the_organisers_page_shows_the_short_link_and_its_qr_code(organiser_client):
    survey = SurveyFactory(title="How was Naming racism?")

    page = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk]))

    address = f"http://127.0.0.1:8000/q/{survey.short_code}/"
    assert page.context["short_link"] == address
    html = page.content.decode()
    assert f'<a href="{address}">{address}</a>' in html
    assert f'<div role="img" aria-label="QR code for {address}"><svg' in html


def test_codes_are_random_and_readable(db):
    codes = [SurveyFactory().short_code for _ in range(20)]

    assert len(set(codes)) == 20
    assert all(re.fullmatch(f"[{SHORT_CODE_LETTERS}]{{8}}", code) for code in codes)
    assert not any(str(pk) in codes for pk in Survey.objects.values_list("pk", flat=True))


def test_the_short_link_takes_a_member_to_the_survey_page(member_client):
    survey = SurveyFactory()

    response = member_client.get(reverse("surveys:short", args=[survey.short_code]))

    assert (response.status_code, response["Location"]) == (302, survey.get_absolute_url())


def test_a_visitor_is_asked_to_sign_in_and_learns_nothing_of_the_survey(client):
    survey = SurveyFactory(slug="black-staff-caucus-check-in")
    short = reverse("surveys:short", args=[survey.short_code])

    response = client.get(short)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={short}"
    assert survey.slug not in response["Location"]


def test_an_unknown_code_is_not_found(member_client):
    assert member_client.get(reverse("surveys:short", args=["zzzzzzzz"])).status_code == 404


def test_a_code_with_characters_no_code_has_is_not_found(member_client):
    """A NUL byte, which the database refuses in text, answers 404 like any unknown code."""
    for code in ("%00", "abc%00def", "ABCDEFGH", "été"):
        assert member_client.get(f"/q/{code}/").status_code == 404
