"""Account reads: the member directory."""

import pytest

from members.selectors import accounts
from tests.factories import OrganisationFactory, TopicFactory, UserFactory


@pytest.mark.django_db
def test_member_directory_lists_only_active_members_who_opted_in():
    listed = UserFactory(name="Ann", listed_in_directory=True)
    UserFactory(name="Bea", listed_in_directory=False)
    UserFactory(name="Cat", listed_in_directory=True, is_active=False)
    also_listed = UserFactory(name="Dee", listed_in_directory=True)

    assert list(accounts.member_directory()) == [listed, also_listed]


@pytest.mark.django_db
def test_member_directory_filters_by_organisation_sector_and_interest():
    leeds, bradford = OrganisationFactory(name="Leeds"), OrganisationFactory(name="Bradford")
    housing, maternity = TopicFactory(name="Housing"), TopicFactory(name="Maternity")
    ann = UserFactory(name="Ann", organisation=leeds, sector="nhs", listed_in_directory=True)
    bea = UserFactory(
        name="Bea", organisation=bradford, sector="voluntary", listed_in_directory=True
    )
    cat = UserFactory(name="Cat", organisation=leeds, sector="voluntary", listed_in_directory=True)
    hidden = UserFactory(name="Dee", organisation=leeds, sector="nhs")
    ann.interests.set([housing, maternity])
    bea.interests.set([housing])
    hidden.interests.set([housing])

    assert list(accounts.member_directory(organisation=leeds)) == [ann, cat]
    assert list(accounts.member_directory(sector="voluntary")) == [bea, cat]
    assert list(accounts.member_directory(interest=housing)) == [ann, bea]
    assert list(accounts.member_directory(interest=maternity)) == [ann]
    assert (
        list(accounts.member_directory(organisation=leeds, sector="voluntary", interest=housing))
        == []
    )
    assert list(accounts.member_directory(organisation=leeds, sector="nhs")) == [ann]
