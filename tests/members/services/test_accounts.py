"""Account writes: accounts made for people, profiles, and the roles' permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import User
from members.roles import ORGANISERS, ROLE_PERMISSIONS, STEERING_GROUP
from members.services import accounts
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _group_permissions(name):
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


# Accounts and profiles


def test_member_account_save_makes_an_account_that_can_sign_in_at_once():
    user = accounts.member_account_save(email="dana@example.org", password="first", organiser=True)
    assert user.check_password("first")
    assert list(user.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("dana@example.org", True, True)
    ]
    assert list(user.groups.values_list("name", flat=True)) == [ORGANISERS]
    again = accounts.member_account_save(email="dana@example.org", password="second")
    assert again.pk == user.pk
    assert again.check_password("second")
    assert User.objects.count() == 1
    assert user.emailaddress_set.count() == 1


def test_profile_update_marks_the_profile_complete_on_the_first_save_only():
    user = UserFactory(profile_completed_at=None, name="")
    before = timezone.now()

    accounts.profile_update(user=user, name="Ann Smith", job_role="Public health lead")
    first = user.profile_completed_at
    accounts.profile_update(user=user, name="Ann B. Smith")

    user.refresh_from_db()
    assert before <= first <= timezone.now()
    assert user.profile_completed_at == first
    assert user.name == "Ann B. Smith"
    assert user.job_role == "Public health lead"


def test_profile_update_sets_interests_and_leaves_them_alone_when_not_given():
    housing, migrant_health, _ = TopicFactory.create_batch(3)
    user = UserFactory()

    accounts.profile_update(user=user, interests=[housing, migrant_health])
    accounts.profile_update(user=user, job_role="GP")

    assert set(user.interests.all()) == {housing, migrant_health}

    accounts.profile_update(user=user, interests=[])

    assert list(user.interests.all()) == []


def test_profile_update_refuses_an_invalid_value_and_saves_nothing():
    user = UserFactory(profile_completed_at=None, sector="nhs")

    with pytest.raises(ValidationError) as error:
        accounts.profile_update(user=user, sector="not-a-sector")

    assert list(error.value.message_dict) == ["sector"]
    user = User.objects.get(pk=user.pk)
    assert user.sector == "nhs"
    assert user.profile_completed_at is None


# Roles


def test_roles_sync_gives_each_role_exactly_its_listed_permissions():
    """Starts from drifted groups, so the test fails if sync only ever adds."""
    Group.objects.filter(name=STEERING_GROUP).delete()
    organisers = Group.objects.get(name=ORGANISERS)
    organisers.permissions.add(Permission.objects.get(codename="delete_user"))
    organisers.permissions.remove(Permission.objects.get(codename="publish_groundrules"))

    accounts.roles_sync()

    assert _group_permissions(ORGANISERS) == set(ROLE_PERMISSIONS[ORGANISERS])
    assert _group_permissions(STEERING_GROUP) == {"members.view_reports", "surveys.view_survey"}


def test_roles_sync_is_idempotent():
    accounts.roles_sync()
    accounts.roles_sync()

    assert Group.objects.filter(name__in=[ORGANISERS, STEERING_GROUP]).count() == 2
    assert _group_permissions(ORGANISERS) == set(ROLE_PERMISSIONS[ORGANISERS])
    assert _group_permissions(STEERING_GROUP) == set(ROLE_PERMISSIONS[STEERING_GROUP])


# Email choices -----------------------------------------------------------------------------


def test_email_choices_set_the_digest_frequency_and_refuse_one_not_offered():
    member = UserFactory()

    accounts.email_preferences_update(user=member, email_digest="fortnightly", email_surveys=False)

    member.refresh_from_db()
    assert (member.email_digest, member.email_surveys) == ("fortnightly", False)
    with pytest.raises(ValueError, match="Not a choice of digest: 'weekly'"):
        accounts.email_preferences_update(user=member, email_digest="weekly")
    member.refresh_from_db()
    assert member.email_digest == "fortnightly"


def test_unsubscribing_from_the_digest_sets_it_to_none_and_other_categories_to_off():
    member = UserFactory(email_digest="fortnightly")

    assert accounts.email_unsubscribe(member_id=member.pk, category="digest") is True
    assert accounts.email_unsubscribe(member_id=member.pk, category="surveys") is True

    member.refresh_from_db()
    assert (member.email_digest, member.email_surveys, member.email_programme) == (
        "none",
        False,
        True,
    )
