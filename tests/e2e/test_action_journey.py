"""From learning to action: a member records an action and marks it done; the organisers'
dashboard counts it without ever showing what it says."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WHAT = "Raise interpreter booking at the team meeting"


def test_a_member_finishes_an_action_and_the_dashboard_counts_it(page, member, organiser):
    sign_in(page, member)
    page.goto("/actions/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an action")
    page.locator("#id_what").fill(WHAT)
    page.get_by_label("Why it matters (optional)").fill("Families wait too long for interpreters.")
    page.get_by_label("My team").check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("status")).to_have_text("Your action is saved.")

    page.get_by_role("link", name="My actions").click()
    to_do = page.get_by_role("region", name="To do")
    to_do.get_by_role("link", name=WHAT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WHAT)

    page.get_by_role("radio", name="Done").check()
    page.get_by_label("A note for yourself (optional)").fill("Agreed: bookings go on the rota.")
    page.get_by_label("Practice changed (applied value)").check()
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("status")).to_have_text("Your action is now “Done”.")
    updates = page.get_by_role("region", name="Updates")
    expect(updates).to_contain_text("Done")
    expect(updates).to_contain_text("Agreed: bookings go on the rota.")

    page.get_by_role("link", name="Back to your actions").click()
    expect(page.get_by_role("region", name="To do")).to_contain_text("Nothing planned")
    finished = page.get_by_role("region", name="Finished")
    row = finished.get_by_role("row").filter(has=page.get_by_role("link", name=WHAT))
    expect(row.get_by_role("cell")).to_have_text(
        ["My team", "No date", "None", re.compile(r"^Done, \d+ \w+ \d{4}$"), "Private"]
    )

    # The organisers see a count, never the words.
    page.context.clear_cookies()
    sign_in(page, organiser)
    page.goto("/organise/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagement and impact")
    levels = page.locator("#actions-table")
    team = levels.get_by_role("row").filter(has=page.get_by_role("rowheader", name="My team"))
    expect(team.get_by_role("cell")).to_have_text(["1", "1"])
    cycles = page.locator("#cycles-table")
    applied = cycles.get_by_role("row").filter(has_text="Applied value")
    expect(applied.get_by_role("cell").first).to_have_text("1")
    assert WHAT not in page.content()
    assert "interpreter" not in page.content().lower()
    assert page.errors == []
