"""The browse page's results are rendered once per audience and address and kept, and what a
search found is kept per query and audience (resources.caching). Each test is an attack on
that: a kept answer served to someone who may not see what it holds, or kept after a service
changed what it holds."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import CaucusMembership
from events.services.organise import event_save
from events.services.public import caucus_join, caucus_withdraw
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


# The search page and the browse page, kept whole ----------------------------------------------


def _search_page(client, user=None, **query):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(SEARCH, query)
    assert response.status_code == 200
    return response.text


def _kept(client, url, query):
    """The page at this address as served the second time, with the database queries that
    serving it asked: none, once its content is kept."""
    client.get(url, query)
    with CaptureQueriesContext(connection) as asked:
        response = client.get(url, query)
    return response.text, len(asked.captured_queries)


def test_a_caucus_members_kept_search_page_is_never_served_to_someone_outside_it(
    client, ground_rules
):
    """An attack: the caucus member's page is kept first, then the same address is asked for
    by others. It fails if the audience is left out of the kept page's key."""
    caucus = CaucusFactory()
    _save(
        title="Caucus kestrel notes",
        description="Notes on kestrel.",
        event=EventFactory(past=True, caucus=caucus, title="Caucus circle"),
    )
    _save(title="Open kestrel notes", description="Kestrel, for everyone.", audience="public")
    insider = caucus_member(caucus, agreed_to=ground_rules)
    client.force_login(insider)
    page, asked = _kept(client, SEARCH, {"q": "kestrel"})
    assert asked == 0
    assert "Caucus kestrel notes" in page
    assert "Caucus circle" in page
    assert "2 results for “kestrel”" in page
    for outsider in (UserFactory(agreed_to=ground_rules), None):
        page = _search_page(client, outsider, q="kestrel")
        assert "Caucus kestrel notes" not in page
        assert "Caucus circle" not in page
        assert "1 result for “kestrel”" in page


def test_a_kept_search_page_shows_what_the_services_change_on_the_very_next_request(client, member):
    resource = _save(title="Kestrel reading", description="All about kestrel.")
    client.force_login(member)
    page, asked = _kept(client, SEARCH, {"q": "kestrel"})
    assert (asked, "Kestrel reading" in page) == (0, True)
    services.resource_save(resource=resource, title="Kestrel field guide")
    page = _search_page(client, member, q="kestrel")
    assert "Kestrel field guide" in page
    assert "Kestrel reading" not in page
    services.resource_save(resource=resource, status=Resource.Status.DRAFT)
    assert "Kestrel field guide" not in _search_page(client, member, q="kestrel")
    services.resource_save(resource=resource, status=Resource.Status.PUBLISHED)
    assert "Kestrel field guide" in _search_page(client, member, q="kestrel")
    glossary_term_create(term="Kestrel", definition="A small falcon.")
    assert "A small <mark>falcon</mark>." not in _search_page(client, member, q="kestrel")
    assert "Glossary term" in _search_page(client, member, q="kestrel")


def test_leaving_a_caucus_hides_its_materials_on_the_very_next_page(client, ground_rules):
    """The member's caucus is kept between requests too (events.caching): leaving must take
    its materials off both kept pages at once, whether by the service or by a deletion made
    any other way (an erasure, a shell)."""
    caucus = CaucusFactory()
    _save(
        title="Caucus kestrel notes",
        description="Notes on kestrel.",
        event=EventFactory(past=True, caucus=caucus),
    )
    member = caucus_member(caucus, agreed_to=ground_rules)
    client.force_login(member)
    assert "Caucus kestrel notes" in _kept(client, BROWSE, {})[0]
    assert "Caucus kestrel notes" in _kept(client, SEARCH, {"q": "kestrel"})[0]
    caucus_withdraw(member=member)
    assert "Caucus kestrel notes" not in _page(client, member)
    assert "Caucus kestrel notes" not in _search_page(client, member, q="kestrel")
    caucus_join(member=member, caucus=caucus, consent=True)
    assert "Caucus kestrel notes" in _page(client, member)
    CaucusMembership.objects.filter(member=member).delete()
    assert "Caucus kestrel notes" not in _page(client, member)
    assert "Caucus kestrel notes" not in _search_page(client, member, q="kestrel")


def test_kept_browse_pages_show_the_filters_and_the_page_asked_for(client, member):
    for n in range(25):
        _save(title=f"Reading {n:02}", kind=Resource.Kind.READING)
    _save(title="Toolkit 00", kind=Resource.Kind.TOOLKIT)
    client.force_login(member)
    first, asked = _kept(client, BROWSE, {"sort": "title"})
    assert asked == 0
    second, _asked = _kept(client, BROWSE, {"sort": "title", "page": "2"})
    assert [f"Reading {n:02}" in first for n in (0, 19, 20)] == [True, True, False]
    assert ["Reading 20" in second, "Toolkit 00" in second, "Reading 00" in second] == [
        True,
        True,
        False,
    ]
    assert "Page 2 of 2" in second
    assert 'href="?sort=title&amp;page=2"' in first
    filtered = {"kind": Resource.Kind.TOOLKIT, "sort": "title", "submit": "Filter"}
    toolkits, asked = _kept(client, BROWSE, filtered)
    assert asked == 0
    assert '<h2 id="results-heading" class="h5">1 resource</h2>' in toolkits
    assert f'<option value="{Resource.Kind.TOOLKIT}" selected>' in toolkits
    assert "Filters (1 in use)" in toolkits
    readings = _page(client, member, **{**filtered, "kind": Resource.Kind.READING})
    assert f'<option value="{Resource.Kind.READING}" selected>' in readings
    assert f'<option value="{Resource.Kind.TOOLKIT}" selected>' not in readings
    assert '<h2 id="results-heading" class="h5">25 resources</h2>' in readings
    assert '<option value="oldest">' in readings
    assert '<option value="title" selected>' in readings
