"""Organisation reads: the organisers' list with member counts."""

import pytest

from members.selectors import organisations
from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_organisations_with_counts_counts_members():
    leeds = OrganisationFactory(name="Leeds")
    OrganisationFactory(name="Airedale")
    bradford = OrganisationFactory(name="Bradford")
    UserFactory.create_batch(3, organisation=leeds)
    UserFactory(organisation=bradford)
    UserFactory(organisation=None)

    counts = {org.name: org.member_count for org in organisations.organisations_with_counts()}

    assert counts == {"Airedale": 0, "Bradford": 1, "Leeds": 3}


ORGANISATION_NAMES = [
    "Airedale NHS",
    "bradford council",
    "Calderdale CVS",
    "Doncaster ICB",
    "east Leeds PCN",
    "Frimley Health",
    "Gateshead Council",
    "Hull University",
]


@pytest.mark.django_db
def test_organisations_with_counts_keeps_alphabetical_order():
    """Eight rows made in reverse order, so a correct order by chance is 1 in 40,320."""
    for name in reversed(ORGANISATION_NAMES):
        UserFactory(organisation=OrganisationFactory(name=name))

    names = [org.name for org in organisations.organisations_with_counts()]

    assert names == ORGANISATION_NAMES
