"""Members choose which non-essential emails they get, and can stop one kind in one click."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from members.services.emails import CATEGORIES, TURNED_OFF, unsubscribe_token
from members.views.accounts import UNSUBSCRIBE_NAMES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOXES = ["email_programme", "email_reminders", "email_catch_up", "email_surveys"]
PREFERENCE_FIELDS = [*BOXES, "email_digest"]


def preferences(member):
    member.refresh_from_db()
    return {name: getattr(member, name) for name in PREFERENCE_FIELDS}


def h1s(response):
    return re.findall(r"<h1[\s>].*?</h1>", response.content.decode(), flags=re.S)


ALL_ON = dict.fromkeys(BOXES, True) | {"email_digest": "monthly"}


# The preferences page ----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    url = reverse("members:email_preferences")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_preferences_page_shows_current_choices_and_what_always_comes(member_client, member):
    member.email_surveys = False
    member.save()

    response = member_client.get(reverse("members:email_preferences"))

    assert response.status_code == 200
    assert h1s(response) == ["<h1>Your email choices</h1>"]
    html = response.content.decode()
    assert "Essential emails always come" in html
    assert re.search(r'<input[^>]*name="email_reminders"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="email_surveys"[^>]*checked', html)
    assert "Save email choices" in html
    assert re.search(r'<input[^>]*name="email_digest"[^>]*value="monthly"[^>]*checked', html)
    assert "Fortnightly, on the 1st and the 15th" in html
    assert "No digest" in html


def test_preferences_page_saves_the_choices(member_client, member):
    response = member_client.post(
        reverse("members:email_preferences"), {"email_reminders": "on", "email_surveys": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("members:email_preferences")
    assert preferences(member) == {
        "email_programme": False,
        "email_reminders": True,
        "email_catch_up": False,
        "email_surveys": True,
        "email_digest": "monthly",
    }


@pytest.mark.parametrize("frequency", ["fortnightly", "none", "monthly"])
def test_preferences_page_saves_how_often_the_digest_comes(member_client, member, frequency):
    member.email_digest = "fortnightly" if frequency == "monthly" else "monthly"
    member.save()

    response = member_client.post(
        reverse("members:email_preferences"), {"email_catch_up": "on", "email_digest": frequency}
    )

    assert response.status_code == 302
    assert preferences(member) == {
        **dict.fromkeys(BOXES, False),
        "email_catch_up": True,
        "email_digest": frequency,
    }


def test_a_digest_choice_not_offered_is_refused_and_nothing_changes(member_client, member):
    response = member_client.post(reverse("members:email_preferences"), {"email_digest": "daily"})

    assert response.status_code == 200
    assert "Select a valid choice. daily is not one of the available choices." in (
        response.content.decode()
    )
    assert preferences(member) == ALL_ON


def test_unticking_every_box_turns_every_non_essential_email_off(member_client, member):
    """An all-unticked form posts no fields at all, and must still be saved; the digest, which
    a radio button always posts, is left as it was."""
    response = member_client.post(reverse("members:email_preferences"), {})

    assert response.status_code == 302
    assert preferences(member) == dict.fromkeys(BOXES, False) | {"email_digest": "monthly"}


def test_a_member_who_has_not_agreed_to_new_ground_rules_can_still_turn_emails_off(
    client, ground_rules
):
    member = UserFactory()  # has agreed to no ground rules
    client.force_login(member)

    response = client.post(reverse("members:email_preferences"), {"email_programme": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("members:email_preferences")
    assert preferences(member)["email_reminders"] is False


# One-click unsubscribe ---------------------------------------------------------------------


def unsubscribe_url(member, category):
    token = unsubscribe_token(member=member, category=category)
    return reverse("members:unsubscribe", kwargs={"token": token})


def test_every_category_has_a_name_for_the_unsubscribe_page():
    assert set(UNSUBSCRIBE_NAMES) == set(CATEGORIES)


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(client):
    member = UserFactory()

    response = client.get(unsubscribe_url(member, "reminders"))

    assert response.status_code == 200
    assert h1s(response) == ["<h1>Stop reminder emails?</h1>"]
    html = response.content.decode()
    assert re.search(
        r'<form method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert html.count('<button type="submit"') == 1
    assert preferences(member) == ALL_ON


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_one_click_post_turns_off_that_category_and_only_that_one(category):
    member = UserFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_url(member, category), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert h1s(response) == ["<h1>You are unsubscribed</h1>"]
    html = response.content.decode()
    assert f"You will no longer get {UNSUBSCRIBE_NAMES[category]} emails." in html
    assert f'href="{reverse("members:email_preferences")}"' in html
    member.refresh_from_db()
    # The organisers' email too, which only organisers are offered on the page.
    every = {name: getattr(member, name) for name in CATEGORIES.values()}
    assert every == {
        **ALL_ON,
        "email_organiser_waiting": True,
        CATEGORIES[category]: TURNED_OFF[category],
    }


def test_unsubscribing_from_the_digest_sets_it_to_none_and_says_how_to_have_it_back():
    member = UserFactory(email_digest="fortnightly")
    client = Client(enforce_csrf_checks=True)

    asked = client.get(unsubscribe_url(member, "digest"))
    response = client.post(unsubscribe_url(member, "digest"), {"List-Unsubscribe": "One-Click"})

    assert h1s(asked) == ["<h1>Stop digest emails?</h1>"]
    assert "Nor will you get the one email suggesting sessions" in asked.content.decode()
    assert h1s(response) == ["<h1>You are unsubscribed</h1>"]
    html = response.content.decode()
    assert "You will no longer get digest emails." in html
    assert "This also stops the one email we send to members who came to a session" in html
    assert (
        "To get them again, sign in and turn them back on at "
        f'<a href="{reverse("members:email_preferences")}">your email choices</a>'
    ) in html
    assert preferences(member) == {**ALL_ON, "email_digest": "none"}


def test_unsubscribing_leaves_other_members_alone():
    member, other = UserFactory(), UserFactory()

    Client(enforce_csrf_checks=True).post(unsubscribe_url(member, "programme"))

    assert preferences(member)["email_programme"] is False
    assert preferences(other) == ALL_ON


def test_the_confirmation_button_works_for_a_signed_in_member(member_client, member):
    url = unsubscribe_url(member, "catch_up")

    response = member_client.post(url)

    assert response.status_code == 200
    assert "You will no longer get session summary emails." in response.content.decode()
    assert preferences(member) == {**ALL_ON, "email_catch_up": False}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_not_valid_and_changes_nothing(method):
    member = UserFactory()
    token = unsubscribe_token(member=member, category="reminders")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = getattr(Client(enforce_csrf_checks=True), method)(
        reverse("members:unsubscribe", kwargs={"token": tampered})
    )

    assert response.status_code == 200
    assert h1s(response) == ["<h1>This link is not valid</h1>"]
    html = response.content.decode()
    assert "This unsubscribe link is not valid." in html
    assert f'href="{reverse("members:email_preferences")}"' in html
    assert member.email not in html
    assert preferences(member) == ALL_ON


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        # Our payload, but signed without the unsubscribe salt.
        "SIGNED_WITHOUT_SALT",
        # Signed with our salt, but not a category of email.
        "UNKNOWN_CATEGORY",
    ],
)
def test_tokens_we_did_not_issue_for_unsubscribing_are_not_valid(token):
    member = UserFactory()
    token = {
        "SIGNED_WITHOUT_SALT": signing.dumps([member.pk, "reminders"], compress=True),
        "UNKNOWN_CATEGORY": signing.dumps(
            [member.pk, "verification"], salt="members.unsubscribe", compress=True
        ),
    }.get(token, token)

    response = Client(enforce_csrf_checks=True).post(
        reverse("members:unsubscribe", kwargs={"token": token})
    )

    assert response.status_code == 200
    assert "This unsubscribe link is not valid." in response.content.decode()
    assert preferences(member) == ALL_ON


def test_a_token_for_one_category_cannot_unsubscribe_from_another():
    member = UserFactory()

    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(member, "surveys"),
        {"List-Unsubscribe": "One-Click", "category": "programme", "field": "email_programme"},
    )

    assert response.status_code == 200
    assert "You will no longer get survey invitation emails." in response.content.decode()
    assert preferences(member) == {**ALL_ON, "email_surveys": False}


def test_a_link_for_a_member_who_has_left_is_not_valid():
    member = UserFactory()
    url = unsubscribe_url(member, "programme")
    member.delete()

    response = Client(enforce_csrf_checks=True).post(url)

    assert response.status_code == 200
    assert "This unsubscribe link is not valid." in response.content.decode()


def test_unsubscribe_refuses_other_methods():
    member = UserFactory()

    response = Client().put(unsubscribe_url(member, "programme"))

    assert response.status_code == 405
    assert preferences(member) == ALL_ON


# The organisers' email of what waits for them -------------------------------------------------


def test_the_waiting_email_is_not_offered_to_a_member_with_nothing_to_organise(member_client):
    html = member_client.get(reverse("members:email_preferences")).content.decode()

    assert "email_organiser_waiting" not in html
    assert "As an organiser" not in html


def test_the_waiting_email_is_offered_to_an_organiser(organiser_client):
    html = organiser_client.get(reverse("members:email_preferences")).content.decode()

    assert re.search(r'<input[^>]*name="email_organiser_waiting"[^>]*checked', html)
    assert "As an organiser, what is waiting for you: each morning when it has changed" in html


def test_an_organiser_turns_the_waiting_email_off_and_on(organiser_client, organiser):
    url = reverse("members:email_preferences")

    organiser_client.post(url, dict.fromkeys(BOXES, "on") | {"email_digest": "monthly"})
    organiser.refresh_from_db()
    assert organiser.email_organiser_waiting is False

    organiser_client.post(url, {"email_organiser_waiting": "on"})
    organiser.refresh_from_db()
    assert organiser.email_organiser_waiting is True


def test_a_member_posting_the_waiting_choice_changes_nothing(member_client, member):
    member_client.post(reverse("members:email_preferences"), {"email_programme": "on"})

    member.refresh_from_db()
    assert member.email_organiser_waiting is True
