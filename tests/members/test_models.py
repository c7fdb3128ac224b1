import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import GlossaryTerm, GroundRules, Organisation, User
from tests.factories import (
    GlossaryTermFactory,
    GroundRulesFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_user_email_is_unique_whatever_its_case():
    User.objects.create(email="Ann.Smith@example.org")

    with pytest.raises(IntegrityError, match="user_email_ci_unique"), transaction.atomic():
        User.objects.create(email="ann.smith@EXAMPLE.org")

    assert User.objects.count() == 1


def test_user_full_clean_reports_an_email_that_differs_only_in_case():
    UserFactory(email="ann.smith@example.org")
    other = User(email="Ann.Smith@Example.org")
    other.set_password("correct horse battery staple")

    with pytest.raises(ValidationError) as error:
        other.full_clean()

    assert error.value.message_dict == {"email": ["User with this Email address already exists."]}


def test_organisation_name_is_unique_whatever_its_case():
    Organisation.objects.create(name="Leeds Teaching Hospitals")

    with pytest.raises(IntegrityError, match="organisation_name_ci_unique"), transaction.atomic():
        Organisation.objects.create(name="LEEDS teaching hospitals")

    assert list(Organisation.objects.values_list("name", flat=True)) == ["Leeds Teaching Hospitals"]


def test_glossary_term_is_unique_whatever_its_case():
    GlossaryTermFactory(term="Allyship", slug="allyship")

    with pytest.raises(IntegrityError, match="glossary_term_ci_unique"), transaction.atomic():
        GlossaryTermFactory(term="ALLYSHIP", slug="allyship-2")


@pytest.mark.parametrize(
    ("term", "letter"),
    [
        ("Allyship", "A"),
        ("equity", "E"),
        ("1:1 mentoring", "#"),
        ("24/7 services", "#"),
    ],
)
def test_glossary_term_letter(term, letter):
    assert GlossaryTerm(term=term).letter == letter


def test_user_without_a_name_is_shown_by_email():
    user = UserFactory(name="", email="ann@example.org")

    assert str(user) == "ann@example.org"
    assert user.get_short_name() == "ann@example.org"
    assert user.get_full_name() == "ann@example.org"


def test_user_with_a_name_is_shown_by_name():
    user = UserFactory(name="Ada Lovelace King", email="ada@example.org")

    assert str(user) == "Ada Lovelace King"
    assert user.get_short_name() == "Ada"
    assert user.get_full_name() == "Ada Lovelace King"


def test_create_user_lower_cases_the_email_and_is_not_staff():
    user = User.objects.create_user("Ann.Smith@EXAMPLE.ORG", password="correct horse")

    user.refresh_from_db()
    assert user.email == "ann.smith@example.org"
    assert user.is_staff is False
    assert user.is_superuser is False
    assert user.is_active is True
    assert user.check_password("correct horse") is True


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match=r"^An email address is required\.$"):
        User.objects.create_user("", password="correct horse")

    assert User.objects.count() == 0


def test_create_superuser_sets_the_flags_even_when_told_otherwise():
    user = User.objects.create_superuser(
        "Admin@Example.org", password="correct horse", is_staff=False, is_superuser=False
    )

    user.refresh_from_db()
    assert user.email == "admin@example.org"
    assert user.is_staff is True
    assert user.is_superuser is True


def test_user_clean_strips_and_lower_cases_the_email():
    user = User(email="  Ann@Example.ORG ")

    user.clean()

    assert user.email == "ann@example.org"


def test_ground_rules_is_published_and_str():
    published = GroundRulesFactory(version=1)
    draft = GroundRulesFactory(version=2, published_at=None)

    assert published.is_published is True
    assert draft.is_published is False
    assert str(draft) == "Ground rules, version 2"
    assert [rules.version for rules in GroundRules.objects.all()] == [2, 1]


def test_organisations_are_ordered_by_name_ignoring_case():
    OrganisationFactory(name="bradford council")
    OrganisationFactory(name="Airedale NHS")
    OrganisationFactory(name="Calderdale CVS")

    assert [str(org) for org in Organisation.objects.all()] == [
        "Airedale NHS",
        "bradford council",
        "Calderdale CVS",
    ]
