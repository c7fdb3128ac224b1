"""The ground-rules gate in front of a button (issue 13, item 9).

The fault: a member with new rules to agree who pressed Register was sent to the rules, then
back to the POST-only register address, and got a bare "405 Method Not Allowed"."""

import pytest
from django.urls import reverse

from events.models import Registration
from tests.factories import EventFactory, GroundRulesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_rules(member):
    return GroundRulesFactory(version=2, change_summary="A rule on recording sessions.")


def test_pressing_register_with_rules_to_agree_comes_back_to_the_event(member_client, new_rules):
    event = EventFactory()
    event_page = event.get_absolute_url()

    pressed = member_client.post(
        reverse("events:register", args=[event.slug]), HTTP_REFERER=f"http://testserver{event_page}"
    )

    rules = f"{reverse('members:ground_rules')}?next={event_page.replace('/', '%2F')}"
    assert pressed["Location"] == rules
    assert not Registration.objects.exists()  # nothing was done behind the member's back
    page = member_client.get(pressed["Location"])
    html = page.content.decode()
    assert "Nothing has been changed yet: please read and agree to the ground rules first." in html
    assert f'name="next" value="{event_page}"' in html

    agreed = member_client.post(
        reverse("members:ground_rules_agree"), {"version": 2, "agree": "on", "next": event_page}
    )

    assert agreed["Location"] == event_page
    assert member_client.get(event_page).status_code == 200
    # Pressing it again now books the place.
    member_client.post(reverse("events:register", args=[event.slug]))
    assert Registration.objects.filter(event=event).count() == 1


def test_pressing_cancel_with_rules_to_agree_never_lands_on_method_not_allowed(
    member_client, member, ground_rules
):
    event = EventFactory()
    member_client.post(reverse("events:register", args=[event.slug]))
    GroundRulesFactory(version=2)

    pressed = member_client.post(
        reverse("events:cancel_registration", args=[event.slug]),
        HTTP_REFERER=f"http://testserver{event.get_absolute_url()}",
        follow=True,
    )

    assert pressed.status_code == 200
    assert pressed.redirect_chain[-1][0].startswith(reverse("members:ground_rules"))
    assert Registration.objects.get(event=event).status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    "referrer", [None, "https://evil.example.com/events/", "//evil.example.com/x", "javascript:x"]
)
def test_a_missing_or_foreign_referrer_goes_to_the_rules_without_a_next(
    member_client, new_rules, referrer
):
    event = EventFactory()
    headers = {"HTTP_REFERER": referrer} if referrer else {}

    pressed = member_client.post(reverse("events:register", args=[event.slug]), **headers)

    assert pressed["Location"] == reverse("members:ground_rules")


def test_a_page_visit_still_comes_back_to_itself(member_client, new_rules):
    response = member_client.get(reverse("members:directory"))

    assert response["Location"] == f"{reverse('members:ground_rules')}?next=%2Fmembers%2F"
