"""The account pages (allauth's, with our templates) in the portal's own words, and success
messages shown once on the page after an action."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
STOCK_WORDING = ("Sign Up", "Sign In", "finalize", "Please contact us", "contact us", "Sign Out")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for stock in STOCK_WORDING:
        assert stock not in html, stock
    assert html.count("<h1") == 1
    return html


def test_sign_in_page(client):
    html = _page(client, reverse("account_login"))
    assert "<h1>Sign in</h1>" in html
    assert '<button type="submit" class="btn btn-primary me-2 mb-2">Sign in</button>' in html
    assert f'<a href="{reverse("account_reset_password")}">Forgotten your password?</a>' in html
    assert "Keep me signed in on this device" in html
    assert "Remember Me" not in html
    assert "Forgot your password?" not in html


def test_join_page(client):
    html = _page(client, reverse("account_signup"))
    assert "<h1>Join the CoP</h1>" in html
    assert ">Create my account</button>" in html
    assert "Choose a password" in html
    assert "Type it again" in html
    assert "Password (again)" not in html
    assert "privacy notice" in html


def test_check_your_email_page_after_joining(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.joiner@example.org",
            "password1": "a long passphrase for new",
            "password2": "a long passphrase for new",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "<h1>Check your email</h1>" in html
    assert "privacy notice</a>" in html  # where the organisers' contact details are
    for stock in STOCK_WORDING:
        assert stock not in html, stock
    # As the page says, signing in before confirming comes back to it (and sends the link again).
    response = client.post(
        reverse("account_login"),
        {"login": "new.joiner@example.org", "password": "a long passphrase for new"},
        follow=True,
    )
    assert "<h1>Check your email</h1>" in response.content.decode()


def test_password_reset_pages(client):
    html = _page(client, reverse("account_reset_password"))
    assert "<h1>Reset your password</h1>" in html
    assert ">Email me a link</button>" in html
    html = _page(client, reverse("account_reset_password_done"))
    assert "<h1>Check your email</h1>" in html
    bad = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "no-such-key"})
    html = _page(client, bad)
    assert "<h1>This link no longer works</h1>" in html


def test_confirm_email_page(client):
    user = UserFactory()
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()
    key = EmailConfirmationHMAC(address).key
    html = _page(client, reverse("account_confirm_email", args=[key]))
    assert "<h1>Confirm your email address</h1>" in html
    assert f"<strong>{user.email}</strong>" in html
    html = _page(client, reverse("account_confirm_email", args=["not-a-key"]))
    assert "This link has expired or has already been used." in html


def test_sign_out_page(client, member):
    client.force_login(member)
    html = _page(client, reverse("account_logout"))
    assert "<h1>Sign out</h1>" in html
    assert "Sign out of the CoP Portal on this device?" in html


# A success message, once ------------------------------------------------------------------------


def test_signing_in_and_out_each_say_so_once(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert html.count(f"You are signed in as {member.name}.") == 1
    assert "Successfully signed in" not in html
    response = client.post(reverse("account_logout"), follow=True)
    assert response.content.decode().count("You have signed out.") == 1


def test_saving_the_profile_says_so_once(member_client, member):
    response = member_client.post(
        reverse("members:profile_edit"),
        {
            "name": "Kemi Adeyemi",
            "organisation": member.organisation_id,
            "job_role": "Health visitor",
            "sector": "nhs",
            "seniority": "frontline",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("members:profile"), 302)]
    html = response.content.decode()
    assert html.count("Your profile is saved.") == 1
    # And not again on the next page.
    next_page = member_client.get(reverse("members:home")).content.decode()
    assert "Your profile is saved." not in next_page
