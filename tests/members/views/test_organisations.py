"""The organisers' organisation pages: unique names and merging duplicates."""

import pytest
from django.urls import reverse

from members.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organiser_merges_duplicate_organisations(organiser_client):
    keep = OrganisationFactory(name="Riverside NHS Foundation Trust")
    duplicate = OrganisationFactory(name="Riverside NHS FT")
    UserFactory.create_batch(2, organisation=duplicate)
    response = organiser_client.post(
        reverse("members:organisation_merge"),
        {"keep": keep.pk, "duplicates": [duplicate.pk]},
        follow=True,
    )
    assert b"Merged into Riverside NHS Foundation Trust: 2 member(s) moved." in response.content
    assert list(Organisation.objects.filter(name__startswith="Riverside")) == [keep]
    assert keep.members.count() == 2


def test_merging_an_organisation_into_itself_is_refused(organiser_client):
    keep = OrganisationFactory()
    response = organiser_client.post(
        reverse("members:organisation_merge"), {"keep": keep.pk, "duplicates": [keep.pk]}
    )
    assert response.status_code == 200
    assert (
        b"Choose at least one duplicate other than the organisation you keep." in response.content
    )
    assert Organisation.objects.filter(pk=keep.pk).exists()


def test_organisation_names_are_unique_whatever_their_case(organiser_client):
    OrganisationFactory(name="Community Voices")
    response = organiser_client.post(
        reverse("members:organisation_new"), {"name": "community voices", "sector": ""}
    )
    assert response.status_code == 200
    assert b"An organisation with this name already exists." in response.content
    assert Organisation.objects.filter(name__iexact="community voices").count() == 1


def test_organisation_name_with_extra_spaces_clashes_with_the_existing_one(organiser_client):
    OrganisationFactory(name="Leeds Teaching Hospitals")
    response = organiser_client.post(
        reverse("members:organisation_new"), {"name": "Leeds  Teaching   Hospitals", "sector": ""}
    )
    assert response.status_code == 200
    assert b"An organisation with this name already exists." in response.content
    assert list(
        Organisation.objects.filter(name__startswith="Leeds").values_list("name", flat=True)
    ) == ["Leeds Teaching Hospitals"]
