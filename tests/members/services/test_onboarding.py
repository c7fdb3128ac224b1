"""Onboarding writes: reading the introduction, agreeing to, drafting and publishing the ground
rules, and the glossary."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import GlossaryTerm, GroundRules, GroundRulesAgreement, User
from members.services import onboarding
from tests.factories import GlossaryTermFactory, GroundRulesFactory, UserFactory

pytestmark = pytest.mark.django_db


# The introduction


def test_introduction_mark_read_keeps_the_first_time():
    user = UserFactory(introduction_read_at=None)

    onboarding.introduction_mark_read(user=user)
    first = User.objects.get(pk=user.pk).introduction_read_at
    onboarding.introduction_mark_read(user=User.objects.get(pk=user.pk))

    assert first is not None
    assert User.objects.get(pk=user.pk).introduction_read_at == first


# Ground rules


def test_ground_rules_agree_records_one_agreement(ground_rules):
    user = UserFactory()

    agreement = onboarding.ground_rules_agree(user=user, ground_rules=ground_rules)

    assert agreement.member == user
    assert agreement.ground_rules == ground_rules
    assert GroundRulesAgreement.objects.filter(member=user).count() == 1


def test_ground_rules_agree_twice_keeps_the_first_agreement(ground_rules):
    user = UserFactory()

    first = onboarding.ground_rules_agree(user=user, ground_rules=ground_rules)
    second = onboarding.ground_rules_agree(user=user, ground_rules=ground_rules)

    assert second.pk == first.pk
    assert second.agreed_at == first.agreed_at
    assert GroundRulesAgreement.objects.filter(member=user).count() == 1


def test_ground_rules_agree_refuses_a_version_that_is_no_longer_current(ground_rules):
    GroundRulesFactory(version=2)
    user = UserFactory()

    with pytest.raises(ValidationError, match="no longer current"):
        onboarding.ground_rules_agree(user=user, ground_rules=ground_rules)

    assert GroundRulesAgreement.objects.filter(member=user).count() == 0


def test_ground_rules_agree_refuses_an_unpublished_draft(ground_rules):
    draft = GroundRulesFactory(version=2, published_at=None)
    user = UserFactory()

    with pytest.raises(ValidationError, match="no longer current"):
        onboarding.ground_rules_agree(user=user, ground_rules=draft)

    assert GroundRulesAgreement.objects.filter(member=user).count() == 0


def test_ground_rules_draft_create_numbers_versions_in_order():
    organiser = UserFactory()

    drafts = [
        onboarding.ground_rules_draft_create(body=f"Rules {n}", change_summary="", user=organiser)
        for n in range(3)
    ]

    assert [draft.version for draft in drafts] == [1, 2, 3]
    assert [draft.is_published for draft in drafts] == [False, False, False]
    assert GroundRules.objects.get(version=2).body == "Rules 1"
    assert GroundRules.objects.get(version=3).created_by == organiser


def test_ground_rules_draft_create_follows_the_published_version(organiser):
    draft = onboarding.ground_rules_draft_create(
        body="1. Be kind.", change_summary="Shorter.", user=organiser
    )

    assert draft.version == 2
    assert draft.change_summary == "Shorter."
    assert draft.published_at is None


def test_ground_rules_draft_update_changes_a_draft(ground_rules):
    draft = GroundRulesFactory(version=2, published_at=None, body="Old")

    onboarding.ground_rules_draft_update(draft=draft, body="New", change_summary="Reworded.")

    draft.refresh_from_db()
    assert (draft.body, draft.change_summary) == ("New", "Reworded.")


def test_ground_rules_draft_update_refuses_a_published_version(ground_rules):
    original_body = ground_rules.body

    with pytest.raises(ValidationError, match="cannot be edited"):
        onboarding.ground_rules_draft_update(
            draft=ground_rules, body="Rewritten", change_summary="Sneaky."
        )

    ground_rules.refresh_from_db()
    assert ground_rules.body == original_body
    assert ground_rules.change_summary == ""


def test_ground_rules_publish_sets_when_and_by_whom(ground_rules, organiser):
    draft = GroundRulesFactory(version=2, published_at=None)
    before = timezone.now()

    published = onboarding.ground_rules_publish(draft=draft, user=organiser)

    published.refresh_from_db()
    assert before <= published.published_at <= timezone.now()
    assert published.published_by == organiser


def test_ground_rules_publish_refuses_publishing_twice(ground_rules, organiser):
    draft = GroundRulesFactory(version=2, published_at=None)
    onboarding.ground_rules_publish(draft=draft, user=organiser)
    first = GroundRules.objects.get(pk=draft.pk).published_at
    other = UserFactory()

    with pytest.raises(ValidationError, match="Version 2 is already published"):
        onboarding.ground_rules_publish(draft=draft, user=other)

    draft.refresh_from_db()
    assert draft.published_at == first
    assert draft.published_by == organiser


def test_ground_rules_publish_refuses_an_older_draft_once_a_newer_is_published(
    ground_rules, organiser
):
    older = GroundRulesFactory(version=2, published_at=None)
    newer = GroundRulesFactory(version=3, published_at=None)
    onboarding.ground_rules_publish(draft=newer, user=organiser)

    with pytest.raises(ValidationError, match="A newer version is already published"):
        onboarding.ground_rules_publish(draft=older, user=organiser)

    older.refresh_from_db()
    assert older.published_at is None
    assert older.published_by is None


# Glossary


def test_glossary_term_create_strips_whitespace():
    term = onboarding.glossary_term_create(
        term="  Cultural humility \n", definition="\n Learning from others. \t"
    )

    term.refresh_from_db()
    assert term.term == "Cultural humility"
    assert term.definition == "Learning from others."
    assert term.slug == "cultural-humility"


def test_glossary_term_create_makes_unique_slugs_for_clashing_terms():
    first = onboarding.glossary_term_create(term="Co-production", definition="One.")
    second = onboarding.glossary_term_create(term="Co production", definition="Two.")
    third = onboarding.glossary_term_create(term="Co-production!", definition="Three.")

    assert [first.slug, second.slug, third.slug] == [
        "co-production",
        "co-production-2",
        "co-production-3",
    ]


def test_glossary_term_create_falls_back_to_a_slug_for_a_term_with_no_letters():
    term = onboarding.glossary_term_create(term="???", definition="Unknown.")

    assert term.slug == "glossaryterm"


def test_glossary_term_create_refuses_a_duplicate_in_other_case():
    onboarding.glossary_term_create(term="Allyship", definition="One.")

    with pytest.raises(ValidationError) as error:
        onboarding.glossary_term_create(term=" ALLYSHIP ", definition="Two.")

    assert error.value.messages == ["The glossary already has this term."]
    assert list(GlossaryTerm.objects.values_list("term", flat=True)) == ["Allyship"]


def test_glossary_term_update_keeps_its_own_slug():
    term = GlossaryTermFactory(term="Equity", slug="equity")

    onboarding.glossary_term_update(glossary_term=term, term="Equity", definition="Fairness.")

    term.refresh_from_db()
    assert term.slug == "equity"
    assert term.definition == "Fairness."
