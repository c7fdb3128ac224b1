"""After a session: an organiser takes the register, publishes what happened with the recording
and adds the recording to the resource hub; a member who had a place but missed it finds it in
"catch up" and by searching the hub."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, sign_out
from tests.factories import EventFactory, RegistrationFactory, UserFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Language access and racism in community care"
RECORDING_TITLE = f"Recording: {TITLE}"
SUMMARY = "We heard how families wait longer for care when no interpreter is booked."
TAKEAWAYS = "Book interpreters when the appointment is made.\nAsk which language, not whether."
RECORDING_URL = "https://video.example.org/session-7"


def test_a_member_who_missed_a_session_catches_up_on_its_summary_and_recording(
    page, organiser, ground_rules
):
    starts_at = timezone.now() - datetime.timedelta(days=2)
    event = EventFactory(
        title=TITLE, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=1)
    )
    came = UserFactory(name="Amara Okafor", agreed_to=ground_rules)
    missed = UserFactory(name="Ben Hughes", agreed_to=ground_rules)
    RegistrationFactory(event=event, member=came)
    RegistrationFactory(event=event, member=missed)

    # The organiser takes the register: Amara came, Ben did not.
    sign_in(page, organiser)
    page.goto(f"/organise/events/{event.pk}/attendance/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Attendance at “{TITLE}”")
    expect(page.get_by_role("heading", name="Check-in list")).to_be_visible()
    amara = page.get_by_role("checkbox", name="Amara Okafor")
    ben = page.get_by_role("checkbox", name="Ben Hughes")
    expect(amara).not_to_be_checked()
    expect(ben).not_to_be_checked()
    amara.check()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_role("status")).to_have_text(
        "Attendance is saved: 1 member newly marked present, 0 members marked absent."
    )
    expect(page.get_by_text("2 members with a place; 1 recorded as present.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Amara Okafor")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Ben Hughes")).not_to_be_checked()

    # ... then publishes what happened, with the recording.
    page.get_by_role("link", name="Back to the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    page.get_by_role("link", name=f"Summary of {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Summary of “{TITLE}”")
    page.locator("#id_outcome_summary").fill(SUMMARY)
    page.locator("#id_key_takeaways").fill(TAKEAWAYS)
    page.locator("#id_recording_url").fill(RECORDING_URL)
    page.get_by_role("button", name="Publish the summary").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(page.get_by_role("status")).to_have_text(
        f"The summary of “{TITLE}” is published. 1 catch-up email goes to members who "
        "registered but did not come."
    )
    catch_ups = [m for m in mail_sent() if m.subject.endswith(f"Catch up: {TITLE}")]
    assert [m.to for m in catch_ups] == [[missed.email]]

    # ... and adds the recording to the resource hub, linked to the session.
    page.goto("/organise/resources/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a resource")
    page.locator("#id_title").fill(RECORDING_TITLE)
    page.locator("#id_kind").select_option(label="Recording")
    page.locator("#id_description").fill(
        "The full session, with a practitioner panel on working well with interpreters."
    )
    session = f"{timezone.localtime(event.starts_at):%-d %b %Y}: {TITLE}"
    page.locator("#id_event").select_option(label=session)
    page.locator("#id_audience").select_option(label="Members only")
    page.locator("#id_status").select_option(label="Published")
    page.locator("#id_video_url").fill(RECORDING_URL)
    page.get_by_role("button", name="Save resource").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Resource hub admin")
    expect(page.get_by_role("status")).to_have_text(f"“{RECORDING_TITLE}” is saved.")
    row = page.get_by_role("row").filter(has_text=RECORDING_TITLE)
    expect(row.get_by_role("cell", name="Published", exact=True)).to_be_visible()
    sign_out(page)

    # Ben, who missed it, finds it in catch up with its summary and the recording.
    sign_in(page, missed)
    page.goto("/resources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource hub")
    page.get_by_role("link", name="Catch up on sessions you missed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catch up on sessions you missed")
    session = page.get_by_role("region", name=TITLE, exact=True)
    expect(session.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(session.get_by_text("You had a place")).to_be_visible()
    expect(session.get_by_text(SUMMARY)).to_be_visible()
    expect(session.get_by_role("link", name=RECORDING_TITLE)).to_be_visible()

    # ... and by searching the hub for a word from the recording's description.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    page.get_by_label("Search the resource hub").fill("interpreters")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    # The recording, and the session's summary whose takeaways mention interpreters.
    expect(page.get_by_role("heading", name="2 results for “interpreters”")).to_be_visible()
    result = page.locator(".search-hit").filter(has_text=RECORDING_TITLE)
    expect(result.get_by_role("link", name=RECORDING_TITLE)).to_be_visible()
    expect(result.get_by_text(f"From the session {TITLE}")).to_be_visible()
    result.get_by_role("link", name=RECORDING_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RECORDING_TITLE)
    assert page.errors == []
