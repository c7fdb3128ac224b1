import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    ContentPage,
    GlossaryTerm,
    GroundRules,
    GroundRulesAgreement,
    Organisation,
    User,
)
from members.roles import ORGANISERS, ROLE_PERMISSIONS, STEERING_GROUP
from members.services import accounts, onboarding, organisations, starter
from resources.models import Topic
from tests.factories import (
    GlossaryTermFactory,
    GroundRulesFactory,
    OrganisationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _group_permissions(name):
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


# Profiles and onboarding


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


# Organisations


def test_organisation_save_collapses_whitespace():
    organisation = organisations.organisation_save(
        organisation=Organisation(), name="  Leeds   Teaching\tHospitals \n", sector="nhs"
    )

    organisation.refresh_from_db()
    assert organisation.name == "Leeds Teaching Hospitals"
    assert organisation.sector == "nhs"


def test_organisation_save_refuses_a_name_that_differs_only_in_case_or_spacing():
    OrganisationFactory(name="Leeds Teaching Hospitals")

    with pytest.raises(ValidationError) as error:
        organisations.organisation_save(
            organisation=Organisation(), name="leeds  teaching hospitals", sector=""
        )

    assert error.value.messages == ["An organisation with this name already exists."]
    assert Organisation.objects.count() == 1


def test_organisation_merge_moves_members_and_deletes_duplicates():
    keep = OrganisationFactory(name="Bradford Council", sector="")
    duplicate_a = OrganisationFactory(name="Bradford MDC", sector="local_authority")
    duplicate_b = OrganisationFactory(name="City of Bradford", sector="")
    unrelated = OrganisationFactory(name="Airedale NHS")
    stayer = UserFactory(organisation=keep)
    movers = [
        *UserFactory.create_batch(2, organisation=duplicate_a),
        UserFactory(organisation=duplicate_b),
    ]
    bystander = UserFactory(organisation=unrelated)

    moved = organisations.organisation_merge(keep=keep, duplicates=[duplicate_a, duplicate_b])

    assert moved == 3
    assert set(keep.members.all()) == {stayer, *movers}
    assert set(Organisation.objects.all()) == {keep, unrelated}
    bystander.refresh_from_db()
    assert bystander.organisation == unrelated
    keep.refresh_from_db()
    assert keep.sector == "local_authority"


def test_organisation_merge_ignores_the_kept_organisation_among_duplicates():
    keep = OrganisationFactory(name="Leeds Teaching Hospitals", sector="nhs")
    duplicate = OrganisationFactory(name="LTHT", sector="voluntary")
    UserFactory(organisation=keep)
    UserFactory(organisation=duplicate)

    moved = organisations.organisation_merge(keep=keep, duplicates=[keep, duplicate])

    assert moved == 1
    assert list(Organisation.objects.all()) == [keep]
    keep.refresh_from_db()
    assert keep.sector == "nhs"
    assert keep.members.count() == 2


def test_organisation_merge_refuses_when_the_only_duplicate_is_the_kept_one():
    keep = OrganisationFactory(name="Leeds Teaching Hospitals")
    other = OrganisationFactory(name="Airedale NHS")
    member = UserFactory(organisation=keep)

    with pytest.raises(ValidationError, match="other than the one to keep"):
        organisations.organisation_merge(keep=keep, duplicates=[keep])

    assert set(Organisation.objects.all()) == {keep, other}
    member.refresh_from_db()
    assert member.organisation == keep


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


# Starter content


def _starter_glossary():
    text = (starter.STARTER_DIR / "glossary.json").read_text(encoding="utf-8")
    return {entry["term"]: entry["definition"] for entry in json.loads(text)}


def test_starter_content_load_fills_an_empty_database():
    glossary = _starter_glossary()

    created = starter.starter_content_load()

    assert created == {
        "pages": 4,
        "pages_updated": 0,
        "ground_rules": 1,
        "glossary_terms": len(glossary),
        "topics": len(starter.STARTER_TOPICS),
    }
    assert sorted(ContentPage.objects.values_list("slug", flat=True)) == [
        "accessibility",
        "introduction",
        "privacy",
        "special-category-data",
    ]
    introduction = ContentPage.objects.get(slug=ContentPage.INTRODUCTION)
    assert introduction.title == "About the Community of Practice"
    assert introduction.body == (starter.STARTER_DIR / "introduction.md").read_text(
        encoding="utf-8"
    )
    rules = GroundRules.objects.get()
    assert rules.version == 1
    assert rules.is_published is True
    assert rules.body == (starter.STARTER_DIR / "ground_rules.md").read_text(encoding="utf-8")
    assert dict(GlossaryTerm.objects.values_list("term", "definition")) == glossary
    assert set(Topic.objects.values_list("name", "slug")) == {
        (name, slugify(name)) for name in starter.STARTER_TOPICS
    }


@pytest.mark.parametrize(
    ("slug", "promise_withdrawn"),
    [
        ("privacy", "Answers to anonymous surveys are stored with no link to you at all. Answers"),
        ("special-category-data", "your caucus is recorded with your answers"),
    ],
)
def test_starter_content_load_brings_an_unedited_policy_page_up_to_date(slug, promise_withdrawn):
    """A deploy must not leave the privacy pages describing what the portal no longer does (they
    said the caucus was stored with survey answers); an organiser's own wording stays."""
    starter.starter_content_load()
    earlier = (starter.STARTER_DIR / "superseded" / f"{slug}.1.md").read_text("utf-8")
    assert promise_withdrawn in earlier
    ContentPage.objects.filter(slug=slug).update(body=earlier)

    created = starter.starter_content_load()

    source = {s: name for s, _, _, name in starter.STARTER_PAGES}[slug]
    body = ContentPage.objects.get(slug=slug).body
    assert body == (starter.STARTER_DIR / source).read_text(encoding="utf-8")
    assert promise_withdrawn not in body
    assert created["pages_updated"] == 1


def test_starter_content_load_keeps_an_edited_policy_page():
    starter.starter_content_load()
    ContentPage.objects.filter(slug="privacy").update(body="Our own wording.")

    created = starter.starter_content_load()

    assert ContentPage.objects.get(slug="privacy").body == "Our own wording."
    assert created["pages_updated"] == 0


def test_starter_content_load_a_second_time_creates_nothing():
    starter.starter_content_load()

    created = starter.starter_content_load()

    assert created == {
        "pages": 0,
        "pages_updated": 0,
        "ground_rules": 0,
        "glossary_terms": 0,
        "topics": 0,
    }
    assert ContentPage.objects.count() == 4
    assert GroundRules.objects.count() == 1
    assert GlossaryTerm.objects.count() == len(_starter_glossary())
    assert Topic.objects.count() == len(starter.STARTER_TOPICS)


def test_starter_content_load_keeps_an_edited_introduction(organiser):
    starter.starter_content_load()
    page = ContentPage.objects.get(slug=ContentPage.INTRODUCTION)
    onboarding.content_page_update(
        page=page, title="Welcome", summary="Our own words.", body="## Hello", user=organiser
    )

    starter.starter_content_load()

    page.refresh_from_db()
    assert (page.title, page.summary, page.body) == ("Welcome", "Our own words.", "## Hello")
    assert page.updated_by == organiser


def test_starter_content_load_leaves_existing_rules_and_terms_alone(ground_rules):
    GlossaryTermFactory(term="ALLYSHIP", slug="allyship", definition="Our own definition.")

    created = starter.starter_content_load()

    assert created["ground_rules"] == 0
    assert created["glossary_terms"] == 0
    assert list(GroundRules.objects.all()) == [ground_rules]
    assert list(GlossaryTerm.objects.values_list("term", "definition")) == [
        ("ALLYSHIP", "Our own definition.")
    ]


def test_starter_content_load_does_not_bring_back_what_organisers_deleted():
    starter.starter_content_load()
    GlossaryTerm.objects.get(term="Allyship").delete()
    Topic.objects.get(name="Clinical bias").delete()

    created = starter.starter_content_load()

    assert created == {
        "pages": 0,
        "pages_updated": 0,
        "ground_rules": 0,
        "glossary_terms": 0,
        "topics": 0,
    }
    assert not GlossaryTerm.objects.filter(term="Allyship").exists()
    assert not Topic.objects.filter(name="Clinical bias").exists()
