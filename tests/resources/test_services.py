"""A case study's address must not tell another member that someone's unpublished draft has the
same title (a title-only slug became "our-story-2" when a draft "our-story" existed)."""

import re

import pytest

from resources import services
from resources.models import CaseStudy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = {"context": "A ward.", "what_we_did": "We listened.", "what_changed": "Referrals."}


def _draft(author, title="Our story"):
    return services.case_study_save(case_study=CaseStudy(), author=author, title=title, **FIELDS)


def test_a_second_draft_with_the_same_title_gets_an_address_of_the_same_form():
    first = _draft(UserFactory())
    second = _draft(UserFactory())

    pattern = re.compile(r"^our-story-[0-9a-f]{6}$")
    assert pattern.match(first.slug)
    assert pattern.match(second.slug)
    assert first.slug != second.slug
    assert not second.slug.endswith("-2")


def test_the_address_does_not_depend_on_other_members_drafts():
    """The attack: make a draft titled like the suspected one and read its address. The
    addresses given with and without the other draft are indistinguishable in form and length."""
    alone = _draft(UserFactory(), title="Mentoring that works")
    CaseStudy.objects.all().delete()
    _draft(UserFactory(), title="Mentoring that works")
    probe = _draft(UserFactory(), title="Mentoring that works")

    assert len(alone.slug) == len(probe.slug)
    assert alone.slug.rsplit("-", 1)[0] == probe.slug.rsplit("-", 1)[0] == "mentoring-that-works"


def test_editing_a_draft_keeps_its_address(member):
    study = _draft(member)
    slug = study.slug

    services.case_study_save(case_study=study, author=member, title="A new title")

    study.refresh_from_db()
    assert study.slug == slug
