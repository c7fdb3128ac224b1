"""The browse page's results are rendered once per audience and address and kept, and what a
search found is kept per query and audience (resources.caching). Each test is an attack on
that: a kept answer served to someone who may not see what it holds, or kept after a service
changed what it holds."""

from django.urls import reverse
from django.utils import timezone

from events.services.organise import event_save
from events.services.public import caucus_join
from members.services.onboarding import glossary_term_create
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


# Search ----------------------------------------------------------------------------------------

SEARCH = reverse("resources:search")


def _found(client, user, query):
    """(titles shown, how many found) for `query` as `user` (None: signed out)."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    results = response.context["results"]
    return [hit.title for hit in results.page.object_list], results.page.paginator.count


def test_what_a_caucus_member_found_is_never_what_someone_outside_it_finds(client, ground_rules):
    caucus = CaucusFactory()
    EventFactory(
        past=True,
        caucus=caucus,
        title="Caucus circle",
        outcome_summary="We talked about the kestrel project.",
        summary_published_at=timezone.now(),
    )
    _save(
        title="Caucus notes",
        description="Notes on kestrel.",
        event=EventFactory(past=True, caucus=caucus, title="Another circle"),
    )
    insider = caucus_member(caucus, agreed_to=ground_rules)
    assert _found(client, insider, "kestrel") == (["Caucus notes", "Caucus circle"], 2)
    for outsider in (UserFactory(agreed_to=ground_rules), None):
        # Found with the caucus's summary or materials, the session's title would tell an
        # outsider what the caucus talked about, and a count that includes them that it did.
        assert _found(client, outsider, "kestrel") == ([], 0)


def test_joining_a_caucus_changes_what_search_finds_at_once(client, ground_rules):
    caucus = CaucusFactory()
    _save(
        title="Caucus notes",
        description="Notes on kestrel.",
        event=EventFactory(past=True, caucus=caucus),
    )
    member = UserFactory(agreed_to=ground_rules)
    assert _found(client, member, "kestrel") == ([], 0)
    caucus_join(member=member, caucus=caucus, consent=True)
    assert _found(client, member, "kestrel") == (["Caucus notes"], 1)


def test_what_the_services_change_is_found_at_once(client, ground_rules):
    member = UserFactory(agreed_to=ground_rules)
    resource = _save(title="Plain reading")
    assert _found(client, member, "kestrel") == ([], 0)
    services.resource_save(resource=resource, title="Kestrel reading")
    assert _found(client, member, "kestrel") == (["Kestrel reading"], 1)
    event = EventFactory(title="An open session")
    event_save(event=event, title="Kestrel open session")
    glossary_term_create(term="Kestrel", definition="A small falcon, and a project's name.")
    assert _found(client, member, "kestrel")[1] == 3
    services.resource_save(resource=resource, status=Resource.Status.DRAFT)
    assert _found(client, member, "kestrel")[1] == 2
