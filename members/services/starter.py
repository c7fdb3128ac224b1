"""The content every portal starts with, from the files in members/starter/: the introduction,
policy pages, ground rules and glossary, the topics members and resources are tagged with, and
the survey templates (`manage.py load_starter_content`, on every deploy). It writes to
resources and, through their services, events and surveys, so it sits with the areas above the
other apps."""

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events import services as events_services
from resources.models import Space, Topic
from surveys import services as surveys_services

from ..models import ContentPage, GlossaryTerm, GroundRules
from .onboarding import content_page_update, glossary_term_create

STARTER_DIR = Path(__file__).resolve().parents[1] / "starter"
# Public pages every portal starts with: (slug, title, summary, file in starter/).
STARTER_PAGES = [
    (
        "accessibility",
        "Accessibility statement",
        "How accessible the portal is, what we know is not yet, and how to tell us.",
        "accessibility.md",
    ),
    (
        "privacy",
        "Privacy notice",
        "What the portal keeps about you, why, for how long, and your rights.",
        "privacy.md",
    ),
    (
        "special-category-data",
        "How we protect your caucus choice",
        "Our policy for special category data: the racial identity caucus choice.",
        "special_category_data.md",
    ),
]
# The topic spaces a portal opens with: few, so conversation gathers rather than scatters.
STARTER_SPACES = [
    ("Introductions", "Who you are, where you work and what brought you to the CoP."),
    (
        "Practice questions",
        "Ask how others handle something at work: a policy, a conversation, a gap in the data.",
    ),
    (
        "Taking action",
        "What you are trying since a session: what changed, and what got in the way.",
    ),
    (
        "Reading, listening and watching",
        "Books, articles, podcasts and talks that helped you, and why.",
    ),
]
STARTER_TOPICS = [
    "Organisational change",
    "Housing and health",
    "Migrant health",
    "Race-based stress and trauma",
    "Clinical bias",
    "Maternity and children's health",
    "Mental health",
    "Workforce and recruitment",
    "Leadership and allyship",
    "Data and evidence",
    "Community engagement",
    "Policy and commissioning",
]


def _superseded_starter_texts(slug: str) -> set[str]:
    """Earlier versions of a starter page, word for word (starter/superseded/<slug>.<n>.md)."""
    return {
        path.read_text(encoding="utf-8")
        for path in (STARTER_DIR / "superseded").glob(f"{slug}.*.md")
    }


@transaction.atomic
def starter_content_load() -> dict[str, int]:
    """Load the introduction, ground rules, glossary and topics the portal starts with.

    Each kind is loaded only into an empty table, so running it again (on every deploy) changes
    nothing, and what organisers have since edited, renamed or deleted stays as they left it.
    The one exception: a privacy, accessibility or policy page still exactly as an earlier
    starter version had it is replaced by the current version (starter/superseded/).
    Returns how many things of each kind were created (and pages updated)."""
    created = {
        "pages": 0,
        "pages_updated": 0,
        "ground_rules": 0,
        "glossary_terms": 0,
        "topics": 0,
        "survey_templates": 0,
        "spaces": 0,
    }
    _, made = ContentPage.objects.get_or_create(
        slug=ContentPage.INTRODUCTION,
        defaults={
            "title": "About the Community of Practice",
            "summary": "What the CoP is for, how it works and how to take part.",
            "body": (STARTER_DIR / "introduction.md").read_text(encoding="utf-8"),
        },
    )
    created["pages"] += made
    for slug, title, summary, source in STARTER_PAGES:
        body = (STARTER_DIR / source).read_text(encoding="utf-8")
        page, made = ContentPage.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "body": body}
        )
        created["pages"] += made
        # A page still word for word an earlier starter version was never edited: bring it up to
        # date (the privacy notice and policies must say what the portal does now).
        if not made and page.body != body and page.body in _superseded_starter_texts(slug):
            content_page_update(
                page=page, title=page.title, summary=page.summary, body=body, user=None
            )
            created["pages_updated"] += 1
    if not GroundRules.objects.exists():
        GroundRules.objects.create(
            version=1,
            body=(STARTER_DIR / "ground_rules.md").read_text(encoding="utf-8"),
            change_summary="The first version of the ground rules.",
            published_at=timezone.now(),
        )
        created["ground_rules"] += 1
    if not GlossaryTerm.objects.exists():
        glossary = json.loads((STARTER_DIR / "glossary.json").read_text(encoding="utf-8"))
        for entry in glossary:
            glossary_term_create(term=entry["term"], definition=entry["definition"])
        created["glossary_terms"] = len(glossary)
    if not Topic.objects.exists():
        Topic.objects.bulk_create(Topic(name=name, slug=slugify(name)) for name in STARTER_TOPICS)
        created["topics"] = len(STARTER_TOPICS)
    if not Space.objects.exists():
        Space.objects.bulk_create(
            Space(title=title, slug=slugify(title), description=description, position=position)
            for position, (title, description) in enumerate(STARTER_SPACES)
        )
        created["spaces"] = len(STARTER_SPACES)
    templates = json.loads((STARTER_DIR / "survey_templates.json").read_text(encoding="utf-8"))
    created["survey_templates"] = surveys_services.survey_templates_load(templates)
    return created


def starter_content_load_all() -> dict[str, int]:
    """Everything a new portal starts with: the content above, and events' kinds of event, goals
    and caucuses. Returns how many things of each kind were created (and pages updated)."""
    return starter_content_load() | events_services.starter_content_load()
