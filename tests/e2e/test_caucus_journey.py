"""A caucus session, as its members and others meet it: a member joins the Global majority
caucus with explicit consent and registers for its session; a member outside the caucus sees
the session exists but cannot register, and never sees its joining link."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Registration
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import CaucusFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

JOINING_LINK = "https://meet.example.org/caucus-room-7"


def test_a_caucus_member_registers_and_a_member_outside_the_caucus_cannot(
    page, member, ground_rules
):
    caucus = CaucusFactory(name="Global majority")
    event = EventFactory(
        title="Global majority caucus: rest and repair", caucus=caucus, joining_link=JOINING_LINK
    )
    outsider = UserFactory(agreed_to=ground_rules)

    # Member A joins the caucus, giving consent by ticking the box themselves.
    sign_in(page, member)
    page.goto("/caucus/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Racial identity caucuses")
    expect(page.get_by_role("heading", name="Join a caucus")).to_be_visible()
    page.get_by_role("radio", name="Global majority").check()
    consent = page.get_by_role("checkbox", name="I give my explicit consent, as set out above")
    expect(consent).not_to_be_checked()
    consent.check()
    page.get_by_role("button", name="Join the caucus").click()

    expect(page.get_by_role("status")).to_have_text("You have joined the Global majority caucus.")
    expect(page.get_by_role("heading", name="Your caucus")).to_be_visible()
    expect(page.get_by_text("You are in the Global majority caucus.")).to_be_visible()

    # ... then finds the caucus session in the programme and registers for it.
    page.goto("/programme/")
    item = page.locator(".event-item").filter(has_text=event.title)
    expect(item.get_by_text("Global majority caucus only")).to_be_visible()
    item.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.get_by_text("Members of the Global majority caucus")).to_be_visible()
    assert JOINING_LINK not in page.content()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_have_text(
        "You are registered. We have emailed you the details and a calendar file."
    )
    expect(page.get_by_role("link", name="Join the session online")).to_have_attribute(
        "href", JOINING_LINK
    )
    sign_out(page)

    # Member B, outside the caucus, sees the session is not for them.
    sign_in(page, outsider)
    page.goto(event.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(
        page.get_by_text("This session is for members of the Global majority caucus.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="About caucuses")).to_be_visible()
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    expect(page.get_by_role("link", name="Join the session online")).to_have_count(0)
    assert JOINING_LINK not in page.content()

    # Posting to the register address directly, with B's own CSRF token, is refused.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        reverse("events:register", args=[event.slug]),
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        max_redirects=0,
    )
    assert response.status == 403
    # Refused as a caucus session, not for a bad token (Django's CSRF page says so).
    assert "CSRF verification failed" not in response.text()
    assert JOINING_LINK not in response.text()
    assert not Registration.objects.filter(event=event, member=outsider).exists()
    assert page.errors == []
