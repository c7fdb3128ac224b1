"""Kinds of session, the CoP's goals and the caucuses, kept by organisers without the admin."""

import pytest
from django.urls import reverse

from events.models import Caucus, Event, EventKind, Goal
from events.services.public import caucus_join
from tests.factories import CaucusFactory, EventFactory, GoalFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_lists_kinds_goals_and_caucuses_with_their_descriptions(organiser_client):
    GoalFactory(name="Act on what we learn", order=2)
    GoalFactory(name="Learn together", order=1)
    CaucusFactory(description="A space for global majority members.")
    page = organiser_client.get(reverse("events:descriptions")).content.decode()
    assert page.index("Learn together") < page.index("Act on what we learn")
    assert "A space for global majority members." in page
    assert reverse("events:caucus_new") in page


def test_a_kind_is_added_renamed_and_a_duplicate_name_refused(organiser_client):
    organiser_client.post(reverse("events:kind_new"), {"name": "  Book   club "})
    kind = EventKind.objects.get(name="Book club")
    assert kind.slug == "book-club"
    organiser_client.post(reverse("events:kind_edit", args=[kind.pk]), {"name": "Reading circle"})
    kind.refresh_from_db()
    assert (kind.name, kind.slug) == ("Reading circle", "book-club")  # addresses stay put

    response = organiser_client.post(reverse("events:kind_new"), {"name": "READING CIRCLE"})
    assert response.status_code == 200
    assert "A kind of event with this name already exists." in response.content.decode()
    assert EventKind.objects.filter(name__iexact="reading circle").count() == 1


def test_a_kind_in_use_cannot_be_deleted_and_an_unused_one_can(organiser_client):
    used = EventFactory().kind
    unused = EventKind.objects.create(name="Unused", slug="unused")
    response = organiser_client.post(reverse("events:kind_delete", args=[used.pk]), follow=True)
    assert f"Sessions are of the kind “{used.name}”, so it cannot be deleted." in (
        response.content.decode()
    )
    assert EventKind.objects.filter(pk=used.pk).exists()
    organiser_client.post(reverse("events:kind_delete", args=[unused.pk]))
    assert not EventKind.objects.filter(pk=unused.pk).exists()


def test_a_goal_deleted_leaves_its_sessions(organiser_client):
    goal = GoalFactory(name="Old goal")
    event = EventFactory()
    event.goals.set([goal])
    organiser_client.post(reverse("events:goal_delete", args=[goal.pk]))
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert Event.objects.filter(pk=event.pk).exists()
    assert list(event.goals.all()) == []


def test_rewording_a_caucus_leaves_what_members_consented_to(organiser_client):
    caucus = CaucusFactory(description="The words they read.")
    membership = caucus_join(member=UserFactory(), caucus=caucus, consent=True)
    response = organiser_client.post(
        reverse("events:caucus_edit", args=[caucus.pk]),
        {"name": caucus.name, "description": "New words."},
    )
    assert response.status_code == 302
    caucus.refresh_from_db()
    membership.refresh_from_db()
    assert caucus.description == "New words."
    assert membership.consent_text.endswith(
        "The caucus chosen: Global majority: The words they read."
    )


def test_a_caucus_needs_a_name(organiser_client):
    response = organiser_client.post(reverse("events:caucus_new"), {"name": " ", "description": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Caucus.objects.count() == 0


def test_the_steering_group_cannot_change_them(client, steering_member):
    client.force_login(steering_member)
    assert client.get(reverse("events:descriptions")).status_code == 403
    assert client.post(reverse("events:goal_new"), {"name": "X", "order": 1}).status_code == 403
    assert Goal.objects.filter(name="X").count() == 0
