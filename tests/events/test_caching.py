"""The programme's lists are rendered once per audience and kept (events.caching). Each test is
an attack on that: a kept rendering served to someone who may not see what it shows, or kept
after the services changed what it shows. Each fails if the audience or a generation is left
out of the key, or a service stops moving its generation on."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import caching
from events.models import CAUCUS_CHOICE_PERMISSION, CaucusMembership
from events.services.organise import event_save
from events.services.public import (
    caucus_join,
    caucus_withdraw,
    registration_cancel,
    registration_create,
)
from tests.factories import (
    CaucusFactory,
    EventFactory,
    UserFactory,
    caucus_member,
    permission_give,
    totp_activate,
)

PROGRAMME = reverse("events:programme")
FULL = "Full: waiting list open"
REGISTERED = "You are registered"


def _caucus_sessions():
    """A caucus's past session with its summary published, and its coming session, full."""
    caucus = CaucusFactory()
    past = EventFactory(
        past=True,
        caucus=caucus,
        title="Caucus gathering",
        outcome_summary="What the caucus talked about.",
        summary_published_at=timezone.now(),
    )
    coming = EventFactory(caucus=caucus, title="Caucus circle", capacity=1)
    registration_create(event=coming, member=caucus_member(caucus))
    return caucus, past, coming


def _page(client, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(PROGRAMME)
    assert response.status_code == 200
    return response.text


def test_a_caucus_members_kept_programme_is_never_served_to_someone_outside_the_caucus(
    client, ground_rules
):
    caucus, past, _coming = _caucus_sessions()
    insider = caucus_member(caucus, agreed_to=ground_rules)
    seen = _page(client, insider)
    assert FULL in seen
    assert f"{past.get_absolute_url()}#summary" in seen
    for outsider in (UserFactory(agreed_to=ground_rules), None):
        page = _page(client, outsider)
        assert "Caucus circle" in page  # everyone sees that it exists
        assert FULL not in page
        assert f"{past.get_absolute_url()}#summary" not in page


def test_joining_a_caucus_shows_its_sessions_inside_on_the_very_next_page(client, ground_rules):
    caucus, past, _coming = _caucus_sessions()
    member = UserFactory(agreed_to=ground_rules)
    assert FULL not in _page(client, member)
    caucus_join(member=member, caucus=caucus, consent=True)
    page = _page(client, member)
    assert FULL in page
    assert f"{past.get_absolute_url()}#summary" in page


def test_being_trusted_with_caucus_choices_takes_effect_on_the_next_page(client, ground_rules):
    _caucus, past, _coming = _caucus_sessions()
    organiser = UserFactory(agreed_to=ground_rules)
    assert f"{past.get_absolute_url()}#summary" not in _page(client, organiser)
    organiser = permission_give(organiser, CAUCUS_CHOICE_PERMISSION)
    totp_activate(organiser)  # a role that sees caucus choices needs two-step sign-in
    assert f"{past.get_absolute_url()}#summary" in _page(client, organiser)


def test_a_session_changed_by_an_organiser_shows_its_new_title_on_the_next_view(
    client, ground_rules
):
    event = EventFactory(title="Before the change")
    assert "Before the change" in _page(client)
    event_save(event=event, title="After the change")
    page = _page(client)
    assert "After the change" in page
    assert "Before the change" not in page


def test_one_members_place_is_never_shown_to_another(client, ground_rules):
    event = EventFactory(capacity=2)
    booked, other = UserFactory(agreed_to=ground_rules), UserFactory(agreed_to=ground_rules)
    registration = registration_create(event=event, member=booked)
    assert REGISTERED in _page(client, booked)
    assert REGISTERED not in _page(client, other)
    assert FULL not in _page(client, other)
    registration_create(event=event, member=other)
    assert REGISTERED in _page(client, other)
    assert FULL in _page(client, other)  # a place taken moves the kept lists on
    registration_cancel(registration=registration)
    assert REGISTERED not in _page(client, booked)
    assert FULL not in _page(client, booked)


def test_a_kept_listing_is_made_again_once_its_first_session_has_ended(db):
    now = timezone.now()
    made = []

    def build():
        made.append(1)
        return caching.ProgrammeListing("", "", (), now + datetime.timedelta(minutes=5))

    caching.programme_listing_cached(audience=set(), now=now, build=build)
    caching.programme_listing_cached(audience=set(), now=now, build=build)
    assert len(made) == 1
    later = now + datetime.timedelta(minutes=5)
    caching.programme_listing_cached(audience=set(), now=later, build=build)
    assert len(made) == 2


def test_past_sessions_render_without_looking_up_what_they_do_not_have(client, settings, db):
    """A missing variable costs an exception in the template engine each time it is looked up:
    past sessions have no places and no member's status, so nothing asks for them."""
    EventFactory(past=True)
    EventFactory()
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "MISSING(%s)"
    from django.template import engines

    engines._engines = {}  # read the setting again
    try:
        for url in (PROGRAMME, reverse("events:past")):
            page = client.get(url).text
            assert "MISSING(" not in page
    finally:
        settings.TEMPLATES[0]["OPTIONS"].pop("string_if_invalid")
        engines._engines = {}


def test_leaving_a_caucus_hides_its_sessions_inside_on_the_very_next_page(client, ground_rules):
    """The member's caucus is kept between requests (events.caching): leaving, by the service
    or by the choice being deleted any other way, must change what the next page shows."""
    caucus, past, _coming = _caucus_sessions()
    member = caucus_member(caucus, agreed_to=ground_rules)
    assert FULL in _page(client, member)
    caucus_withdraw(member=member)
    page = _page(client, member)
    assert FULL not in page
    assert f"{past.get_absolute_url()}#summary" not in page
    caucus_join(member=member, caucus=caucus, consent=True)
    assert FULL in _page(client, member)
    CaucusMembership.objects.filter(member=member).delete()
    assert FULL not in _page(client, member)


def test_a_kept_programme_asks_the_database_nothing(client, ground_rules):
    """Warm, the lists, the member's caucus and their places are all kept: the page's cost
    does not grow with the programme."""
    event = EventFactory(capacity=2)
    member = UserFactory(agreed_to=ground_rules)
    registration_create(event=event, member=member)
    client.force_login(member)
    client.get(PROGRAMME)
    with CaptureQueriesContext(connection) as asked:
        page = client.get(PROGRAMME).text
    assert REGISTERED in page
    assert asked.captured_queries == []
