"""Onboarding reads: where a member stands with the ground rules, their next steps, the glossary
and the ground rules' versions."""

import pytest

from members.selectors import onboarding
from members.selectors.onboarding import GroundRulesStatus, NextStep
from tests.factories import GlossaryTermFactory, GroundRulesFactory, UserFactory

# Ground rules status


@pytest.mark.django_db
def test_ground_rules_status_when_no_rules_are_published():
    GroundRulesFactory(version=1, published_at=None)
    user = UserFactory()

    status = onboarding.ground_rules_status(user=user)

    assert status == GroundRulesStatus(current_version=None, agreed_version=None)
    assert status.needs_agreement is False
    assert status.is_reagreement is False


def test_ground_rules_status_when_never_agreed(ground_rules, member):
    newcomer = UserFactory()

    status = onboarding.ground_rules_status(user=newcomer)

    assert status == GroundRulesStatus(current_version=1, agreed_version=None)
    assert status.needs_agreement is True
    assert status.is_reagreement is False


def test_ground_rules_status_when_a_newer_version_is_published(member):
    GroundRulesFactory(version=2)

    status = onboarding.ground_rules_status(user=member)

    assert status == GroundRulesStatus(current_version=2, agreed_version=1)
    assert status.needs_agreement is True
    assert status.is_reagreement is True


def test_ground_rules_status_when_agreed_to_the_current_version(member):
    status = onboarding.ground_rules_status(user=member)

    assert status == GroundRulesStatus(current_version=1, agreed_version=1)
    assert status.needs_agreement is False
    assert status.is_reagreement is False


def test_ground_rules_status_ignores_a_newer_draft(member):
    GroundRulesFactory(version=2, published_at=None)

    status = onboarding.ground_rules_status(user=member)

    assert status == GroundRulesStatus(current_version=1, agreed_version=1)
    assert status.needs_agreement is False


# Next steps


def test_member_next_steps_for_a_member_who_has_finished_joining(member):
    status = onboarding.ground_rules_status(user=member)

    steps = onboarding.member_next_steps(user=member, ground_rules=status)

    assert steps == [
        NextStep("Verify your email address", True, "account_email"),
        NextStep("Complete your profile", True, "members:profile_edit"),
        NextStep("Read the introduction", True, "members:introduction"),
        NextStep("Agree to the ground rules", True, "members:ground_rules"),
    ]


def test_member_next_steps_for_a_newcomer(ground_rules):
    newcomer = UserFactory(profile_completed_at=None, introduction_read_at=None)
    status = onboarding.ground_rules_status(user=newcomer)

    steps = onboarding.member_next_steps(user=newcomer, ground_rules=status)

    assert [step.done for step in steps] == [True, False, False, False]


def test_member_next_steps_with_a_mix_of_steps_done(member):
    member.profile_completed_at = None
    GroundRulesFactory(version=2)
    status = onboarding.ground_rules_status(user=member)

    steps = onboarding.member_next_steps(user=member, ground_rules=status)

    assert [step.done for step in steps] == [True, False, True, False]


# Glossary


@pytest.mark.django_db
def test_glossary_by_letter_groups_terms_in_alphabetical_order():
    for term in ["Whiteness", "allyship", "Equity", "Anti-racism", "24/7 access"]:
        GlossaryTermFactory(term=term)

    groups = onboarding.glossary_by_letter()

    assert [(letter, [t.term for t in terms]) for letter, terms in groups] == [
        ("#", ["24/7 access"]),
        ("A", ["allyship", "Anti-racism"]),
        ("E", ["Equity"]),
        ("W", ["Whiteness"]),
    ]


@pytest.mark.django_db
def test_glossary_by_letter_gives_each_letter_one_group():
    for term in ["24/7 access", "Equity", "\u2018Hard to reach\u2019"]:
        GlossaryTermFactory(term=term)

    letters = [letter for letter, _ in onboarding.glossary_by_letter()]

    assert letters == ["#", "E"]


@pytest.mark.django_db
def test_glossary_by_letter_filters_on_term_or_definition_ignoring_case():
    GlossaryTermFactory(term="Anti-racism", definition="Acting against it.")
    GlossaryTermFactory(term="Microaggression", definition="A slight rooted in RACISM.")
    GlossaryTermFactory(term="Equity", definition="Fairness in outcomes.")

    groups = onboarding.glossary_by_letter(query="racis")

    assert [(letter, [t.term for t in terms]) for letter, terms in groups] == [
        ("A", ["Anti-racism"]),
        ("M", ["Microaggression"]),
    ]
    assert onboarding.glossary_by_letter(query="nothing like this") == []


# Ground rules versions


@pytest.mark.django_db
def test_ground_rules_versions_counts_agreements(organiser):
    second = GroundRulesFactory(version=2, published_by=organiser)
    UserFactory.create_batch(2, agreed_to=second)

    counts = {
        rules.version: (rules.agreement_count, rules.published_by)
        for rules in onboarding.ground_rules_versions()
    }

    assert counts == {1: (1, None), 2: (2, organiser)}


@pytest.mark.django_db
def test_ground_rules_versions_lists_the_newest_first():
    """Eight versions made oldest first, so a correct order by chance is 1 in 40,320."""
    for version in range(1, 9):
        GroundRulesFactory(version=version)

    versions = [rules.version for rules in onboarding.ground_rules_versions()]

    assert versions == [8, 7, 6, 5, 4, 3, 2, 1]
