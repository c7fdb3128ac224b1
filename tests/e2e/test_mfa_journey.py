"""Organisers sign in with a code from their authenticator app; an organiser without one sets
it up before anything else (issue 9, item 4)."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from members.roles import ORGANISERS
from tests.e2e.conftest import axe_violations, sign_in_with_form
from tests.factories import UserFactory


@pytest.fixture
def context_options():
    # axe-core is injected as an inline script, which the portal's CSP rightly blocks.
    return {"viewport": {"width": 1280, "height": 900}, "bypass_csp": True}


def test_organiser_signs_in_with_a_code_and_reaches_the_organise_page(page, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS], name="Dana Organiser")
    sign_in_with_form(page, organiser)
    page.goto("/organise/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organise")
    assert page.errors == []


def test_organiser_without_mfa_sets_up_an_authenticator_app_first(page, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS], mfa=False)
    sign_in_with_form(page, organiser)
    # Sent to set it up, via confirming the password.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    expect(page.get_by_text("needs two-step sign-in")).to_be_visible()
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert axe_violations(page) == []
    secret = page.get_by_label("Key to type in instead of scanning").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    assert Authenticator.objects.filter(user=organiser, type="totp").count() == 1
    page.goto("/organise/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organise")
    assert page.errors == []
