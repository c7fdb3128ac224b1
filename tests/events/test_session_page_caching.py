"""A session's page keeps the session and its rendered parts for each audience (events.caching,
session_page_cached). Each test is an attack on that: a kept rendering served to someone who may
not see what it shows, one member's own place shown to another, or a rendering kept after a
service changed what it shows. Each fails if the audience or a generation is left out of the
key, a service stops moving its generation on, or a member's own part is kept."""

import datetime
import pickle
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import CAUCUS_CHOICE_PERMISSION
from events.services.organise import (
    attendance_add_walk_in,
    attendance_record,
    event_cancel,
    event_save,
    event_summary_publish,
)
from events.services.public import (
    caucus_join,
    caucus_withdraw,
    registration_cancel,
    registration_create,
    registration_record,
)
from members.services.imports import attendance_import_record
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


def test_no_kept_rendering_holds_a_csrf_token_and_a_place_is_kept_for_its_member_alone(
    client, ground_rules
):
    event = EventFactory(capacity=3)
    member = UserFactory(agreed_to=ground_rules)
    registration_create(event=event, member=member)
    page = _page(client, event, member)
    tokens = _csrf_tokens(page)
    assert tokens  # the cancel form has one
    # The tests' cache is Django's LocMemCache: everything kept, pickled, is in its _cache.
    kept = {key: repr(pickle.loads(value)) for key, value in cache._cache.items()}  # noqa: S301
    assert any("events:" not in text and "of 3 taken" in text for text in kept.values())
    own = {key for key, text in kept.items() if REGISTERED in text or "Cancel my place" in text}
    assert own == {f":1:events:session-place:{event.slug}:{member.pk}"}
    for text in kept.values():
        for token in tokens:
            assert token not in text


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
def test_the_session_page_runs_a_fixed_number_of_queries_however_many_bookings_and_speakers(
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
        assert small == 0  # the member's own place is kept for them


# What one member alone sees: their place, kept for them ------------------------------------------
#
# Their place, its forms and the links that follow from it are kept under their id and the
# generations of whatever they show. Each test below fails if the member's id is left out of
# the key, a service stops moving a generation on, whether they may see inside a caucus session
# is taken from what was kept rather than from who asks, or a CSRF token is kept.

CAUCUS_ONLY = "This session is for members of the"
TALK = "Talk about this session with other members"
CAME = "You came to this session."


def _signed_in(member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def _seen(client, event) -> str:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.text


def test_the_warm_session_page_asks_the_database_nothing(client, member, django_assert_num_queries):
    """All a member's view of a session needs is kept: the parts, their place, their caucus."""
    event = EventFactory(capacity=5)
    registration_create(event=event, member=member)
    client.force_login(member)
    client.get(event.get_absolute_url())
    with django_assert_num_queries(0):
        page = _seen(client, event)
    assert REGISTERED in page
    assert "1 of 5 taken" in page


def test_one_members_kept_place_form_and_token_never_reach_another(ground_rules):
    event = EventFactory(capacity=1)
    booked, other = UserFactory(agreed_to=ground_rules), UserFactory(agreed_to=ground_rules)
    registration_create(event=event, member=booked)
    booked_client, other_client = _signed_in(booked), _signed_in(other)
    booked_page = _seen(booked_client, event)
    assert REGISTERED in booked_page
    assert "Cancel my place" in booked_page

    other_page = _seen(other_client, event)
    for own in (
        REGISTERED,
        JOIN_LINK,
        "Cancel my place",
        reverse("events:cancel_registration", args=[event.slug]),
    ):
        assert own not in other_page
    assert "Join the waiting list" in other_page
    assert _csrf_tokens(other_page).isdisjoint(_csrf_tokens(booked_page))
    # The token in their form is their own: the booking it sends is accepted as theirs.
    (token,) = _csrf_tokens(other_page)
    response = other_client.post(
        reverse("events:register", args=[event.slug]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "You are number 1 on the waiting list." in _seen(other_client, event)
    assert REGISTERED in _seen(booked_client, event)


def _upcoming_caucus_session():
    caucus = CaucusFactory()
    return caucus, EventFactory(caucus=caucus, capacity=6, title="Caucus circle")


def test_a_caucus_members_kept_place_never_reaches_anyone_outside_the_caucus(ground_rules):
    caucus, event = _upcoming_caucus_session()
    insider = caucus_member(caucus, agreed_to=ground_rules)
    registration_create(event=event, member=insider)
    page = _seen(_signed_in(insider), event)
    assert REGISTERED in page
    assert JOIN_LINK in page
    assert TALK in page
    trusted = permission_give(UserFactory(agreed_to=ground_rules), CAUCUS_CHOICE_PERMISSION)
    totp_activate(trusted)
    other_caucus = caucus_member(CaucusFactory(name="White", slug="white"), agreed_to=ground_rules)
    for outsider in (UserFactory(agreed_to=ground_rules), other_caucus, trusted):
        page = _seen(_signed_in(outsider), event)
        assert "Caucus circle" in page
        assert CAUCUS_ONLY in page
        for own in (REGISTERED, JOIN_LINK, TALK, "Cancel my place", ">Register<"):
            assert own not in page
    # The trusted organiser sees inside (how full it is), but is not given a place.
    assert "1 of 6 taken" in page


def test_leaving_or_joining_a_caucus_changes_the_members_place_on_the_very_next_view(
    ground_rules,
):
    caucus, event = _upcoming_caucus_session()
    member = caucus_member(caucus, agreed_to=ground_rules)
    registration_create(event=event, member=member)
    client = _signed_in(member)
    assert JOIN_LINK in _seen(client, event)

    caucus_withdraw(member=member)
    page = _seen(client, event)
    assert CAUCUS_ONLY in page
    for own in (REGISTERED, JOIN_LINK, TALK, "Cancel my place", "1 of 6 taken"):
        assert own not in page
    assert client.post(reverse("events:register", args=[event.slug])).status_code == 403

    caucus_join(member=member, caucus=caucus, consent=True)
    page = _seen(client, event)
    assert CAUCUS_ONLY not in page
    assert "Register" in page
    assert TALK in page


def test_losing_the_trust_of_caucus_choices_shows_on_the_very_next_view(ground_rules):
    """The permission is given and taken away in the admin, one person at a time."""
    caucus, event = _upcoming_caucus_session()
    registration_create(event=event, member=caucus_member(caucus, agreed_to=ground_rules))
    organiser = permission_give(UserFactory(agreed_to=ground_rules), CAUCUS_CHOICE_PERMISSION)
    totp_activate(organiser)
    client = _signed_in(organiser)
    assert "1 of 6 taken" in _seen(client, event)

    app_label, codename = CAUCUS_CHOICE_PERMISSION.split(".")
    organiser.user_permissions.remove(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    page = _seen(client, event)
    assert "1 of 6 taken" not in page
    assert CAUCUS_ONLY in page


def test_a_session_moved_to_another_address_is_not_found_at_the_old_one_at_once(client, member):
    event = EventFactory()
    registration_create(event=event, member=member)
    client.force_login(member)
    old = event.get_absolute_url()
    assert REGISTERED in _seen(client, event)
    event = event_save(event=event, slug="a-new-address")
    assert client.get(old).status_code == 404
    assert REGISTERED in _seen(client, event)


def test_booking_cancelling_and_a_place_coming_free_show_on_the_very_next_view(ground_rules):
    event = EventFactory(capacity=1)
    first, second = UserFactory(agreed_to=ground_rules), UserFactory(agreed_to=ground_rules)
    first_client, second_client = _signed_in(first), _signed_in(second)
    assert ">Register<" in _seen(first_client, event).replace("\n", "").replace(" ", "")
    registration = registration_create(event=event, member=first)
    assert REGISTERED in _seen(first_client, event)
    assert "Join the waiting list" in _seen(second_client, event)
    registration_create(event=event, member=second)
    assert "You are number 1 on the waiting list." in _seen(second_client, event)

    registration_cancel(registration=registration)  # the place goes to the second member
    assert REGISTERED in _seen(second_client, event)
    page = _seen(first_client, event)
    assert REGISTERED not in page
    assert "Join the waiting list" in page


def test_attendance_recorded_or_imported_shows_on_the_very_next_view(ground_rules, organiser):
    event = EventFactory(started=True)
    member, walk_in, imported = (UserFactory(agreed_to=ground_rules) for _ in range(3))
    registration_record(event=event, member=member)
    clients = {who: _signed_in(who) for who in (member, walk_in, imported)}
    for client in clients.values():
        assert CAME not in _seen(client, event)

    record_action = reverse("members:action_from_session", args=[event.slug])
    assert record_action not in _seen(clients[member], event)
    attendance_record(event=event, present_ids=[member.pk], recorded_by=organiser)
    assert record_action in _seen(clients[member], event)  # they had a place, and came
    attendance_add_walk_in(event=event, member=walk_in, recorded_by=organiser)
    assert CAME in _seen(clients[walk_in], event)
    attendance_import_record(event=event, member=imported, recorded_by=organiser)
    assert CAME in _seen(clients[imported], event)

    attendance_record(event=event, present_ids=[], recorded_by=organiser)  # marked by mistake
    page = _seen(clients[member], event)
    assert record_action not in page
    assert REGISTERED in page


def test_a_session_edited_or_cancelled_changes_the_members_place_on_the_very_next_view(
    client, member
):
    event = EventFactory()
    registration_create(event=event, member=member)
    client.force_login(member)
    assert JOIN_LINK in _seen(client, event)

    event = event_save(event=event, joining_link="https://meet.example.org/moved")
    page = _seen(client, event)
    assert "https://meet.example.org/moved" in page
    assert JOIN_LINK not in page

    event_cancel(event=event)
    page = _seen(client, event)
    assert "Cancelled: " in page
    assert "https://meet.example.org/moved" not in page  # no joining a cancelled session


def test_registration_opening_shows_without_any_change(client, member):
    """Time alone changes a member's place: it is kept only until registration opens."""
    opens = timezone.now() + datetime.timedelta(minutes=2)
    event = EventFactory(registration_opens_at=opens)
    client.force_login(member)
    assert "Registration opens" in _seen(client, event)
    with time_machine.travel(opens + datetime.timedelta(minutes=1)):
        page = _seen(client, event)
    assert "Registration opens" not in page
    assert 'class="btn btn-primary">Register</button>' in page
