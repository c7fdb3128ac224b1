"""axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on the pages that only show their badges,
charts, tables and forms once there is something in them: zero violations, as a visitor, a
member and an organiser, on a wide screen and at the 320px width WCAG's reflow rule uses."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in
from tests.e2e.world import stand_in_video_players, world_build

pytestmark = pytest.mark.django_db(transaction=True)


VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    # WCAG's reflow width: tables that scroll sideways here must be reachable by keyboard.
    "320px": {"width": 320, "height": 640},
}


@pytest.fixture(params=VIEWPORTS)
def context_options(request):
    # axe is injected as a script: the test context lets it past the Content-Security-Policy.
    return {"viewport": VIEWPORTS[request.param], "bypass_csp": True}


@pytest.fixture
def world(ground_rules):
    return world_build(ground_rules)


def _check(page, paths):
    """axe on each page, after checking the page is the one meant (a 404 would pass axe)."""
    stand_in_video_players(page)
    failures = {}
    for path, heading in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
    return failures


def test_visitor_pages_with_data_have_no_wcag_violations(page, world):
    failures = _check(
        page,
        [
            (reverse("events:programme"), "Programme"),
            (world.upcoming.get_absolute_url(), world.upcoming.title),
            (world.past.get_absolute_url(), world.past.title),
            (reverse("events:past"), "Past sessions"),
            (reverse("resources:browse"), "Resource hub"),
            (reverse("resources:search") + "?q=toolkit", "Search"),
        ],
    )
    assert failures == {}
    assert page.errors == []


def test_member_pages_with_data_have_no_wcag_violations(page, world):
    sign_in(page, world.member)
    failures = _check(
        page,
        [
            (reverse("members:home"), "Welcome, Kemi"),
            (reverse("events:programme"), "Programme"),
            (world.upcoming.get_absolute_url(), world.upcoming.title),
            (world.past.get_absolute_url(), world.past.title),
            (world.caucus_session.get_absolute_url(), world.caucus_session.title),
            (reverse("events:mine"), "My sessions"),
            (reverse("resources:browse"), "Resource hub"),
            (reverse("resources:search") + "?q=interpreter", "Search"),
            (world.video.get_absolute_url(), world.video.title),
            (world.slides.get_absolute_url(), world.slides.title),
            (reverse("resources:catch_up"), "Catch up on sessions you missed"),
            (world.pathway.get_absolute_url(), world.pathway.title),
            (reverse("resources:case_studies"), "Case studies"),
            (world.case_study.get_absolute_url(), world.case_study.title),
            (reverse("resources:initiatives"), "Local initiatives"),
            (world.initiative.get_absolute_url(), world.initiative.name),
            (world.waiting.get_absolute_url(), world.waiting.title),
            (reverse("members:actions"), "Your actions"),
            (reverse("members:action_detail", args=[world.done.pk]), world.done.what),
            (reverse("members:actions_shared"), "Actions members have shared"),
            (reverse("members:journey"), "Your learning journey"),
            (reverse("members:directory"), "Member directory"),
        ],
    )
    assert failures == {}
    assert page.errors == []


def test_a_survey_answered_with_mistakes_has_no_wcag_violations(page, world):
    sign_in(page, world.member)
    page.goto(world.waiting.get_absolute_url())
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_have_text(
        "Some answers need another look: see the messages below."
    )
    assert axe_violations(page) == []
    assert page.errors == []


def test_organiser_pages_with_data_have_no_wcag_violations(page, world, organiser):
    sign_in(page, organiser)
    results = reverse("surveys:results", args=[world.answered.pk])
    failures = _check(
        page,
        [
            (reverse("surveys:organise"), "Surveys"),
            (reverse("surveys:survey_detail", args=[world.answered.pk]), world.answered.title),
            (reverse("surveys:preview", args=[world.waiting.pk]), "Preview"),
            (results, "Results"),
            (f"{results}?by=sector&question={world.single.pk}", "Results"),
            (reverse("members:dashboard"), "Engagement and impact"),
            (reverse("events:event_attendance", args=[world.past.pk]), "Attendance at"),
            (reverse("events:event_bookings", args=[world.past.pk]), "Bookings for"),
            (reverse("events:event_repeat", args=[world.past.pk]), "Repeat"),
            (reverse("members:termly_report"), "The Community of Practice"),
        ],
    )
    assert failures == {}
    assert page.errors == []
