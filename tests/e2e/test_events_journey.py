"""An event from the organiser's form to a member's calendar: an organiser adds a session to
the programme and publishes it, a member registers and gets the confirmation with an .ics, and
the joining link is shown to the member with a place and to nobody else."""

import datetime

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, sign_out
from tests.factories import EventKindFactory, UserFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Belonging at work: a listening session"
JOINING_LINK = "https://meet.example.org/room-42"


def test_an_organiser_publishes_an_event_and_a_member_registers_for_it(
    page, organiser, member, ground_rules
):
    EventKindFactory(name="Webinar", slug="webinar")
    other_member = UserFactory(agreed_to=ground_rules)

    # The organiser adds the event: it is saved as a draft.
    sign_in(page, organiser)
    page.goto("/organise/programme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    page.get_by_role("link", name="Add an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Time to listen to colleagues' experiences of belonging.")
    page.locator("#id_kind").select_option(label="Webinar")
    page.locator("#id_format").select_option(label="Online")
    page.locator("#id_starts_at").fill("2030-05-14T10:00")
    page.locator("#id_ends_at").fill("2030-05-14T11:30")
    page.locator("#id_joining_link").fill(JOINING_LINK)
    page.locator("#id_capacity").fill("30")
    page.get_by_role("button", name="Save event").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(page.get_by_role("status")).to_have_text(
        f"“{TITLE}” is saved as a draft: publish it when it is ready."
    )
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_role("cell", name="Draft", exact=True)).to_be_visible()

    # ... and publishes it from the programme page, after a page that says what that does.
    row.get_by_role("link", name=f"Publish {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish “{TITLE}”?")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_have_text(
        f"“{TITLE}” is published: members can now register."
    )
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_role("cell", name="Published", exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name="Tue 14 May 2030, 10:00")).to_be_visible()
    sign_out(page)

    # A member finds it in the programme, under its month.
    sign_in(page, member)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    may = page.get_by_role("region", name="May 2030")
    may.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Tuesday 14 May 2030, 10:00 to 11:30 (UK time)")).to_be_visible()
    expect(page.get_by_text("0 of 30 taken")).to_be_visible()
    expect(page.get_by_role("link", name="Join the session online")).to_have_count(0)
    assert JOINING_LINK not in page.content()

    # Registering gives a place and, with it, the joining link.
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_have_text(
        "You are registered. We have emailed you the details and a calendar file."
    )
    expect(page.get_by_text("You are registered.", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 30 taken")).to_be_visible()
    expect(page.get_by_role("link", name="Join the session online")).to_have_attribute(
        "href", JOINING_LINK
    )
    expect(page.get_by_role("button", name="Register")).to_have_count(0)

    # The confirmation email carries the session as a calendar file, with the joining link.
    emails = [m for m in mail_sent() if m.to == [member.email]]
    assert len(emails) == 1
    assert emails[0].subject.endswith(f"You are registered: {TITLE}")
    calendars = [a for a in emails[0].attachments if a.mimetype == "application/ics"]
    assert len(calendars) == 1
    (vevent,) = Calendar.from_ical(calendars[0].content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    starts = vevent.decoded("DTSTART")
    # 10:00 in London in May is BST, one hour ahead of UTC.
    assert starts.astimezone(datetime.UTC) == datetime.datetime(
        2030, 5, 14, 9, 0, tzinfo=datetime.UTC
    )
    assert f"Join online: {JOINING_LINK}" in str(vevent["DESCRIPTION"])
    sign_out(page)

    # Another member, without a place, sees the event but never the joining link.
    sign_in(page, other_member)
    page.goto("/programme/")
    page.get_by_role("region", name="May 2030").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("button", name="Register")).to_be_visible()
    expect(page.get_by_role("link", name="Join the session online")).to_have_count(0)
    assert JOINING_LINK not in page.content()
    ics_link = page.get_by_role("link", name="Add to your calendar (.ics)")
    ics = page.request.get(ics_link.get_attribute("href"))
    assert ics.ok
    assert JOINING_LINK not in ics.text()
    assert page.errors == []


def test_a_member_with_new_ground_rules_presses_register_agrees_and_books(page, member):
    """Pressing Register with new rules to agree leads through the rules and back to the
    session, where pressing Register again books the place: no 'method not allowed' page."""
    from events.models import Registration
    from tests.factories import EventFactory, GroundRulesFactory

    event = EventFactory(title="Listening session")
    GroundRulesFactory(version=2, change_summary="A rule on recording sessions.")
    sign_in(page, member)

    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ground rules")
    expect(page.get_by_text("Nothing has been changed yet")).to_be_visible()
    assert not Registration.objects.filter(event=event).exists()
    page.get_by_label("I have read the ground rules and agree to follow them").check()
    page.get_by_role("button", name="Agree to the ground rules").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Listening session")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered.")
    assert Registration.objects.filter(event=event, member=member).count() == 1
