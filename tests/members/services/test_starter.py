"""The members app's starter content (pages, ground rules, glossary, topics): loaded once, kept up
to date, and never over what organisers changed."""

import json

import pytest
from django.utils.text import slugify

from members.models import ContentPage, GlossaryTerm, GroundRules
from members.services import onboarding, starter
from resources.models import Topic
from tests.factories import GlossaryTermFactory

pytestmark = pytest.mark.django_db


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
        "survey_templates": 4,
        "spaces": 4,
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


def _previous_privacy_notice() -> str:
    """The privacy notice every portal had before it described conversations and messages."""
    return (starter.STARTER_DIR / "superseded" / "privacy.3.md").read_text(encoding="utf-8")


def test_the_previous_privacy_notice_said_nothing_of_conversations():
    previous = _previous_privacy_notice()
    current = (starter.STARTER_DIR / "privacy.md").read_text(encoding="utf-8")

    assert previous != current
    for added in ("**Conversations**", "**Messages**", "**Concerns**", "end-to-end encrypted"):
        assert added not in previous
        assert added in current


def test_starter_content_load_brings_the_previous_privacy_notice_up_to_date():
    """A portal whose notice is still the previous starter text would not tell members that
    their posts and messages are kept, who reads them, or that deleting the account deletes
    them: the next deploy replaces it, and keeps the text it replaced as the earlier version."""
    starter.starter_content_load()
    previous = _previous_privacy_notice()
    ContentPage.objects.filter(slug="privacy").update(body=previous)

    created = starter.starter_content_load()

    page = ContentPage.objects.get(slug="privacy")
    assert created["pages_updated"] == 1
    assert page.body == (starter.STARTER_DIR / "privacy.md").read_text(encoding="utf-8")
    assert page.version == 2
    assert page.updated_by is None
    assert list(page.versions.values_list("version", "body")) == [(1, previous)]


def test_starter_content_load_keeps_an_edited_previous_privacy_notice(organiser):
    """An organiser who changed one sentence of the previous notice chose its wording: a deploy
    leaves it, however close it is to the starter text."""
    starter.starter_content_load()
    page = ContentPage.objects.get(slug="privacy")
    ContentPage.objects.filter(pk=page.pk).update(body=_previous_privacy_notice())
    page.refresh_from_db()
    edited = _previous_privacy_notice().replace(
        "We will reply to a request within one month.",
        "We will reply to a request within two weeks.",
    )
    assert edited != _previous_privacy_notice()
    onboarding.content_page_update(
        page=page, title=page.title, summary=page.summary, body=edited, user=organiser
    )

    created = starter.starter_content_load()

    page.refresh_from_db()
    assert created["pages_updated"] == 0
    assert (page.body, page.version, page.updated_by) == (edited, 2, organiser)


def test_starter_content_load_a_second_time_creates_nothing():
    starter.starter_content_load()

    created = starter.starter_content_load()

    assert created == {
        "pages": 0,
        "pages_updated": 0,
        "ground_rules": 0,
        "glossary_terms": 0,
        "topics": 0,
        "survey_templates": 0,
        "spaces": 0,
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
        "survey_templates": 0,
        "spaces": 0,
    }
    assert not GlossaryTerm.objects.filter(term="Allyship").exists()
    assert not Topic.objects.filter(name="Clinical bias").exists()


def test_a_portal_with_the_notice_before_the_moderation_audit_line_is_brought_up_to_date():
    """Moderation decisions now stay on the audit trail after the post goes: a notice still
    word for word the starter text before that is replaced by the current one."""
    starter.starter_content_load()
    before = (starter.STARTER_DIR / "superseded" / "privacy.4.md").read_text(encoding="utf-8")
    current = (starter.STARTER_DIR / "privacy.md").read_text(encoding="utf-8")
    ContentPage.objects.filter(slug="privacy").update(body=before)

    created = starter.starter_content_load()

    assert "audit trail keeps, for longer" not in before
    assert "audit trail keeps, for longer" in current
    assert created["pages_updated"] == 1
    assert ContentPage.objects.get(slug="privacy").body == current
