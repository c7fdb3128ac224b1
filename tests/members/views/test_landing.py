"""The visitor's home page: the next sessions (caucus sessions without their details), the CoP in
a few rounded figures, recent public resources and why to join."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.selectors.home import visitor_figures
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    OrganisationFactory,
    ResourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _home(client):
    response = client.get(reverse("members:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_sees_the_next_sessions_soonest_first(client):
    soon = timezone.now() + datetime.timedelta(days=2)
    EventFactory(title="Later session", starts_at=soon + datetime.timedelta(days=5))
    first = EventFactory(title="Sooner session", starts_at=soon)
    EventFactory(title="A draft", status="draft")
    EventFactory(title="Already over", past=True)
    html = _home(client)
    assert f'<a href="{first.get_absolute_url()}">Sooner session</a>' in html
    assert html.index("Sooner session") < html.index("Later session")
    assert "A draft" not in html
    assert "Already over" not in html


def test_a_caucus_session_is_shown_as_one_and_nothing_more(client):
    """An attack: every detail a visitor could read about a caucus session, on the home page."""
    caucus = CaucusFactory(name="Secret-caucus-name", slug="secret")
    event = EventFactory(title="Healing circle for secret members", summary="Secret summary",
                         slug="healing-circle", caucus=caucus)  # fmt: skip
    html = _home(client)
    assert "Caucus session" in html
    for detail in ("Healing circle", "Secret summary", "Secret-caucus-name", event.slug):
        assert detail not in html


def test_figures_are_rounded_down_and_small_ones_not_shown():
    assert visitor_figures().members is None  # nobody yet
    organisations = OrganisationFactory.create_batch(7)
    for n in range(64):
        UserFactory(organisation=organisations[n % 7])
    UserFactory(is_active=False)  # a closed account is not counted
    for _ in range(12):
        event = EventFactory(past=True)
    EventFactory(past=True, caucus=CaucusFactory())  # caucus sessions are never counted
    AttendanceFactory(event=event)
    figures = visitor_figures()
    assert (figures.members, figures.organisations, figures.sessions) == (60, 5, 10)


def test_figures_below_the_small_numbers_threshold_are_hidden(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    organisation = OrganisationFactory()
    for _ in range(4):
        UserFactory(organisation=organisation)
    figures = visitor_figures()
    assert (figures.members, figures.organisations, figures.sessions) == (None, None, None)
    assert not figures.any


def test_the_home_page_says_the_figures_in_words(client):
    for _ in range(25):
        UserFactory(organisation=None)
    html = _home(client)
    assert "Over 20 members" in html
    assert "organisations" not in html.split("The CoP in figures")[1].split("</section>")[0]


def test_recent_public_resources_are_shown_and_members_only_ones_are_not(client):
    ResourceFactory(title="Public reading", audience="public")
    ResourceFactory(title="Members-only reading", audience="members")
    caucus_session = EventFactory(past=True, caucus=CaucusFactory())
    ResourceFactory(title="Caucus slides", audience="public", event=caucus_session)
    html = _home(client)
    assert "Public reading" in html
    assert "Members-only reading" not in html
    assert "Caucus slides" not in html


def test_the_home_page_says_why_to_join_and_links_to_joining(client):
    html = _home(client)
    assert '<h2 id="why-join">Why join</h2>' in html
    assert html.count(f'href="{reverse("account_signup")}"') >= 2


def test_the_visitor_home_page_runs_as_many_queries_however_much_there_is(
    client, same_queries_at_two_sizes
):
    """The page is the first one every visitor opens: its reads must not grow with the data."""
    caucus = CaucusFactory()

    def grow(size):
        for n in range(size):
            EventFactory(caucus=caucus if n % 2 else None)
            EventFactory(past=True)
            ResourceFactory(audience="public")
            UserFactory()

    same_queries_at_two_sizes(client, reverse("members:home"), grow=grow, sizes=(2, 6))
