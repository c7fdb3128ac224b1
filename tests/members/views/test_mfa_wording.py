"""The portal calls it "two-step sign-in" on every page about it, never allauth's
"Two-Factor Authentication"."""

import re

import pytest
from django.urls import reverse

from members.roles import ORGANISERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _says_two_step_only(html, h1):
    assert re.search(r"two.factor", html, re.IGNORECASE) is None
    assert f"<h1>{h1}</h1>" in html


def test_the_settings_page_says_two_step_sign_in_with_it_off_and_on(client, ground_rules):
    without = UserFactory(agreed_to=ground_rules, mfa=False)
    client.force_login(without)
    html = client.get(reverse("mfa_index")).content.decode()
    _says_two_step_only(html, "Two-step sign-in")
    assert "<p>Two-step sign-in is off.</p>" in html
    assert ">Set up two-step sign-in</a>" in html

    client.force_login(UserFactory(agreed_to=ground_rules, mfa=True))
    html = client.get(reverse("mfa_index")).content.decode()
    _says_two_step_only(html, "Two-step sign-in")
    assert "Two-step sign-in is on" in html
    assert ">Turn off two-step sign-in</a>" in html


def test_the_code_page_at_sign_in_says_two_step_sign_in(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.post(reverse("account_login"), {"login": organiser.email, "password": PASSWORD})

    html = client.get(reverse("mfa_authenticate")).content.decode()

    _says_two_step_only(html, "Two-step sign-in")
    assert "six-digit code" in html


def test_the_turn_off_page_says_two_step_sign_in(client, ground_rules):
    member = UserFactory(agreed_to=ground_rules, mfa=True)
    client.force_login(member)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    html = response.content.decode()
    _says_two_step_only(html, "Turn off two-step sign-in")
    assert "your recovery codes will stop working" in html
