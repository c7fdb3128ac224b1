"""Routes by which an organiser without `events.view_caucus_choice` could learn who is in a
caucus (issue 13, item 1). Each test is the attack, and it must fail."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.services import organise
from surveys.models import Survey
from surveys.services.organise import survey_invite, survey_save
from tests.factories import (
    CaucusFactory,
    EventFactory,
    QuestionFactory,
    RegistrationFactory,
    SurveyFactory,
    caucus_member,
    permission_give,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def caucus():
    return CaucusFactory(name="Zephyr caucus", slug="zephyr")


@pytest.fixture
def booked_caucus_session(caucus):
    event = EventFactory(title="Zephyr gathering", caucus=caucus)
    RegistrationFactory(event=event, member=caucus_member(caucus))
    return event


# Relabelling a caucus session to read its register ------------------------------------------


def test_a_booked_caucus_session_cannot_become_an_open_session(booked_caucus_session):
    with pytest.raises(ValidationError, match="Cancel it and add a new session instead"):
        organise.event_save(event=booked_caucus_session, caucus=None)

    assert Event.objects.get(pk=booked_caucus_session.pk).caucus_id is not None


def test_a_booked_open_session_cannot_become_a_caucus_session(caucus):
    event = EventFactory(title="Open webinar")
    RegistrationFactory(event=event)

    with pytest.raises(ValidationError, match="cannot change now"):
        organise.event_save(event=event, caucus=caucus)


def test_the_edit_page_refuses_the_relabelling_and_keeps_the_session(
    organiser_client, booked_caucus_session
):
    from tests.events.views.test_organise import _event_data

    response = organiser_client.post(
        reverse("events:event_edit", args=[booked_caucus_session.pk]),
        _event_data(title="Zephyr gathering", caucus=""),
    )

    assert response.status_code == 200
    assert "whether it is a caucus session, and for which caucus, cannot change now" in (
        response.content.decode()
    )
    booked_caucus_session.refresh_from_db()
    assert booked_caucus_session.caucus.name == "Zephyr caucus"
    register = organiser_client.get(
        reverse("events:event_attendance", args=[booked_caucus_session.pk])
    )
    assert register.status_code == 403


def test_an_unbooked_session_may_still_change_its_caucus(caucus):
    event = EventFactory(title="Not yet booked")

    organise.event_save(event=event, caucus=caucus)

    assert Event.objects.get(pk=event.pk).caucus == caucus


# Relabelling a caucus survey after its invitations went --------------------------------------


def _caucus_survey(caucus):
    survey = SurveyFactory(title="Zephyr check-in", caucus=caucus)
    QuestionFactory(survey=survey, text="How was it?", kind="text")
    return survey


def test_a_caucus_survey_cannot_be_relabelled_whole_cop_after_invitations(caucus):
    caucus_member(caucus)
    survey = _caucus_survey(caucus)
    assert survey_invite(survey=survey) == 1

    with pytest.raises(ValidationError, match="Invitations have gone out"):
        survey_save(survey=survey, kind=Survey.Kind.COP_WIDE, caucus=None)

    stored = Survey.objects.get(pk=survey.pk)
    assert (stored.kind, stored.caucus_id) == (Survey.Kind.CAUCUS, caucus.pk)


def test_a_form_edited_copy_cannot_slip_the_audience_change_past_the_check(caucus):
    """The organisers' form changes its instance before the service sees it; the service
    compares with what is stored, not with the instance it is given."""
    caucus_member(caucus)
    survey = _caucus_survey(caucus)
    survey_invite(survey=survey)
    survey.kind, survey.caucus = Survey.Kind.COP_WIDE, None

    with pytest.raises(ValidationError, match="Invitations have gone out"):
        survey_save(survey=survey, kind=Survey.Kind.COP_WIDE, caucus=None)


def test_the_title_of_an_invited_survey_may_still_change(caucus):
    caucus_member(caucus)
    survey = _caucus_survey(caucus)
    survey_invite(survey=survey)

    survey_save(survey=survey, title="Zephyr check-in (autumn)")

    assert Survey.objects.get(pk=survey.pk).title == "Zephyr check-in (autumn)"


# A caucus session's page: numbers, summary and materials -------------------------------------

SUMMARY = "We talked about belonging at work."
TAKEAWAY = "Name what you see"


@pytest.fixture
def held_caucus_session(caucus):
    event = EventFactory(
        title="Zephyr circle", caucus=caucus, past=True, capacity=10,
        outcome_summary=SUMMARY, key_takeaways=TAKEAWAY,
        recording_url="https://video.example.org/zephyr", summary_published_at=timezone.now(),
    )  # fmt: skip
    RegistrationFactory(event=event, member=caucus_member(caucus))
    return event


@pytest.fixture
def upcoming_caucus_session(caucus):
    event = EventFactory(title="Zephyr planning", caucus=caucus, capacity=10)
    RegistrationFactory(event=event, member=caucus_member(caucus))
    return event


def _page(client, event) -> str:
    return client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["visitor", "member outside", "organiser without permission"])
def test_outsiders_see_that_a_caucus_session_exists_and_nothing_of_it(
    client, who, held_caucus_session, upcoming_caucus_session, organiser, member
):
    if who == "member outside":
        client.force_login(member)
    elif who == "organiser without permission":
        client.force_login(organiser)

    past, upcoming = _page(client, held_caucus_session), _page(client, upcoming_caucus_session)

    assert "Zephyr circle" in past
    for secret in (SUMMARY, TAKEAWAY, "video.example.org", "Places"):
        assert secret not in past
    assert "its summary and its materials are for the members of its caucus" in past
    assert "1 of 10 taken" not in upcoming
    assert "Places" not in upcoming


def test_the_caucus_sees_its_session_in_full(client, held_caucus_session, upcoming_caucus_session):
    insider = held_caucus_session.registrations.get().member
    client.force_login(insider)

    past, upcoming = _page(client, held_caucus_session), _page(client, upcoming_caucus_session)

    assert SUMMARY in past
    assert TAKEAWAY in past
    assert "video.example.org/zephyr" in past
    assert "1 of 10 taken" in upcoming


def test_an_organiser_trusted_with_caucus_choices_sees_it_in_full(
    client, organiser, held_caucus_session, upcoming_caucus_session
):

    permission_give(organiser, "events.view_caucus_choice")
    client.force_login(organiser)

    assert SUMMARY in _page(client, held_caucus_session)
    assert "1 of 10 taken" in _page(client, upcoming_caucus_session)


def test_the_programme_shows_outsiders_no_fullness_or_summary_link_for_a_caucus_session(
    client, member, caucus
):
    full = EventFactory(title="Zephyr full", caucus=caucus, capacity=1)
    RegistrationFactory(event=full, member=caucus_member(caucus))
    client.force_login(member)

    html = client.get(reverse("events:programme")).content.decode()

    assert "Zephyr full" in html
    assert "Full: waiting list open" not in html


# A caucus survey's results page: how many were invited ---------------------------------------


def test_a_caucus_surveys_results_hide_its_small_invited_count_from_an_untrusted_organiser(
    client, organiser, caucus
):

    for _ in range(3):
        caucus_member(caucus)
    survey = _caucus_survey(caucus)
    survey_invite(survey=survey)
    client.force_login(organiser)
    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    csv_text = client.get(reverse("surveys:results_csv", args=[survey.pk])).content.decode()

    assert '<dd class="col-sm-8 col-lg-9">3</dd>' not in page
    assert "Fewer than 5" in page
    assert "Invited,hidden" in csv_text
    assert "Invited,3" not in csv_text

    permission_give(organiser, "events.view_caucus_choice")
    client.force_login(type(organiser).objects.get(pk=organiser.pk))
    csv_text = client.get(reverse("surveys:results_csv", args=[survey.pk])).content.decode()
    assert "Invited,3" in csv_text
