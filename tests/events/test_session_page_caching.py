"""A session's page keeps the session and its rendered parts for each audience (events.caching,
session_page_cached). Each test is an attack on that: a kept rendering served to someone who may
not see what it shows, one member's own place shown to another, or a rendering kept after a
service changed what it shows. Each fails if the audience or a generation is left out of the
key, a service stops moving its generation on, or a member's own part is kept."""

import pickle
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import CAUCUS_CHOICE_PERMISSION
from events.services.organise import event_save, event_summary_publish
from events.services.public import (
    caucus_join,
    caucus_withdraw,
    registration_cancel,
    registration_create,
)
from resources import services as resource_services
from resources.models import Resource
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    SpeakerFactory,
    UserFactory,
    caucus_member,
    permission_give,
    totp_activate,
)

RECORDING = "https://video.example.org/caucus-recording"
TAKEAWAY = "Listen before answering"
REGISTERED = "You are registered."
WAITING = "on the waiting list."
JOIN_LINK = "https://meet.example.org/cop-session"


def _page(client, event, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.text


def _caucus_session_with_summary():
    caucus = CaucusFactory()
    event = EventFactory(
        past=True,
        caucus=caucus,
        capacity=8,
        title="Caucus gathering",
        recording_url=RECORDING,
        outcome_summary="What the caucus talked about.",
        key_takeaways=f"- {TAKEAWAY}",
        summary_published_at=timezone.now(),
    )
    return caucus, event


def test_a_caucus_members_kept_session_page_never_reaches_someone_outside_the_caucus(
    client, ground_rules
):
    caucus, event = _caucus_session_with_summary()
    insider = caucus_member(caucus, agreed_to=ground_rules)
    seen = _page(client, event, insider)
    assert TAKEAWAY in seen
    assert RECORDING in seen
    other_caucus = caucus_member(CaucusFactory(name="White", slug="white"), agreed_to=ground_rules)
    for outsider in (UserFactory(agreed_to=ground_rules), other_caucus, None):
        page = _page(client, event, outsider)
        assert "Caucus gathering" in page  # everyone sees that it exists
        assert TAKEAWAY not in page
        assert RECORDING not in page
        assert "What the caucus talked about." not in page
        assert "its summary and its materials are for the members of its caucus" in page


def test_an_organiser_trusted_with_caucus_choices_sees_the_summary_but_not_the_materials(
    client, ground_rules
):
    caucus, event = _caucus_session_with_summary()
    assert RECORDING in _page(client, event, caucus_member(caucus, agreed_to=ground_rules))
    organiser = permission_give(UserFactory(agreed_to=ground_rules), CAUCUS_CHOICE_PERMISSION)
    totp_activate(organiser)
    page = _page(client, event, organiser)
    assert TAKEAWAY in page
    assert RECORDING not in page  # the recording is the caucus's own


def test_joining_and_leaving_a_caucus_changes_its_session_page_on_the_very_next_view(
    client, ground_rules
):
    caucus, event = _caucus_session_with_summary()
    member = UserFactory(agreed_to=ground_rules)
    assert TAKEAWAY not in _page(client, event, member)
    caucus_join(member=member, caucus=caucus, consent=True)
    assert TAKEAWAY in _page(client, event, member)
    caucus_withdraw(member=member)
    assert TAKEAWAY not in _page(client, event, member)


def test_an_organisers_change_shows_on_the_very_next_view(client, member):
    event = EventFactory(summary="Before the change.")
    assert "Before the change." in _page(client, event, member)
    event_save(event=event, summary="After the change.")
    page = _page(client, event, member)
    assert "After the change." in page
    assert "Before the change." not in page


def test_a_published_summary_shows_on_the_very_next_view(client, member):
    event = EventFactory(past=True)
    AttendanceFactory(event=event, member=member)
    assert TAKEAWAY not in _page(client, event, member)
    event_summary_publish(
        event=event, user=member, outcome_summary="It went well.", key_takeaways=TAKEAWAY
    )
    assert TAKEAWAY in _page(client, event, member)


def test_a_place_taken_or_given_up_changes_the_places_on_the_very_next_view(client, ground_rules):
    event = EventFactory(capacity=2)
    first, second = (UserFactory(agreed_to=ground_rules) for _ in range(2))
    assert "0 of 2 taken" in _page(client, event, first)
    registration = registration_create(event=event, member=first)
    assert "1 of 2 taken" in _page(client, event, second)
    registration_create(event=event, member=second)
    assert "Full: waiting list open" in _page(client, event, first)
    registration_cancel(registration=registration)
    assert "1 of 2 taken" in _page(client, event, second)


def test_one_members_place_is_never_shown_to_another(client, ground_rules):
    event = EventFactory(capacity=1)
    booked, waiting, other = (UserFactory(agreed_to=ground_rules) for _ in range(3))
    registration_create(event=event, member=booked)
    registration_create(event=event, member=waiting)
    page = _page(client, event, booked)
    assert REGISTERED in page
    assert JOIN_LINK in page
    page = _page(client, event, waiting)
    assert "You are number 1 on the waiting list." in page
    assert REGISTERED not in page
    assert JOIN_LINK not in page
    page = _page(client, event, other)
    for own in (REGISTERED, WAITING, JOIN_LINK, "Cancel my place", "Leave the waiting list"):
        assert own not in page
    assert "Join the waiting list" in page


def test_whether_a_member_came_is_never_shown_to_another(client, ground_rules):
    event = EventFactory(past=True)
    came, other = UserFactory(agreed_to=ground_rules), UserFactory(agreed_to=ground_rules)
    AttendanceFactory(event=event, member=came)
    assert "You came to this session." in _page(client, event, came)
    page = _page(client, event, other)
    assert "You came to this session." not in page
    assert "Record an action from this session" not in page


def _csrf_tokens(page):
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def test_no_kept_rendering_holds_a_csrf_token_or_a_members_own_place(client, ground_rules):
    event = EventFactory(capacity=3)
    member = UserFactory(agreed_to=ground_rules)
    registration_create(event=event, member=member)
    page = _page(client, event, member)
    tokens = _csrf_tokens(page)
    assert tokens  # the cancel form has one
    # The tests' cache is Django's LocMemCache: everything kept, pickled, is in its _cache.
    kept = [repr(pickle.loads(value)) for value in cache._cache.values()]  # noqa: S301
    assert any("events:" not in text and "of 3 taken" in text for text in kept)
    for text in kept:
        for token in tokens:
            assert token not in text
        assert REGISTERED not in text
        assert "Cancel my place" not in text


def test_a_caucus_session_is_decided_by_the_member_asked_not_the_kept_session(client, ground_rules):
    """The kept session carries its caucus; a member who leaves the caucus between two views
    must not get the insider's parts because the session was kept."""
    caucus, event = _caucus_session_with_summary()
    member = caucus_member(caucus, agreed_to=ground_rules)
    assert TAKEAWAY in _page(client, event, member)
    caucus_withdraw(member=member)
    assert TAKEAWAY not in _page(client, event, member)


def test_a_sessions_resources_are_shown_to_its_caucus_only(client, ground_rules):
    caucus, event = _caucus_session_with_summary()
    resource_services.resource_save(
        resource=Resource(),
        title="Caucus slides",
        kind=Resource.Kind.READING,
        description="Slides.",
        audience="members",
        external_url="https://example.org/slides",
        event=event,
    )
    assert "Caucus slides" in _page(client, event, caucus_member(caucus, agreed_to=ground_rules))
    for outsider in (UserFactory(agreed_to=ground_rules), None):
        assert "Caucus slides" not in _page(client, event, outsider)


def test_a_resource_added_to_a_session_shows_on_its_page_on_the_very_next_view(client, member):
    event = EventFactory(past=True)
    assert "New notes" not in _page(client, event, member)
    resource_services.resource_save(
        resource=Resource(),
        title="New notes",
        kind=Resource.Kind.READING,
        description="Notes.",
        audience="members",
        external_url="https://example.org/notes",
        event=event,
    )
    assert "New notes" in _page(client, event, member)


@pytest.mark.parametrize("fresh", [False, True])
def test_the_session_page_runs_one_query_however_many_registrations_and_speakers(
    client, member, fresh
):
    """Kept or worked out afresh (the generations moved on), the page's queries are fixed."""
    event = EventFactory(capacity=100)
    RegistrationFactory(event=event, member=member)
    client.force_login(member)

    def count():
        if fresh:
            cache.clear()
        client.get(event.get_absolute_url())  # the member and their permissions
        if fresh:
            event_save(event=event, summary="Changed.")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(event.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    small = count()
    RegistrationFactory.create_batch(20, event=event)
    SpeakerFactory.create_batch(8, event=event)
    assert count() == small
    assert small <= 10
    if not fresh:
        assert small == 1  # the member's own place, caucus and attendance
