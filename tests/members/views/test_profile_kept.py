"""A member's profile page as kept for them (members.caching.member_page_kept). The tests are
attacks on what is kept: one member's profile served to another, or kept past a change to the
profile, their organisation's name or a topic's, made through the services or the admin."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.services.accounts import profile_update
from members.services.organisations import organisation_save
from resources.services import topic_save
from tests.factories import OrganisationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("members:profile")


def _profile(client) -> str:
    response = client.get(PROFILE)
    assert response.status_code == 200
    return response.content.decode()


def _signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_the_second_view_asks_the_database_nothing(member_client, member):
    profile_update(user=member, organisation=OrganisationFactory(name="Leeds Trust"))
    assert "Leeds Trust" in _profile(member_client)
    with CaptureQueriesContext(connection) as captured:
        assert "Leeds Trust" in _profile(member_client)
    assert len(captured.captured_queries) == 0


def test_one_members_kept_profile_is_never_served_to_another(member, ground_rules):
    other = UserFactory(agreed_to=ground_rules, name="Grace Hopper")
    profile_update(
        user=member,
        name="Ada Lovelace",
        job_role="Analyst",
        organisation=OrganisationFactory(name="Leeds Trust"),
        interests=[TopicFactory(name="Allyship")],
    )
    first = _profile(_signed_in(member))
    assert "Ada Lovelace" in first
    assert member.email in first

    html = _profile(_signed_in(other))

    assert "Grace Hopper" in html
    assert other.email in html
    for theirs in ("Ada Lovelace", member.email, "Analyst", "Leeds Trust", "Allyship"):
        assert theirs not in html


def test_a_profile_changed_through_the_service_shows_on_the_next_request(member_client, member):
    profile_update(user=member, job_role="Analyst", interests=[TopicFactory(name="Allyship")])
    assert "Analyst" in _profile(member_client)

    profile_update(user=member, job_role="Director", interests=[TopicFactory(name="Data")])

    html = _profile(member_client)
    assert "Director" in html
    assert "Data" in html
    assert "Analyst" not in html
    assert "Allyship" not in html


def test_an_organisation_renamed_through_the_service_shows_on_the_next_request(
    member_client, member
):
    organisation = OrganisationFactory(name="Leeds Trust")
    profile_update(user=member, organisation=organisation)
    assert "Leeds Trust" in _profile(member_client)

    organisation_save(organisation=organisation, name="Leeds Teaching Trust", sector="nhs")

    assert "Leeds Teaching Trust" in _profile(member_client)


def test_an_organisation_renamed_in_the_admin_shows_on_the_next_request(member_client, member):
    organisation = OrganisationFactory(name="Leeds Trust")
    profile_update(user=member, organisation=organisation)
    assert "Leeds Trust" in _profile(member_client)

    organisation.name = "Leeds Teaching Trust"
    organisation.save()  # as the admin saves it, outside the service

    assert "Leeds Teaching Trust" in _profile(member_client)


def test_a_topic_renamed_or_removed_shows_on_the_next_request(member_client, member):
    topic = TopicFactory(name="Allyship")
    profile_update(user=member, interests=[topic])
    assert "Allyship" in _profile(member_client)

    topic_save(topic=topic, name="Active allyship")
    assert "Active allyship" in _profile(member_client)

    topic.delete()  # as the admin deletes it
    html = _profile(member_client)
    assert "Active allyship" not in html
    assert "None chosen" in html
