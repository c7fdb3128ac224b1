"""Joining, through the pages: from signing up to a complete checklist, the introduction, the
ground rules and their gate, the glossary, the pages organisers edit for them, and the
accessibility statement."""

import re

import pytest
from django.urls import reverse

from members.models import GlossaryTerm, GroundRulesAgreement, User
from members.services.starter import starter_content_load
from tests.factories import (
    GlossaryTermFactory,
    GroundRulesFactory,
    OrganisationFactory,
    TopicFactory,
    UserFactory,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db


def _checklist(response):
    """The joining checklist as (status, step) pairs, read from the page."""
    html = response.content.decode()
    return [
        (status, step.strip())
        for status, step in re.findall(
            r'<span class="status status-(done|todo)">[^<]*</span>\s*(?:<a [^>]*>)?([^<]+)', html
        )
    ]


def test_new_joiner_journey_from_sign_up_to_a_complete_checklist(client, ground_rules):
    topic = TopicFactory(name="Migrant health")
    organisation = OrganisationFactory(name="Riverside NHS Foundation Trust")

    response = client.post(
        reverse("account_signup"),
        {
            "email": "Ada.Joiner@Example.org",
            "password1": "a long passphrase for ada",
            "password2": "a long passphrase for ada",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "ada.joiner@example.org"

    (message,) = mail_sent()
    link = re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", message.body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response["Location"] == reverse("members:profile_edit")

    response = client.get(reverse("members:profile_edit"))
    assert b"<h1>Complete your profile</h1>" in response.content

    response = client.post(
        reverse("members:profile_edit"),
        {
            "name": "Ada Joiner",
            "organisation": organisation.pk,
            "job_role": "Health visitor",
            "sector": "nhs",
            "seniority": "frontline",
            "interests": [topic.pk],
            "listed_in_directory": "on",
        },
    )
    assert response["Location"] == reverse("members:introduction")

    response = client.post(reverse("members:introduction_read"))
    assert response["Location"] == reverse("members:ground_rules")

    response = client.post(
        reverse("members:ground_rules_agree"), {"version": ground_rules.version, "agree": "on"}
    )
    assert response["Location"] == reverse("members:home")

    response = client.get(reverse("members:home"))
    assert _checklist(response) == [
        ("done", "Verify your email address"),
        ("done", "Complete your profile"),
        ("done", "Read the introduction"),
        ("done", "Agree to the ground rules"),
    ]
    assert b"You have done everything you need to take part." in response.content
    user.refresh_from_db()
    assert (user.name, user.organisation, user.job_role) == (
        "Ada Joiner",
        organisation,
        "Health visitor",
    )
    assert list(user.interests.all()) == [topic]
    assert GroundRulesAgreement.objects.get(member=user).ground_rules == ground_rules


def test_home_checklist_shows_what_is_left_to_do(client, ground_rules):
    user = UserFactory(profile_completed_at=None, introduction_read_at=None)
    client.force_login(user)
    response = client.get(reverse("members:home"))
    assert _checklist(response) == [
        ("done", "Verify your email address"),
        ("todo", "Complete your profile"),
        ("todo", "Read the introduction"),
        ("todo", "Agree to the ground rules"),
    ]


@pytest.mark.parametrize(
    "name", ["members:home", "members:introduction", "members:ground_rules", "members:glossary"]
)
def test_public_pages_are_open_to_anonymous_visitors(client, name, ground_rules):
    starter_content_load()
    assert client.get(reverse(name)).status_code == 200


def test_member_who_has_not_agreed_is_sent_to_the_ground_rules(client, ground_rules):
    user = UserFactory()
    client.force_login(user)
    url = reverse("members:directory")
    response = client.get(url)
    assert response["Location"] == f"{reverse('members:ground_rules')}?next=%2Fmembers%2F"


def test_new_ground_rules_version_asks_members_to_agree_again(client, member, ground_rules):
    client.force_login(member)
    assert client.get(reverse("members:directory")).status_code == 200

    GroundRulesFactory(version=2, change_summary="Added a rule on recording sessions.")

    response = client.get(reverse("members:directory"))
    assert response["Location"] == f"{reverse('members:ground_rules')}?next=%2Fmembers%2F"
    home = client.get(reverse("members:home"))
    assert b"The ground rules have changed." in home.content
    page = client.get(response["Location"])
    assert b"Added a rule on recording sessions." in page.content
    assert b'name="next" value="/members/"' in page.content

    response = client.post(
        reverse("members:ground_rules_agree"), {"version": 2, "agree": "on", "next": "/members/"}
    )
    assert response["Location"] == "/members/"
    assert client.get(reverse("members:directory")).status_code == 200
    assert sorted(
        member.ground_rules_agreements.values_list("ground_rules__version", flat=True)
    ) == [1, 2]


def test_draft_ground_rules_do_not_ask_members_to_agree(client, member):
    GroundRulesFactory(version=2, published_at=None)
    client.force_login(member)
    assert client.get(reverse("members:directory")).status_code == 200


def test_agreeing_to_an_outdated_version_is_refused_with_a_message(client, ground_rules):
    user = UserFactory()
    GroundRulesFactory(version=2)
    client.force_login(user)
    response = client.post(
        reverse("members:ground_rules_agree"), {"version": 1, "agree": "on"}, follow=True
    )
    assert b"These ground rules are no longer current" in response.content
    assert not GroundRulesAgreement.objects.filter(member=user).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": "1"}, "Tick the box to say you agree to the ground rules."),
        ({"version": "not-a-number", "agree": "on"}, "not the current ones"),
        ({"version": "", "agree": "on"}, "not the current ones"),
        ({"version": "1" * 400, "agree": "on"}, "not the current ones"),
        ({"version": "7", "agree": "on"}, "not the current ones"),
    ],
)
def test_bad_agreement_input_gets_a_message_not_an_error(client, ground_rules, data, message):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("members:ground_rules_agree"), data, follow=True)
    assert response.status_code == 200
    assert message.encode() in response.content
    assert not GroundRulesAgreement.objects.exists()


def test_agreement_ignores_an_offsite_next(client, ground_rules):
    client.force_login(UserFactory())
    response = client.post(
        reverse("members:ground_rules_agree"),
        {"version": 1, "agree": "on", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("members:home")


def test_glossary_filters_on_the_server_without_javascript(client):
    GlossaryTermFactory(term="Allyship", slug="allyship", definition="Standing with others.")
    GlossaryTermFactory(
        term="Intersectionality", slug="intersectionality", definition="Overlapping."
    )
    response = client.get(reverse("members:glossary"), {"q": "ally"})
    assert b'id="allyship"' in response.content
    assert b'id="intersectionality"' not in response.content
    response = client.get(reverse("members:glossary"), {"q": "zzz"})
    assert "No terms match “zzz”.".encode() in response.content


def test_glossary_gives_every_term_an_anchor_under_its_letter(client):
    GlossaryTermFactory(term="Safe space", slug="safe-space")
    response = client.get(reverse("members:glossary"))
    assert b'<a href="#letter-S" data-glossary-letter="S">S</a>' in response.content
    assert (
        b'<dt id="safe-space"><a href="#safe-space" class="text-reset">Safe space</a></dt>'
        in response.content
    )


# Organiser pages ---------------------------------------------------------------------------


def test_organiser_edits_the_introduction(organiser_client):
    starter_content_load()
    response = organiser_client.post(
        reverse("members:introduction_edit"),
        {
            "title": "About us",
            "summary": "Short.",
            "body": "## Purpose\n\nWe learn.<script>x()</script>",
        },
    )
    assert response["Location"] == reverse("members:introduction")
    page = organiser_client.get(reverse("members:introduction")).content.decode()
    assert "<h1>About us</h1>" in page
    assert "<h2>Purpose</h2>" in page
    assert "<script>x()" not in page


def test_organiser_drafts_and_publishes_new_ground_rules(client, organiser, member, ground_rules):
    client.force_login(organiser)
    response = client.post(
        reverse("members:ground_rules_new"),
        {"body": "1. **Be kind.**", "change_summary": "Shorter."},
    )
    assert response["Location"] == reverse("members:ground_rules_versions")
    client.force_login(member)
    assert client.get(reverse("members:directory")).status_code == 200

    client.force_login(organiser)
    client.post(reverse("members:ground_rules_publish", kwargs={"version": 2}))
    client.force_login(member)
    assert client.get(reverse("members:directory")).status_code == 302


def test_publishing_twice_gives_a_message(organiser_client, ground_rules):
    response = organiser_client.post(
        reverse("members:ground_rules_publish", kwargs={"version": 1}), follow=True
    )
    assert b"Version 1 is already published." in response.content


def test_published_ground_rules_cannot_be_edited(organiser_client, ground_rules):
    url = reverse("members:ground_rules_edit", kwargs={"version": 1})
    assert organiser_client.get(url).status_code == 404


def test_organiser_adds_edits_and_deletes_a_glossary_term(organiser_client):
    organiser_client.post(
        reverse("members:glossary_term_new"), {"term": "Allyship", "definition": "Standing with."}
    )
    response = organiser_client.post(
        reverse("members:glossary_term_new"), {"term": "allyship", "definition": "Again."}
    )
    assert response.status_code == 200
    assert b"The glossary already has this term." in response.content

    term = GlossaryTerm.objects.get()
    organiser_client.post(
        reverse("members:glossary_term_edit", kwargs={"pk": term.pk}),
        {"term": "Allyship", "definition": "Acting alongside."},
    )
    term.refresh_from_db()
    assert term.definition == "Acting alongside."
    organiser_client.post(reverse("members:glossary_term_delete", kwargs={"pk": term.pk}))
    assert not GlossaryTerm.objects.exists()


def test_the_accessibility_statement_is_public_and_linked_from_every_page(client):
    starter_content_load()
    url = reverse("members:page", args=["accessibility"])
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1>Accessibility statement</h1>" in response.content.decode()
    assert (
        f'<a href="{url}">Accessibility</a>' in client.get(reverse("members:home")).content.decode()
    )
