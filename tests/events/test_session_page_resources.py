"""The resources a session's page lists are kept with the page's parts for each audience
(events.caching, resources' session_resources tag). Each test is an attack that must fail: a
caucus session's materials reaching someone outside its caucus through a page kept for a
member of it, or a kept page hiding a change made to a resource."""

import html
import re

import pytest
from django.test import Client

from events.models import CAUCUS_CHOICE_PERMISSION
from resources import services
from resources.models import Resource
from resources.selectors.hub import resources_visible_to
from tests.factories import (
    CaucusFactory,
    EventFactory,
    UserFactory,
    caucus_member,
    permission_give,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _save(resource=None, **fields):
    fields.setdefault("kind", Resource.Kind.READING)
    fields.setdefault("description", "Background reading.")
    fields.setdefault("audience", "members")
    fields.setdefault("external_url", "https://example.org/r")
    return services.resource_save(resource=resource or Resource(), **fields)


def _listed(page: str) -> list[str]:
    """The titles in the page's "Resources from this session" list."""
    found = re.search(r'<section aria-labelledby="resources-heading">(.*?)</section>', page, re.S)
    if found is None:
        return []
    return [html.unescape(t) for t in re.findall(r'<a href="[^"]+">([^<]+)</a>', found.group(1))]


def _browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_caucus_sessions_materials_never_reach_anyone_outside_its_caucus(ground_rules):
    caucus, other_caucus = CaucusFactory(), CaucusFactory(name="Allies", slug="allies")
    event = EventFactory(title="Caucus session", caucus=caucus)
    _save(title="Caucus slides", event=event, kind=Resource.Kind.SLIDES)
    inside = caucus_member(caucus, agreed_to=ground_rules)
    url = event.get_absolute_url()
    # A member of the caucus looks first, so their audience's parts are kept.
    for _ in range(2):
        assert _listed(_browser(inside).get(url).content.decode()) == ["Caucus slides"]

    trusted = permission_give(UserFactory(agreed_to=ground_rules), CAUCUS_CHOICE_PERMISSION)
    outsiders = {
        "another caucus": caucus_member(other_caucus, agreed_to=ground_rules),
        "no caucus": UserFactory(agreed_to=ground_rules),
        "trusted with caucus choices": trusted,
    }
    for who, user in outsiders.items():
        client = _browser(user)
        for _ in range(2):  # the first look draws their audience's parts, the second reads them
            page = client.get(url).content.decode()
            assert "Caucus slides" not in page, who
            assert list(resources_visible_to(user).filter(event=event)) == [], who
    visitor = _browser().get(url)
    assert "Caucus slides" not in visitor.content.decode()


def test_a_visitor_sees_only_what_is_public_whoever_looked_before(member, ground_rules):
    event = EventFactory(title="Open webinar")
    _save(title="Public reading", event=event, audience="public")
    _save(title="Members' recording", event=event, kind=Resource.Kind.RECORDING)
    url = event.get_absolute_url()
    seen = _listed(_browser(member).get(url).content.decode())
    visible = resources_visible_to(member).filter(event=event).order_by("kind", "title")
    assert seen == [r.title for r in visible] == ["Public reading", "Members' recording"]
    for _ in range(2):
        assert _listed(_browser().get(url).content.decode()) == ["Public reading"]


def test_a_resource_added_changed_or_removed_shows_on_the_next_look(member):
    event = EventFactory(title="Open webinar")
    client = _browser(member)
    url = event.get_absolute_url()
    assert _listed(client.get(url).content.decode()) == []
    assert _listed(client.get(url).content.decode()) == []  # kept

    resource = _save(title="First notes", event=event)
    assert _listed(client.get(url).content.decode()) == ["First notes"]

    _save(resource, title="Notes, revised", event=event)
    assert _listed(client.get(url).content.decode()) == ["Notes, revised"]

    # Written behind the services' back (the admin): the model's signal still moves it on.
    Resource.objects.get(pk=resource.pk).delete()
    assert _listed(client.get(url).content.decode()) == []
