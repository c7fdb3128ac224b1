"""Members' pages of the events app: the programme, an event's page, booking and cancelling a place,
caucus sessions, calendar feeds, my sessions and suggestions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import CaucusMembership, Event, Registration, Suggestion
from events.services import organise, public
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    SpeakerFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db
LINK = "https://meet.example.org/secret-room"


def test_programme_lists_upcoming_by_month_and_past_with_summaries(client):
    EventFactory(title="Housing and health", starts_at=timezone.now() + datetime.timedelta(days=40),
                 ends_at=timezone.now() + datetime.timedelta(days=40, hours=1))  # fmt: skip
    EventFactory(title="Draft idea", status=Event.Status.DRAFT)
    EventFactory(past=True, title="Clinical bias", summary_published_at=timezone.now())
    response = client.get(reverse("events:programme"))
    html = response.content.decode()
    assert "Housing and health" in html
    assert "Draft idea" not in html
    assert "Clinical bias" in html
    assert "Summary and recording" in html
    month = timezone.localtime(timezone.now() + datetime.timedelta(days=40)).strftime("%B %Y")
    assert f">{month}</h3>" in html


def _grow(n):
    caucus = CaucusFactory()
    for i in range(n):
        event = EventFactory(capacity=5, caucus=caucus if i % 3 == 0 else None)
        RegistrationFactory.create_batch(2, event=event)
        SpeakerFactory(event=event, name=f"Speaker {i}")
        EventFactory(past=True, summary_published_at=timezone.now())


def test_programme_queries_do_not_grow_with_events_or_registrations(
    client, member, same_queries_at_two_sizes
):
    """Every event on the programme must come from the same few queries, however many there are."""
    client.force_login(member)
    pages = same_queries_at_two_sizes(
        client, reverse("events:programme"), grow=_grow, sizes=(2, 15)
    )
    assert pages.queries <= 10


def test_event_page_queries_do_not_grow_with_registrations_or_speakers(
    client, member, same_queries_at_two_sizes
):
    """Registrations, speakers and goals on an event page come from a fixed number of queries."""
    client.force_login(member)
    event = EventFactory(capacity=100)
    RegistrationFactory(event=event, member=member)

    def grow(size):
        registrations, speakers = size
        RegistrationFactory.create_batch(registrations, event=event)
        SpeakerFactory.create_batch(speakers, event=event)

    pages = same_queries_at_two_sizes(
        client, event.get_absolute_url(), grow=grow, sizes=((0, 1), (30, 10))
    )
    assert pages.queries <= 10


def test_a_draft_event_is_not_found(client):
    event = EventFactory(status=Event.Status.DRAFT)
    assert client.get(event.get_absolute_url()).status_code == 404


def test_register_then_see_the_joining_link(client, member):
    event = EventFactory(joining_link=LINK)
    client.force_login(member)
    assert LINK not in client.get(event.get_absolute_url()).content.decode()
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert "You are registered." in response.content.decode()
    assert LINK in response.content.decode()
    assert Registration.objects.get(event=event, member=member).status == "confirmed"


def test_full_event_puts_the_member_on_the_waiting_list_with_their_place(client, member):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    client.force_login(member)
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    html = response.content.decode()
    assert "The event is full, so you are on the waiting list." in html
    assert "You are number 1 on the waiting list." in html
    assert LINK not in html


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: EventFactory(past=True),
            "This event has already started, so registration is closed.",
        ),
        (
            lambda: EventFactory(
                registration_closes_at=timezone.now() - datetime.timedelta(hours=1)
            ),
            "Registration for this event has closed.",
        ),
        (lambda: EventFactory(status=Event.Status.CANCELLED), "This event has been cancelled."),
    ],
)
def test_registration_problems_show_a_message(client, member, make, message):
    event = make()
    client.force_login(member)
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_a_second_registration_is_refused_with_a_message(client, member):
    event = EventFactory()
    client.force_login(member)
    client.post(reverse("events:register", args=[event.slug]))
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert "You are already registered for this event." in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 1


def test_registering_for_an_unknown_event_is_404(client, member):
    client.force_login(member)
    assert client.post(reverse("events:register", args=["no-such-event"])).status_code == 404


def test_cancelling_a_place(client, member):
    event = EventFactory()
    RegistrationFactory(event=event, member=member)
    client.force_login(member)
    response = client.post(reverse("events:cancel_registration", args=[event.slug]), follow=True)
    assert "Your place is cancelled." in response.content.decode()
    assert Registration.objects.get(event=event, member=member).status == "cancelled"


def test_cancelling_without_a_registration_gives_a_message(client, member):
    event = EventFactory()
    client.force_login(member)
    response = client.post(reverse("events:cancel_registration", args=[event.slug]), follow=True)
    assert "You are not registered for this event." in response.content.decode()


# Caucus sessions ---------------------------------------------------------------------------


def test_caucus_session_refuses_a_non_member_with_403(client, member):
    event = EventFactory(caucus=CaucusFactory(), joining_link=LINK)
    client.force_login(member)
    assert client.post(reverse("events:register", args=[event.slug])).status_code == 403
    assert not Registration.objects.exists()


def test_the_joining_link_of_a_caucus_session_never_reaches_a_non_member(client, ground_rules):
    caucus = CaucusFactory()
    event = EventFactory(caucus=caucus, joining_link=LINK)
    insider = caucus_member(caucus, agreed_to=ground_rules)
    RegistrationFactory(event=event, member=insider)
    # Even a place left over from before they withdrew must not reveal the link.
    outsider = UserFactory(agreed_to=ground_rules)
    RegistrationFactory(event=event, member=outsider)
    token = public.calendar_feed_get_or_create(member=outsider).token

    client.force_login(outsider)
    for url in [
        reverse("events:programme"),
        event.get_absolute_url(),
        reverse("events:event_ics", args=[event.slug]),
        reverse("events:programme_feed"),
        reverse("events:personal_feed", args=[token]),
        reverse("events:mine"),
        reverse("members:home"),
    ]:
        assert LINK not in client.get(url).content.decode(), url
    client.logout()
    assert LINK not in client.get(event.get_absolute_url()).content.decode()

    client.force_login(insider)
    assert LINK in client.get(event.get_absolute_url()).content.decode()


def test_everyone_sees_that_a_caucus_session_exists(client, member):
    event = EventFactory(title="Caucus gathering", caucus=CaucusFactory(name="Global majority"))
    client.force_login(member)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Caucus gathering" in html
    assert "This session is for members of the Global majority caucus." in html


def test_joining_a_caucus_needs_the_consent_box_ticked(client, member):
    caucus = CaucusFactory()
    client.force_login(member)
    response = client.post(reverse("events:caucus"), {"caucus": caucus.pk})
    assert "Tick the box to give your consent, or leave this page." in response.content.decode()
    assert not CaucusMembership.objects.exists()
    page = client.get(reverse("events:caucus")).content.decode()
    assert 'name="consent"' in page
    assert "checked" not in page.split('name="consent"')[1].split(">")[0]


def test_joining_and_withdrawing_from_a_caucus(client, member):
    caucus = CaucusFactory(name="Global majority")
    client.force_login(member)
    response = client.post(
        reverse("events:caucus"), {"caucus": caucus.pk, "consent": "on"}, follow=True
    )
    assert "You have joined the Global majority caucus." in response.content.decode()
    membership = CaucusMembership.objects.get(member=member)
    assert membership.consent_text == public.caucus_consent_text(membership.caucus)

    response = client.post(reverse("events:caucus_withdraw"), follow=True)
    assert "Your caucus choice is deleted." in response.content.decode()
    assert not CaucusMembership.objects.exists()


def test_a_members_caucus_appears_on_no_page_another_member_can_load(client, member):
    caucus_member(
        CaucusFactory(name="Non-global majority"), listed_in_directory=True, name="Kim Listed"
    )
    client.force_login(member)
    directory = client.get(reverse("members:directory")).content.decode()
    assert "Kim Listed" in directory
    assert "Non-global majority" not in directory
    assert "You are in the" not in client.get(reverse("events:caucus")).content.decode()


# Calendar feeds ----------------------------------------------------------------------------


def test_personal_feed_lists_booked_sessions_with_their_joining_links(client, member):
    booked = EventFactory(title="Booked", joining_link=LINK)
    EventFactory(title="Not booked")
    RegistrationFactory(event=booked, member=member)
    token = public.calendar_feed_get_or_create(member=member).token
    response = client.get(reverse("events:personal_feed", args=[token]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Booked"]
    assert f"Join online: {LINK}" in str(events[0]["DESCRIPTION"])


def test_a_reset_feed_address_stops_working(client, member):
    old = public.calendar_feed_get_or_create(member=member).token
    client.force_login(member)
    client.post(reverse("events:feed_reset"))
    client.logout()
    assert client.get(reverse("events:personal_feed", args=[old])).status_code == 404
    new = member.calendar_feed.__class__.objects.get(member=member).token
    assert client.get(reverse("events:personal_feed", args=[new])).status_code == 200


@pytest.mark.parametrize("token", ["x", "a" * 300, "../../etc"])
def test_unknown_feed_tokens_are_404(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_event_ics_download_has_no_joining_link_for_visitors(client):
    event = EventFactory(joining_link=LINK)
    response = client.get(reverse("events:event_ics", args=[event.slug]))
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert LINK not in str(vevent["DESCRIPTION"])


def test_programme_feed_is_public_and_lists_published_events(client):
    EventFactory(title="Published one")
    EventFactory(title="Draft one", status=Event.Status.DRAFT)
    response = client.get(reverse("events:programme_feed"))
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert titles == ["Published one"]


# My sessions and suggestions ---------------------------------------------------------------


def test_my_sessions_shows_bookings_and_attendance_history(client, member):
    upcoming = EventFactory(title="Next month")
    RegistrationFactory(event=upcoming, member=member)
    came = EventFactory(past=True, title="Last month")
    AttendanceFactory(event=came, member=member)
    client.force_login(member)
    html = client.get(reverse("events:mine")).content.decode()
    assert "Next month" in html
    assert "Last month" in html
    assert reverse("events:personal_feed", args=[member.calendar_feed.token]) in html


def test_member_suggests_a_topic_and_sees_when_it_became_a_session(client, member):
    client.force_login(member)
    client.post(
        reverse("events:suggestions"),
        {"topic": "Migrant health and housing", "lived_experience_lead": "on"},
    )
    suggestion = Suggestion.objects.get()
    assert (suggestion.member, suggestion.lived_experience_lead) == (member, True)
    event = EventFactory(title="Migrant health session")
    organise.suggestion_triage(
        suggestion=suggestion, status="planned", organiser_note="", event=event
    )
    html = client.get(reverse("events:suggestions")).content.decode()
    assert "Became a session" in html
    assert "Migrant health session" in html


def test_anonymous_visitors_are_sent_to_sign_in_from_member_pages(client):
    for name in ["events:mine", "events:caucus", "events:suggestions"]:
        url = reverse(name)
        assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"


# What a session led to: its actions, counted for organisers only --------------------------------


@pytest.fixture
def session_with_actions():
    session = EventFactory(past=True, slug="naming-racism")
    done, moved, _untouched = (ActionFactory(event=session) for _ in range(3))
    ActionUpdateFactory(action=done, status="done")
    ActionUpdateFactory(action=done, status="done", note="And again")
    ActionUpdateFactory(action=moved)
    ActionFactory()  # from no session
    return session


COUNTS = "3 actions recorded from this session, 2 followed up."


def test_organisers_see_how_many_actions_a_session_prompted(client, session_with_actions):
    client.force_login(UserFactory(permissions=["events.publish_summary"], mfa=False))

    page = client.get(reverse("events:detail", args=["naming-racism"])).content.decode()

    assert COUNTS in page


def test_members_see_no_action_counts_but_those_who_came_get_the_link(
    member_client, member, session_with_actions
):
    url = reverse("events:detail", args=["naming-racism"])
    assert "actions recorded" not in member_client.get(url).content.decode()

    AttendanceFactory(event=session_with_actions, member=member)
    page = member_client.get(url).content.decode()

    assert "actions recorded" not in page
    assert '<a href="/actions/from-session/naming-racism/">Record an action' in page


def test_an_organiser_not_trusted_with_caucus_choices_sees_no_counts_for_a_caucus_session(client):
    session = EventFactory(past=True, caucus=CaucusFactory(), slug="caucus-session")
    ActionFactory(event=session)
    client.force_login(UserFactory(permissions=["events.publish_summary"], mfa=False))

    page = client.get(reverse("events:detail", args=["caucus-session"])).content.decode()

    assert "recorded from this session" not in page
