"""A member's home page as kept for them (members.caching.member_page_kept): their sessions,
surveys and actions, under the generations the services move on and until time alone changes
it. The tests are attacks on what is kept: one member's page served to another, or kept past
a change made through a service, a new version of the ground rules, or a session's end."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.services.organise import event_save
from events.services.public import registration_cancel, registration_create
from members.models import Action
from members.services.accounts import profile_update
from members.services.journey import action_delete, action_save, action_status_update
from members.services.onboarding import ground_rules_publish
from surveys.services.organise import survey_invite, survey_save
from tests.factories import (
    ActionFactory,
    EventFactory,
    GroundRulesFactory,
    InvitationFactory,
    QuestionFactory,
    RegistrationFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("members:home")


def _home(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def _signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_the_second_view_asks_the_database_nothing(member_client, member):
    RegistrationFactory(member=member, event=EventFactory(title="Allyship in practice"))
    assert "Allyship in practice" in _home(member_client)
    with CaptureQueriesContext(connection) as captured:
        assert "Allyship in practice" in _home(member_client)
    assert len(captured.captured_queries) == 0


def test_one_members_kept_home_page_is_never_served_to_another(member, ground_rules):
    """Each page is kept for its member alone: the second member sees their own name,
    sessions, surveys and actions, none of the first's."""
    other = UserFactory(agreed_to=ground_rules, name="Grace Hopper")
    RegistrationFactory(member=member, event=EventFactory(title="Allyship in practice"))
    InvitationFactory(member=member, survey=SurveyFactory(title="Allyship follow-up"))
    ActionFactory(member=member, what="Talk to my team about allyship")
    profile_update(user=member, name="Ada Lovelace")
    first = _home(_signed_in(member))
    assert "Welcome, Ada" in first
    assert "Allyship in practice" in first
    assert "Allyship follow-up" in first
    assert "You have 1 open action." in first

    html = _home(_signed_in(other))

    assert "Welcome, Grace" in html
    assert "Ada" not in html
    assert "Allyship" not in html
    assert "You have no sessions booked yet." in html
    assert "You have no open actions." in html


def test_a_booking_and_its_cancellation_through_the_services_show_on_the_next_request(
    member_client, member
):
    event = EventFactory(title="Allyship in practice")
    assert "You have no sessions booked yet." in _home(member_client)

    registration = registration_create(event=event, member=member)
    assert "Allyship in practice" in _home(member_client)

    registration_cancel(registration=registration)
    assert "Allyship in practice" not in _home(member_client)


def test_a_session_changed_through_the_service_shows_on_the_next_request(member_client, member):
    event = EventFactory(title="Allyship in practice")
    RegistrationFactory(member=member, event=event)
    assert "Allyship in practice" in _home(member_client)

    event_save(event=event, title="Allyship at work")

    html = _home(member_client)
    assert "Allyship at work" in html
    assert "Allyship in practice" not in html


def test_actions_changed_through_the_services_show_on_the_next_request(member_client, member):
    assert "You have no open actions." in _home(member_client)

    action = action_save(
        action=Action(),
        member=member,
        what="Talk to my team",
        level=Action.Level.PERSONAL,
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    assert "You have 1 open action. Next due: " in _home(member_client)
    assert "Talk to my team" in _home(member_client)

    action_status_update(action=action, status=Action.Status.DONE)
    assert "You have no open actions." in _home(member_client)

    action_status_update(action=action, status=Action.Status.PLANNED)
    assert "You have 1 open action." in _home(member_client)
    action_delete(action=action, member=member)
    assert "You have no open actions." in _home(member_client)


def test_surveys_invited_to_and_changed_through_the_services_show_on_the_next_request(
    member_client, member
):
    survey = SurveyFactory(title="Autumn check-in")
    QuestionFactory(survey=survey)
    assert "Surveys waiting for you" not in _home(member_client)

    survey_invite(survey=survey)
    assert "Autumn check-in" in _home(member_client)

    survey_save(survey=survey, title="Winter check-in")
    html = _home(member_client)
    assert "Winter check-in" in html
    assert "Autumn check-in" not in html


def test_a_change_to_the_members_profile_shows_on_the_next_request(member_client, member):
    profile_update(user=member, name="Ada Lovelace")
    assert "Welcome, Ada" in _home(member_client)

    profile_update(user=member, name="Augusta King")
    assert "Welcome, Augusta" in _home(member_client)


def test_new_ground_rules_show_on_the_next_request(member_client, member, organiser):
    assert "The ground rules have changed" not in _home(member_client)

    ground_rules_publish(draft=GroundRulesFactory(version=2, published_at=None), user=organiser)

    html = _home(member_client)
    assert "The ground rules have changed" in html
    assert "Read version 2 and agree to it" in html


def test_a_session_leaves_the_page_when_it_ends_with_nothing_written(member_client, member):
    starts = timezone.now() + datetime.timedelta(minutes=1)
    soon = EventFactory(
        title="Short check-in", starts_at=starts, duration=datetime.timedelta(minutes=5)
    )
    RegistrationFactory(member=member, event=soon)
    RegistrationFactory(member=member, event=EventFactory(title="Allyship in practice"))
    assert "Short check-in" in _home(member_client)

    with time_machine.travel(soon.ends_at + datetime.timedelta(seconds=1), tick=False):
        html = _home(member_client)

    assert "Short check-in" not in html
    assert "Allyship in practice" in html


def test_a_survey_appears_when_it_opens_and_leaves_when_it_closes(member_client, member):
    now = timezone.now()
    survey = SurveyFactory(
        title="Autumn check-in",
        opens_at=now + datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(minutes=10),
    )
    InvitationFactory(survey=survey, member=member)
    assert "Autumn check-in" not in _home(member_client)

    with time_machine.travel(survey.opens_at, tick=False):
        assert "Autumn check-in" in _home(member_client)
    with time_machine.travel(survey.closes_at, tick=False):
        assert "Autumn check-in" not in _home(member_client)


def test_the_home_page_runs_the_same_queries_however_much_it_shows(
    member_client, member, same_queries_at_two_sizes
):
    """Worked out afresh (the member's generation moved on before each view), the page reads
    the member's sessions, surveys and actions in a fixed number of queries."""

    def grow(count):
        for n in range(count):
            RegistrationFactory(member=member, event=EventFactory(title=f"Session {n}"))
            InvitationFactory(member=member, survey=SurveyFactory(title=f"Survey {n}"))
            ActionFactory(member=member, due_on=timezone.localdate())

    sizes = same_queries_at_two_sizes(
        member_client,
        HOME,
        grow=grow,
        sizes=(1, 6),
        before_each=lambda: profile_update(user=member, job_role=f"Role {timezone.now()}"),
    )
    assert "You have 7 open actions." in sizes.large.content.decode()
    assert sizes.queries <= 10
