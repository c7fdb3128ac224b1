"""Every main page on a phone 390 pixels wide (an iPhone 12 to 15): axe-core's WCAG 2.0, 2.1 and
2.2 A and AA rules find nothing, and each page leaves a screenshot under
test-artifacts/screenshots/phone-*.png. Then the two things a phone changes most: the resource
hub's filters wait behind a button, and the 0 to 10 question is one row of buttons big enough to
tap."""

from pprint import pformat

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from members.services.starter import starter_content_load
from tests.e2e.conftest import SCREENSHOTS, axe_violations, sign_in
from tests.e2e.test_accessibility import MEMBER_PAGES, ORGANISER_PAGES, PUBLIC_PAGES
from tests.factories import QuestionFactory, ResourceFactory, SurveyFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
QUESTION = "How likely are you to recommend the CoP to a colleague?"


@pytest.fixture
def context_options():
    # axe is injected as a script: the test context lets it past the Content-Security-Policy.
    return {"viewport": PHONE, "is_mobile": True, "has_touch": True, "bypass_csp": True}


def _check(page, who, names):
    """axe on each page, and a full-page screenshot of it as the phone shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = {}
    for name in names:
        page.goto(reverse(name))
        page.wait_for_load_state("load")
        page.screenshot(
            path=SCREENSHOTS / f"phone-{who}-{name.replace(':', '-')}.png", full_page=True
        )
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
    assert failures == {}, pformat(failures)


def test_public_pages_on_a_phone_have_no_wcag_violations(page):
    starter_content_load()
    _check(page, "visitor", PUBLIC_PAGES)


def test_member_pages_on_a_phone_have_no_wcag_violations(page, member):
    starter_content_load()
    sign_in(page, member)
    _check(page, "member", MEMBER_PAGES)


def test_organiser_pages_on_a_phone_have_no_wcag_violations(page, organiser):
    starter_content_load()
    sign_in(page, organiser)
    _check(page, "organiser", ORGANISER_PAGES)


def test_resource_filters_wait_behind_a_button_on_a_phone(page):
    ResourceFactory(
        title="Race Equality Standard for community health and care services", audience="public"
    )

    page.goto(reverse("resources:browse"))
    # A <details>' <summary>: screen readers announce it as a button, collapsed or expanded.
    button = page.locator("summary", has_text="Filters")
    kind = page.get_by_label("Kind")
    expect(button).to_be_visible()
    expect(kind).to_be_hidden()
    expect(page.get_by_role("heading", name="1 resource")).to_be_in_viewport()

    button.click()
    expect(kind).to_be_visible()
    kind.select_option(label="Toolkit")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("heading", name="0 resources")).to_be_visible()
    expect(button).to_have_text("Filters (1 in use)")
    expect(button).to_be_visible()
    expect(kind).to_be_hidden()
    assert axe_violations(page) == []

    # On a wide screen the filters are open beside the results, with no button.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(kind).to_be_visible()
    expect(button).to_be_hidden()


def test_the_0_to_10_question_is_one_row_of_tappable_buttons(page, member):
    survey = SurveyFactory(title="After the session", invited=[member])
    QuestionFactory(survey=survey, kind="nps", text=QUESTION)
    sign_in(page, member)

    page.goto(survey.get_absolute_url())
    group = page.get_by_role("group", name=QUESTION)
    radios = group.get_by_role("radio")
    expect(radios).to_have_count(11)
    expect(group.get_by_role("radio", name="0 – not at all likely")).to_be_attached()
    expect(group.get_by_role("radio", name="10 – extremely likely")).to_be_attached()
    expect(group).to_have_accessible_description("0 is not at all likely, 10 is extremely likely.")

    boxes = [label.bounding_box() for label in group.locator("label").all()]
    assert len(boxes) == 11
    assert {round(box["y"]) for box in boxes} == {round(boxes[0]["y"])}, "not one row"
    assert min(box["width"] for box in boxes) >= 24
    assert min(box["height"] for box in boxes) >= 24
    assert boxes[-1]["x"] + boxes[-1]["width"] <= PHONE["width"]

    # A tap on a button chooses it; the arrow keys move along the group.
    group.locator("label").nth(6).tap()
    expect(radios.nth(6)).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(radios.nth(7)).to_be_checked()
    expect(radios.nth(7)).to_be_focused()
    page.screenshot(path=SCREENSHOTS / "phone-member-survey-0-to-10.png", full_page=True)
    assert axe_violations(page) == []
