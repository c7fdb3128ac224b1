"""A new joiner, as a person walks it: sign up, verify, profile, introduction, ground rules."""

import re

import pytest
from playwright.sync_api import expect

from members.services.starter import starter_content_load
from tests.factories import OrganisationFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_joiner_signs_up_and_finishes_the_checklist(page):
    starter_content_load()
    OrganisationFactory(name="Riverside NHS Foundation Trust")

    page.goto("/")
    page.get_by_role("link", name="Join the CoP").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the CoP")
    page.locator("#id_email").fill("ada.joiner@example.org")
    page.locator("#id_password1").fill("a long passphrase for ada")
    page.locator("#id_password2").fill("a long passphrase for ada")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail_sent()[-1].body)
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Complete your profile")
    page.locator("#id_name").fill("Ada Joiner")
    page.locator("#id_organisation").select_option(label="Riverside NHS Foundation Trust")
    page.locator("#id_job_role").fill("Health visitor")
    page.locator("#id_sector").select_option(label="NHS")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About the Community of Practice")
    page.get_by_role("button", name="I have read this: continue to the ground rules").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ground rules")
    page.get_by_label("I have read the ground rules and agree to follow them").check()
    page.get_by_role("button", name="Agree to the ground rules").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")
    checklist = page.locator(".checklist li")
    expect(checklist).to_have_count(4)
    for item in checklist.all():
        expect(item.locator(".status")).to_have_text("Done")
    expect(page.get_by_text("You have done everything you need to take part.")).to_be_visible()
    assert page.errors == []
