"""A resource's page keeps its rendered article once, with the audience that may see it
(resources.caching.resource_page_cached), and a session's page its list of resources per
audience. Each test is an attack on that: a kept article served to someone outside its
audience, or kept after a service changed what it shows. Each fails if the audience check is
left out, or a generation is left out of what the kept article is stored with."""

import itertools

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.services.organise import event_save
from events.services.public import caucus_join, caucus_withdraw
from resources import services
from resources.models import Resource
from resources.selectors.hub import may_see, resources_visible_to, seen_by
from tests.factories import (
    CaucusFactory,
    EventFactory,
    TopicFactory,
    UserFactory,
    caucus_member,
    permission_give,
)

TRANSCRIPT = "Speaker one: we began with what belonging means at work."


def _save(**fields):
    fields.setdefault("kind", Resource.Kind.RECORDING)
    fields.setdefault("description", "A recording.")
    fields.setdefault("audience", "members")
    fields.setdefault("external_url", "https://example.org/r")
    fields.setdefault("transcript", TRANSCRIPT)
    return services.resource_save(resource=Resource(), **fields)


def _get(client, resource, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(resource.get_absolute_url())


def test_a_caucus_resource_kept_for_its_caucus_never_reaches_anyone_else(client, ground_rules):
    caucus = CaucusFactory()
    resource = _save(title="Caucus recording", event=EventFactory(past=True, caucus=caucus))
    response = _get(client, resource, caucus_member(caucus, agreed_to=ground_rules))
    assert TRANSCRIPT in response.text
    other = caucus_member(CaucusFactory(name="White", slug="white"), agreed_to=ground_rules)
    for outsider in (UserFactory(agreed_to=ground_rules), other):
        response = _get(client, resource, outsider)
        assert response.status_code == 404
        assert TRANSCRIPT not in response.text
    response = _get(client, resource)
    assert response.status_code == 404
    assert TRANSCRIPT not in response.text


def test_a_members_resource_kept_for_a_member_is_never_served_to_a_visitor(client, member):
    resource = _save(title="Members recording")
    assert TRANSCRIPT in _get(client, resource, member).text
    response = _get(client, resource)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_joining_and_leaving_a_caucus_changes_what_it_may_see_on_the_very_next_view(client, member):
    caucus = CaucusFactory()
    resource = _save(title="Caucus recording", event=EventFactory(past=True, caucus=caucus))
    assert _get(client, resource, member).status_code == 404
    caucus_join(member=member, caucus=caucus, consent=True)
    assert TRANSCRIPT in _get(client, resource, member).text
    caucus_withdraw(member=member)
    assert _get(client, resource, member).status_code == 404


def test_a_session_given_a_caucus_takes_its_resources_from_everyone_else_at_once(
    client, member, ground_rules
):
    session = EventFactory(past=True)
    resource = _save(title="Session recording", event=session)
    assert TRANSCRIPT in _get(client, resource, member).text
    event_save(event=session, caucus=CaucusFactory())
    assert _get(client, resource, member).status_code == 404


def test_an_organisers_change_shows_on_the_very_next_view(client, member):
    resource = _save(title="Before the change", transcript="Old words.")
    assert "Old words." in _get(client, resource, member).text
    services.resource_save(resource=resource, title="After the change", transcript="New words.")
    text = _get(client, resource, member).text
    assert "After the change" in text
    assert "New words." in text
    assert "Old words." not in text


def test_a_sessions_new_title_shows_on_its_resources_page_on_the_very_next_view(client, member):
    session = EventFactory(past=True, title="Old session title")
    resource = _save(title="From a session", event=session)
    assert "Old session title" in _get(client, resource, member).text
    event_save(event=session, title="New session title")
    assert "New session title" in _get(client, resource, member).text


def test_an_editors_link_is_never_kept_for_another_member(client, ground_rules):
    resource = _save(title="Shared recording")
    editor = permission_give(UserFactory(agreed_to=ground_rules), "resources.change_resource")
    assert "Edit this resource" in _get(client, resource, editor).text
    assert (
        "Edit this resource" not in _get(client, resource, UserFactory(agreed_to=ground_rules)).text
    )


def test_the_kept_audience_agrees_with_the_rules_for_every_resource_and_viewer(db, ground_rules):
    """The kept article is served by `may_see(seen_by(...))`: it must say yes exactly where
    resources_visible_to does, or a kept article would reach someone the rules refuse."""
    caucus, other = CaucusFactory(), CaucusFactory(name="White", slug="white")
    sessions = [None, EventFactory(past=True), EventFactory(past=True, caucus=caucus)]
    viewers = [
        UserFactory(agreed_to=ground_rules),
        caucus_member(caucus, agreed_to=ground_rules),
        caucus_member(other, agreed_to=ground_rules),
        AnonymousUser(),
    ]
    resources = [
        _save(title=f"Resource {n}", audience=audience, event=session)
        for n, (audience, session) in enumerate(itertools.product(["public", "members"], sessions))
    ]
    for viewer, resource in itertools.product(viewers, resources):
        resource = Resource.objects.select_related("event").get(pk=resource.pk)
        visible = resources_visible_to(viewer).filter(pk=resource.pk).exists()
        assert may_see(seen_by(resource), viewer) is visible, (viewer, resource.audience)


def test_a_resources_page_asks_the_database_nothing_once_kept(client, member):
    """Kept, a resource outside any caucus needs no query: the member is signed in, which is
    all its audience asks. Worked out afresh, the queries do not grow with its topics."""
    resource = _save(title="Quiet recording", topics=[TopicFactory()])
    client.force_login(member)
    client.get(resource.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(resource.get_absolute_url()).status_code == 200
    assert len(captured.captured_queries) == 0

    def afresh():
        services.resource_save(resource=resource, description="Changed.")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(resource.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    few = afresh()
    services.resource_save(resource=resource, topics=[TopicFactory() for _ in range(6)])
    assert afresh() == few <= 10
