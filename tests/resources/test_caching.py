"""The browse page's results are rendered once per audience and address and kept
(resources.caching). Each test is an attack on that: a kept rendering served to someone who may
not see what it lists, or kept after a service changed what it lists."""

from django.urls import reverse

from events.services.organise import event_save
from events.services.public import caucus_join
from resources import services
from resources.models import Resource
from tests.factories import CaucusFactory, EventFactory, UserFactory, caucus_member

BROWSE = reverse("resources:browse")


def _page(client, user=None, **query):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(BROWSE, query)
    assert response.status_code == 200
    return response.text


def _save(**fields):
    fields.setdefault("kind", Resource.Kind.READING)
    fields.setdefault("description", "Background reading.")
    fields.setdefault("audience", "members")
    fields.setdefault("external_url", "https://example.org/r")
    return services.resource_save(resource=Resource(), **fields)


def test_a_caucus_members_kept_results_never_reach_someone_outside_the_caucus(client, ground_rules):
    caucus = CaucusFactory()
    session = EventFactory(past=True, caucus=caucus, title="Caucus circle")
    _save(title="Caucus notes", event=session)
    _save(title="Open notes")
    insider = caucus_member(caucus, agreed_to=ground_rules)
    assert "Caucus notes" in _page(client, insider)
    assert "Caucus notes" in _page(client, insider, sort="title")
    for outsider in (UserFactory(agreed_to=ground_rules), None):
        for query in ({}, {"sort": "title"}):
            page = _page(client, outsider, **query)
            assert "Caucus notes" not in page
            assert session.get_absolute_url() not in page
    assert "Open notes" in _page(client, UserFactory(agreed_to=ground_rules))


def test_joining_a_caucus_shows_its_materials_on_the_very_next_page(client, ground_rules):
    caucus = CaucusFactory()
    _save(title="Caucus notes", event=EventFactory(past=True, caucus=caucus))
    member = UserFactory(agreed_to=ground_rules)
    assert "Caucus notes" not in _page(client, member)
    caucus_join(member=member, caucus=caucus, consent=True)
    assert "Caucus notes" in _page(client, member)


def test_a_resource_changed_by_an_organiser_shows_at_once(client, ground_rules):
    member = UserFactory(agreed_to=ground_rules)
    resource = _save(title="Old title")
    assert "Old title" in _page(client, member)
    services.resource_save(resource=resource, title="New title")
    page = _page(client, member)
    assert "New title" in page
    assert "Old title" not in page
    services.resource_save(resource=resource, status=Resource.Status.DRAFT)
    assert "New title" not in _page(client, member)


def test_a_session_renamed_shows_its_new_name_beside_its_resources_at_once(client, ground_rules):
    member = UserFactory(agreed_to=ground_rules)
    session = EventFactory(past=True, title="First name")
    _save(title="Notes", event=session)
    assert "First name" in _page(client, member)
    event_save(event=session, title="Second name")
    assert "Second name" in _page(client, member)


def test_an_address_with_anything_else_in_it_is_not_kept(client, ground_rules):
    """The page's links repeat its address: a rendering made for one address with other
    parameters in it would send the next visitor's links there."""
    member = UserFactory(agreed_to=ground_rules)
    for n in range(25):
        _save(title=f"Reading {n:02}")
    assert "utm_source=x" in _page(client, member, utm_source="x")
    assert "utm_source" not in _page(client, member)
