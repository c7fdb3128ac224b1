"""A survey after a session, as the people involved walk it: an organiser builds, publishes and
sends it; a member who came answers it, misses a required answer and puts it right; the
organiser sees the response rate move."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import AttendanceFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "After: Racism in maternity care"


def _local(moment):
    """A time as a datetime-local input takes it: UK time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _survey_row(page):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))


def test_an_organiser_sends_a_survey_and_a_member_answers_it(page, organiser, member, ground_rules):
    event = EventFactory(
        title="Racism in maternity care", starts_at=timezone.now() - timedelta(days=2)
    )
    AttendanceFactory(event=event, member=member)
    AttendanceFactory(event=event, member=UserFactory(agreed_to=ground_rules))
    now = timezone.now()

    # The organiser builds the survey.
    sign_in(page, organiser)
    page.goto("/organise/surveys/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New survey")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Kind of survey").select_option(label="After a session")
    page.get_by_label("Session", exact=True).select_option(
        label=f"Racism in maternity care ({timezone.localtime(event.starts_at):%-d %b %Y})"
    )
    page.get_by_label("Anonymous").check()
    page.get_by_label("Opens (UK time)").fill(_local(now))
    page.get_by_label("Closes (UK time)").fill(_local(now + timedelta(days=7)))
    page.get_by_role("button", name="Save survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” is saved as a draft")

    page.get_by_role("link", name="Add a question").click()
    page.locator("#id_text").fill("The session was a good use of my time")
    page.get_by_label("Kind of answer").select_option(label="Agreement scale (1–5)")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("status")).to_have_text("The question is saved.")

    page.get_by_role("link", name="Add a question").click()
    page.locator("#id_text").fill("How would you like to meet next time?")
    page.get_by_label("Kind of answer").select_option(label="One choice")
    page.get_by_label("Needs an answer").check()
    page.get_by_label("Options").fill("Online\nIn person")
    page.get_by_role("button", name="Save question").click()
    questions = page.get_by_role("table").filter(has_text="in the order members see them")
    expect(questions.get_by_role("rowheader")).to_have_text(
        ["The session was a good use of my time", "How would you like to meet next time?"]
    )

    page.get_by_role("button", name="Publish the survey").click()
    expect(page.get_by_role("status")).to_have_text(
        f"“{TITLE}” is published. Invite people when you are ready."
    )
    page.get_by_role("button", name="Invite people").click()
    expect(page.get_by_role("status")).to_have_text("2 people invited.")

    page.goto("/organise/surveys/")
    expect(_survey_row(page).get_by_role("cell").last).to_have_text("0%")

    # The member answers it.
    page.context.clear_cookies()
    sign_in(page, member)
    page.goto("/")
    waiting = page.get_by_role("region", name="Surveys waiting for you")
    waiting.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("This survey is anonymous.")).to_be_visible()

    page.get_by_label("4 – Agree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_have_text(
        "Some answers need another look: see the messages below."
    )
    choice = page.get_by_role("group", name="How would you like to meet next time?")
    expect(choice).to_contain_text("This field is required.")
    expect(page.get_by_label("4 – Agree")).to_be_checked()

    page.get_by_label("In person").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    # The organiser sees the response rate move.
    page.context.clear_cookies()
    sign_in(page, organiser)
    page.goto("/organise/surveys/")
    row = _survey_row(page)
    expect(row.get_by_role("cell").nth(-3)).to_have_text("2")
    expect(row.get_by_role("cell").nth(-2)).to_have_text("1")
    expect(row.get_by_role("cell").last).to_have_text("50%")
    assert page.errors == []
