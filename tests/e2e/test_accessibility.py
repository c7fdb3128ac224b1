"""axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on every main page, as a visitor and
signed in: zero violations."""

import pytest
from django.urls import reverse

from members.services.starter import starter_content_load
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "members:home",
    "members:introduction",
    "members:ground_rules",
    "members:glossary",
    "events:programme",
    "resources:browse",
    "account_login",
    "account_signup",
    "members:account_deleted",
]
MEMBER_PAGES = [
    "members:home",
    "members:profile",
    "members:profile_edit",
    "members:directory",
    "events:programme",
    "events:mine",
    "events:caucus",
    "events:suggestions",
    "resources:browse",
    "resources:catch_up",
    "resources:pathways",
    "resources:case_studies",
    "resources:initiatives",
    "resources:conversations",
    "resources:inbox",
    "surveys:waiting",
    "members:actions",
    "members:journey",
    "members:your_data",
    "members:account_delete",
]
ORGANISER_PAGES = [
    "members:organise",
    "members:dashboard",
    "events:organise_programme",
    "events:event_new",
    "resources:organise_resources",
    "surveys:organise",
    "members:member_data",
    "members:termly_report",
    "members:value_stories",
    "members:value_story_new",
    "members:content_pages_manage",
    "events:descriptions",
    "members:people",
    "resources:concerns",
]


@pytest.fixture
def context_options():
    # axe is injected as a script: the test context lets it past the Content-Security-Policy.
    return {"viewport": {"width": 1280, "height": 900}, "bypass_csp": True}


def _check(page, names):
    failures = {}
    for name in names:
        page.goto(reverse(name))
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
    assert failures == {}


def test_public_pages_have_no_wcag_violations(page):
    starter_content_load()
    _check(page, PUBLIC_PAGES)


def test_member_pages_have_no_wcag_violations(page, member):
    starter_content_load()
    sign_in(page, member)
    _check(page, MEMBER_PAGES)


def test_organiser_pages_have_no_wcag_violations(page, organiser):
    starter_content_load()
    sign_in(page, organiser)
    _check(page, ORGANISER_PAGES)
