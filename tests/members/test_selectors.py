import pytest

from cop_portal.web.templatetags.portal import markdown
from members.selectors import accounts, onboarding, organisations
from members.selectors.onboarding import GroundRulesStatus, NextStep
from tests.factories import (
    GlossaryTermFactory,
    GroundRulesFactory,
    OrganisationFactory,
    TopicFactory,
    UserFactory,
)

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


# Member directory


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


# Organisations


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


# Markdown filter


def test_markdown_keeps_headings_lists_links_and_emphasis():
    text = (
        "## Welcome\n\nSome **bold** text.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        '[The CoP](https://example.org/cop "Home")'
    )

    assert markdown(text) == (
        "<h2>Welcome</h2>\n"
        "<p>Some <strong>bold</strong> text.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
        '<p><a href="https://example.org/cop" title="Home" rel="noopener noreferrer">'
        "The CoP</a></p>"
    )


def test_markdown_strips_scripts_and_event_handlers():
    html = markdown(
        'Hello\n\n<script>alert("x")</script>\n\n'
        '<p onclick="steal()">Click</p>\n\n<a href="javascript:steal()">link</a>'
    )

    assert "<script" not in html
    assert "alert" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert html == '<p>Hello</p>\n\n\n<p>Click</p>\n\n<p><a rel="noopener noreferrer">link</a></p>'


def test_markdown_drops_a_top_level_heading_but_keeps_its_text():
    """Each page has one <h1> already, so Markdown may not add another."""
    assert markdown("# Big title") == "Big title"


def test_markdown_of_nothing_is_empty():
    assert markdown(None) == ""
    assert markdown("") == ""
