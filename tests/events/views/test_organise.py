"""The organisers' pages of the events app: programmes, events and speakers, publishing and
cancelling, attendance, summaries and members' suggestions."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import (
    Attendance,
    CaucusMembership,
    Event,
    Programme,
    Registration,
    Speaker,
    Suggestion,
)
from members.roles import ORGANISERS
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    EventKindFactory,
    GoalFactory,
    ProgrammeFactory,
    RegistrationFactory,
    SpeakerFactory,
    SuggestionFactory,
    UserFactory,
    caucus_member,
    permission_give,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")
NEXT_YEAR = timezone.now().year + 1


# Helpers ---------------------------------------------------------------------------------------


def _h1_count(response):
    return len(re.findall(rb"<h1[\s>]", response.content))


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _last_sunday(year, month):
    day = datetime.date(year, month, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _event_data(**overrides):
    data = {
        "programme": "",
        "title": "Race and maternity care",
        "summary": "Learning from families' experience.",
        "format": Event.Format.ONLINE,
        "kind": EventKindFactory().pk,
        "caucus": "",
        "starts_at": f"{NEXT_YEAR}-07-01T10:00",
        "ends_at": f"{NEXT_YEAR}-07-01T11:30",
        "venue": "",
        "joining_link": "https://meet.example.org/room",
        "capacity": "30",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "speakers-TOTAL_FORMS": "2",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
    }
    for i in range(4):
        # What a browser sends for a blank speaker: the fields' initial values.
        data |= {f"speakers-{i}-role": Speaker.Role.SPEAKER, f"speakers-{i}-order": "0"}
    data.update(overrides)
    return data


# Who may see the organisers' pages -------------------------------------------------------------


def _page_kwargs(name):
    """URL kwargs for each page, with the objects it needs."""
    if name in {"events:programme_edit", "events:programme_publish"}:
        programme = ProgrammeFactory(draft=True, title="Spring", slug="spring")
        return {"pk": programme.pk}
    if name == "events:suggestion_edit":
        return {"pk": SuggestionFactory(topic="Housing", member=None).pk}
    if name in {"events:event_attendance", "events:event_summary", "events:event_walk_in"}:
        return {"pk": EventFactory(started=True).pk}
    if name.startswith("events:event_") and name != "events:event_new":
        return {"pk": EventFactory(status=Event.Status.DRAFT).pk}
    return {}


GET_PAGES = [
    "events:organise_programme",
    "events:programme_new",
    "events:programme_edit",
    "events:event_new",
    "events:event_edit",
    "events:event_cancel",
    "events:event_attendance",
    "events:event_summary",
    "events:suggestions_triage",
    "events:suggestion_edit",
    "events:programme_publish",
    "events:event_publish",
]
POST_ONLY = [
    ("events:event_walk_in", 200),  # no email given: the page again, with the error
]


@pytest.mark.parametrize("name", GET_PAGES)
def test_organiser_pages_by_role(client, member, organiser, steering_member, name):
    url = reverse(name, kwargs=_page_kwargs(name))
    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(steering_member)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200
    assert _h1_count(response) == 1


@pytest.mark.parametrize(("name", "organiser_status"), POST_ONLY)
def test_post_only_organiser_actions_by_role(client, member, organiser, name, organiser_status):
    url = reverse(name, kwargs=_page_kwargs(name))
    assert client.post(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.post(url).status_code == 403
    client.force_login(organiser)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == organiser_status


def test_organise_hub_links_to_the_programme_for_organisers_only(
    client, organiser, steering_member
):
    client.force_login(organiser)
    html = client.get(reverse("members:organise")).content.decode()
    assert f'href="{reverse("events:organise_programme")}"' in html
    assert f'href="{reverse("events:event_new")}"' in html
    assert f'href="{reverse("events:suggestions_triage")}"' in html
    client.force_login(steering_member)
    html = client.get(reverse("members:organise")).content.decode()
    assert reverse("events:organise_programme") not in html


# The programme page ----------------------------------------------------------------------------


def test_programme_page_warns_when_the_programme_reaches_under_six_months(organiser_client):
    EventFactory(starts_at=timezone.now() + datetime.timedelta(days=60))
    html = organiser_client.get(reverse("events:organise_programme")).content.decode()
    assert "The programme reaches less than six months ahead." in html
    assert "1 month ahead." in html


def test_programme_page_has_no_warning_with_seven_months_published(organiser_client):
    EventFactory(starts_at=timezone.now() + datetime.timedelta(days=215))
    html = organiser_client.get(reverse("events:organise_programme")).content.decode()
    assert "The programme reaches less than six months ahead." not in html
    assert "7 months ahead." in html


def test_programme_page_shows_each_event_with_its_numbers_in_uk_time(organiser_client):
    start = datetime.datetime(NEXT_YEAR, 7, 1, 9, 0, tzinfo=UTC)
    event = EventFactory(title="Race and maternity care", starts_at=start, capacity=10)
    for status in ["confirmed", "confirmed", "waitlisted", "cancelled"]:
        RegistrationFactory(event=event, member=UserFactory(), status=status)
    html = organiser_client.get(reverse("events:organise_programme")).content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">Race and maternity care.*?</tr>", html, re.S)[0]
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]
    day = start.astimezone(LONDON)
    assert cells[:6] == [
        f"{day:%a} 1 Jul {NEXT_YEAR}, 10:00",
        "Webinar",
        "Published",
        "2 / 10",
        "1",
        "0",
    ]
    assert f'href="{reverse("events:event_cancel", args=[event.pk])}"' in row
    assert reverse("events:event_publish", args=[event.pk]) not in row


def test_programme_page_shows_caucus_sessions_without_who_is_in_them(organiser_client):
    caucus = CaucusFactory()
    event = EventFactory(title="Caucus gathering", caucus=caucus)
    person = UserFactory(name="Private Person")
    CaucusMembershipFactory(member=person, caucus=caucus)
    RegistrationFactory(event=event, member=person)
    html = organiser_client.get(reverse("events:organise_programme")).content.decode()
    assert "Caucus session" in html
    assert "Private Person" not in html


def test_programme_page_offers_publish_for_drafts_and_lists_programmes(organiser_client):
    draft = EventFactory(title="Still a draft", status=Event.Status.DRAFT)
    ProgrammeFactory(
        draft=True,
        title="Autumn programme",
        starts_on=datetime.date(2027, 10, 1),
        ends_on=datetime.date(2028, 3, 31),
    )
    html = organiser_client.get(reverse("events:organise_programme")).content.decode()
    assert f'href="{reverse("events:event_publish", args=[draft.pk])}"' in html
    assert reverse("events:event_cancel", args=[draft.pk]) not in html
    assert '<th scope="row">Autumn programme</th>' in html
    programme = Programme.objects.get()
    assert f'href="{reverse("events:programme_publish", args=[programme.pk])}"' in html


def test_programme_page_query_count_does_not_grow_with_events(
    organiser_client, same_queries_at_two_sizes
):
    """The events table must not run a query per row (kind, caucus, programme, counts)."""
    caucus = CaucusFactory()
    programme = ProgrammeFactory(draft=True, title="Spring", slug="spring")

    def make(n):
        for i in range(n):
            event = EventFactory(
                title=f"Event {i}",
                kind=EventKindFactory(name=f"Kind {i % 4}", slug=f"kind-{i % 4}"),
                caucus=caucus if i % 3 == 0 else None,
                programme=programme,
                status=Event.Status.DRAFT if i % 2 else Event.Status.PUBLISHED,
            )
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    pages = same_queries_at_two_sizes(
        organiser_client, reverse("events:organise_programme"), grow=make, sizes=(3, 20)
    )
    assert pages.small.context["page"].paginator.count == 3
    assert pages.large.context["page"].paginator.count == 23
    assert pages.queries <= 12


def test_programme_page_shows_fifty_events_a_page(organiser_client):
    for i in range(51):
        EventFactory(title=f"Event {i}", starts_at=timezone.now() + datetime.timedelta(days=i + 1))
    response = organiser_client.get(reverse("events:organise_programme"))
    assert len(response.context["page"]) == 50
    response = organiser_client.get(reverse("events:organise_programme"), {"page": "2"})
    assert [e.title for e in response.context["page"]] == ["Event 0"]


# Programmes ------------------------------------------------------------------------------------


def test_organiser_adds_a_programme(organiser_client):
    response = organiser_client.post(
        reverse("events:programme_new"),
        {
            "title": "April to September 2027",
            "starts_on": "2027-04-01",
            "ends_on": "2027-09-30",
            "theme": "Racism and housing",
            "description": "",
        },
    )
    assert response["Location"] == reverse("events:organise_programme")
    programme = Programme.objects.get()
    assert (programme.slug, programme.starts_on, programme.ends_on, programme.published_at) == (
        "april-to-september-2027",
        datetime.date(2027, 4, 1),
        datetime.date(2027, 9, 30),
        None,
    )


def test_programme_form_uses_date_inputs(organiser_client):
    html = organiser_client.get(reverse("events:programme_new")).content.decode()
    assert re.search(r'<input type="date" name="starts_on"', html)
    assert re.search(r'<input type="date" name="ends_on"', html)


def test_programme_ending_before_it_starts_is_refused_in_the_form(organiser_client):
    response = organiser_client.post(
        reverse("events:programme_new"),
        {"title": "Backwards", "starts_on": "2027-09-30", "ends_on": "2027-04-01"},
    )
    assert response.status_code == 200
    assert b"The programme must end on or after the day it starts." in response.content
    assert not Programme.objects.exists()


def test_organiser_edits_a_programme(organiser_client):
    programme = ProgrammeFactory(draft=True, title="Spring", slug="spring")
    response = organiser_client.post(
        reverse("events:programme_edit", args=[programme.pk]),
        {"title": "Spring and summer", "starts_on": "2027-04-01", "ends_on": "2027-10-31"},
    )
    assert response["Location"] == reverse("events:organise_programme")
    programme.refresh_from_db()
    assert (programme.title, programme.slug, programme.ends_on) == (
        "Spring and summer",
        "spring",
        datetime.date(2027, 10, 31),
    )


def test_publishing_a_programme_publishes_its_drafts_and_says_who_is_emailed(
    organiser_client, organiser
):
    UserFactory(email="keen@example.org")
    UserFactory(email="quiet@example.org", email_programme=False)
    UserFactory(email="gone@example.org", is_active=False)
    programme = ProgrammeFactory(draft=True, title="Spring", slug="spring")
    draft = EventFactory(title="In the programme", status=Event.Status.DRAFT, programme=programme)
    other = EventFactory(title="Not in it", status=Event.Status.DRAFT)
    # First a page that says what publishing will do, and does nothing yet.
    asked = organiser_client.get(reverse("events:programme_publish", args=[programme.pk]))
    assert re.findall(r"<li>(.*?)</li>", asked.content.decode().split("<h1>")[1]) == [
        "Its 1 draft session will be published: members can see it and register.",
        "2 members who asked to hear about new programmes will be emailed.",
    ]
    assert mail_sent() == []
    response = organiser_client.post(
        reverse("events:programme_publish", args=[programme.pk]), follow=True
    )
    assert _messages(response) == [
        "“Spring” is published with its draft events. 2 members will be emailed about it."
    ]
    programme.refresh_from_db()
    assert programme.published_at is not None
    draft.refresh_from_db()
    other.refresh_from_db()
    assert (draft.status, other.status) == (Event.Status.PUBLISHED, Event.Status.DRAFT)
    assert sorted(m.to[0] for m in mail_sent()) == sorted([organiser.email, "keen@example.org"])
    assert "In the programme" in mail_sent()[0].body

    response = organiser_client.post(
        reverse("events:programme_publish", args=[programme.pk]), follow=True
    )
    assert _messages(response) == ["This programme is already published."]


# Events ----------------------------------------------------------------------------------------


def test_event_form_uses_uk_time_datetime_inputs(organiser_client):
    html = organiser_client.get(reverse("events:event_new")).content.decode()
    for name in ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]:
        assert re.search(rf'<input type="datetime-local" name="{name}"', html)
    assert "Starts (UK time)" in html
    assert "Speaker or facilitator 1</legend>" in html
    assert "Speaker or facilitator 2</legend>" in html
    assert html.count('type="submit"') == 2  # Sign out in the header, and Save event.
    assert html.count('name="csrfmiddlewaretoken"') == 2  # Sign out's form, and this one.


@pytest.mark.parametrize(
    ("month", "day", "utc_hour"),
    [(7, 1, 9), (1, 15, 10)],
    ids=["summer-bst", "winter-gmt"],
)
def test_event_times_entered_in_uk_time_are_stored_in_utc(organiser_client, month, day, utc_hour):
    start = f"{NEXT_YEAR}-{month:02}-{day:02}T10:00"
    response = organiser_client.post(
        reverse("events:event_new"),
        _event_data(starts_at=start, ends_at=start.replace("T10", "T11")),
    )
    assert response["Location"] == reverse("events:organise_programme")
    event = Event.objects.get()
    assert event.starts_at == datetime.datetime(NEXT_YEAR, month, day, utc_hour, tzinfo=UTC)
    assert event.ends_at == datetime.datetime(NEXT_YEAR, month, day, utc_hour + 1, tzinfo=UTC)
    assert event.status == Event.Status.DRAFT


def test_organiser_creates_an_event_with_goals_and_speakers(organiser_client):
    goals = [GoalFactory(name="Build relationships"), GoalFactory(name="Solve")]
    programme = ProgrammeFactory(draft=True, title="Spring", slug="spring")
    response = organiser_client.post(
        reverse("events:event_new"),
        _event_data(
            programme=programme.pk,
            goals=[goals[0].pk],
            **{
                "speakers-0-name": "Dr Amara Okafor",
                "speakers-0-organisation": "Riverside NHS Trust",
                "speakers-0-role": Speaker.Role.SPEAKER,
                "speakers-0-lived_experience": "on",
                "speakers-0-order": "1",
                "speakers-1-name": "Sam Lee",
                "speakers-1-role": Speaker.Role.FACILITATOR,
                "speakers-1-order": "2",
            },
        ),
        follow=True,
    )
    assert _messages(response) == [
        "“Race and maternity care” is saved as a draft: publish it when it is ready."
    ]
    event = Event.objects.get()
    assert (event.programme, event.capacity, event.slug) == (
        programme,
        30,
        f"race-and-maternity-care-{NEXT_YEAR}-07-01",
    )
    assert list(event.goals.all()) == [goals[0]]
    assert list(
        event.speakers.values_list("name", "organisation", "role", "lived_experience", "order")
    ) == [
        ("Dr Amara Okafor", "Riverside NHS Trust", "speaker", True, 1),
        ("Sam Lee", "", "facilitator", False, 2),
    ]


def test_organiser_edits_an_event_and_its_speakers(organiser_client):
    event = EventFactory(
        title="Old title", starts_at=datetime.datetime(NEXT_YEAR, 7, 1, 9, tzinfo=UTC)
    )
    keep = SpeakerFactory(event=event, name="Keep Me", order=1)
    drop = SpeakerFactory(event=event, name="Drop Me", order=2)
    url = reverse("events:event_edit", args=[event.pk])
    html = organiser_client.get(url).content.decode()
    assert f'value="{NEXT_YEAR}-07-01T10:00"' in html  # Shown in UK time, as entered.
    response = organiser_client.post(
        url,
        _event_data(
            title="New title",
            starts_at=f"{NEXT_YEAR}-07-01T10:00",
            ends_at=f"{NEXT_YEAR}-07-01T12:00",
            **{
                "speakers-TOTAL_FORMS": "4",
                "speakers-INITIAL_FORMS": "2",
                "speakers-0-id": str(keep.pk),
                "speakers-0-name": "Kept And Renamed",
                "speakers-0-role": "speaker",
                "speakers-0-order": "1",
                "speakers-1-id": str(drop.pk),
                "speakers-1-name": "Drop Me",
                "speakers-1-role": "speaker",
                "speakers-1-order": "2",
                "speakers-1-DELETE": "on",
            },
        ),
    )
    assert response["Location"] == reverse("events:organise_programme")
    event.refresh_from_db()
    assert (event.title, event.ends_at, event.status, event.sequence) == (
        "New title",
        datetime.datetime(NEXT_YEAR, 7, 1, 11, tzinfo=UTC),
        Event.Status.PUBLISHED,
        1,
    )
    assert list(event.speakers.values_list("name", flat=True)) == ["Kept And Renamed"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_at": f"{NEXT_YEAR}-07-01T09:00"},
            "ends_at",
            "The event must end after it starts.",
        ),
        (
            {"ends_at": f"{NEXT_YEAR}-07-01T10:00"},
            "ends_at",
            "The event must end after it starts.",
        ),
        (
            {"registration_closes_at": f"{NEXT_YEAR}-07-01T10:30"},
            "registration_closes_at",
            "Registration must close by the time the event starts.",
        ),
        (
            {
                "registration_opens_at": f"{NEXT_YEAR}-06-20T09:00",
                "registration_closes_at": f"{NEXT_YEAR}-06-10T09:00",
            },
            "registration_opens_at",
            "Registration must open before it closes (or, with no closing time, before the "
            "event starts).",
        ),
        (
            {"registration_opens_at": f"{NEXT_YEAR}-07-02T09:00"},
            "registration_opens_at",
            "Registration must open before it closes (or, with no closing time, before the "
            "event starts).",
        ),
        (
            {"starts_at": "2020-01-15T10:00", "ends_at": "2020-01-15T11:00"},
            "starts_at",
            "A new event cannot start in the past.",
        ),
    ],
    ids=["ends-before", "ends-as-starts", "closes-late", "opens-after-close", "opens-late", "past"],
)
def test_event_form_explains_impossible_times(organiser_client, overrides, field, message):
    response = organiser_client.post(reverse("events:event_new"), _event_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    assert not Event.objects.exists()


def test_an_existing_event_may_be_edited_after_it_started(organiser_client):
    event = EventFactory(started=True, title="Already begun")
    local = timezone.localtime(event.starts_at)
    response = organiser_client.post(
        reverse("events:event_edit", args=[event.pk]),
        _event_data(
            title="Already begun, renamed",
            starts_at=f"{local:%Y-%m-%dT%H:%M}",
            ends_at=f"{local + datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}",
        ),
    )
    assert response["Location"] == reverse("events:organise_programme")
    event.refresh_from_db()
    assert event.title == "Already begun, renamed"


@pytest.mark.parametrize(
    "when",
    [
        f"{_last_sunday(NEXT_YEAR, 3)}T01:30",  # clocks go forward: 01:30 never happens
        f"{_last_sunday(NEXT_YEAR, 10)}T01:30",  # clocks go back: 01:30 happens twice
    ],
    ids=["nonexistent", "ambiguous"],
)
def test_a_time_lost_or_doubled_at_the_clock_change_is_a_form_error(organiser_client, when):
    response = organiser_client.post(
        reverse("events:event_new"), _event_data(starts_at=when, ends_at=when.replace("T01", "T05"))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == [
        f"{when.replace('T', ' ')}:00 couldn\N{RIGHT SINGLE QUOTATION MARK}t be interpreted in "
        "time zone Europe/London; it may be ambiguous or it may not exist."
    ]
    assert not Event.objects.exists()


def test_a_caucus_session_may_be_of_any_kind(organiser_client):
    caucus = CaucusFactory()
    response = organiser_client.post(
        reverse("events:event_new"), _event_data(caucus=caucus.pk, kind=EventKindFactory().pk)
    )
    assert response.status_code == 302
    assert Event.objects.get().caucus == caucus


def test_organiser_publishes_a_draft_event(organiser_client):
    event = EventFactory(title="Housing and health", status=Event.Status.DRAFT)
    response = organiser_client.post(reverse("events:event_publish", args=[event.pk]), follow=True)
    assert _messages(response) == ["“Housing and health” is published: members can now register."]
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    response = organiser_client.post(reverse("events:event_publish", args=[event.pk]), follow=True)
    assert _messages(response) == ["Only a draft event can be published."]


def test_cancelling_says_who_will_be_told_then_tells_them(organiser_client):
    event = EventFactory(title="Housing and health", capacity=2)
    booked = [UserFactory(email="a@example.org"), UserFactory(email="b@example.org")]
    for person in booked:
        RegistrationFactory(event=event, member=person)
    RegistrationFactory(
        event=event,
        member=UserFactory(email="waiting@example.org"),
        status=Registration.Status.WAITLISTED,
    )
    RegistrationFactory(
        event=event,
        member=UserFactory(email="left@example.org"),
        status=Registration.Status.CANCELLED,
    )
    url = reverse("events:event_cancel", args=[event.pk])

    html = organiser_client.get(url).content.decode()
    assert "3 members will be told by email: 2 with a place and 1 on the waiting list." in html
    assert Event.objects.get().status == Event.Status.PUBLISHED

    response = organiser_client.post(url, follow=True)
    assert _messages(response) == [
        "“Housing and health” is cancelled. 3 members with a place or on the waiting list "
        "will be told by email."
    ]
    event.refresh_from_db()
    assert (event.status, event.sequence) == (Event.Status.CANCELLED, 1)
    assert sorted(m.to[0] for m in mail_sent()) == [
        "a@example.org",
        "b@example.org",
        "waiting@example.org",
    ]
    assert mail_sent()[0].subject.endswith("Cancelled: Housing and health")

    response = organiser_client.post(url, follow=True)
    assert _messages(response) == ["This event is already cancelled."]


def test_a_past_event_cannot_be_cancelled(organiser_client):
    event = EventFactory(starts_at=timezone.now() - datetime.timedelta(days=2))
    url = reverse("events:event_cancel", args=[event.pk])
    assert b"This event has already taken place" in organiser_client.get(url).content
    response = organiser_client.post(url, follow=True)
    assert _messages(response) == ["This event has already taken place."]
    assert Event.objects.get().status == Event.Status.PUBLISHED


# Attendance ------------------------------------------------------------------------------------


def test_check_in_marks_who_came_and_ignores_ids_that_are_not_numbers(organiser_client, organiser):
    event = EventFactory(started=True)
    ada, ben, cai = (UserFactory(name=n) for n in ["Ada", "Ben", "Cai"])
    for person in (ada, ben, cai):
        RegistrationFactory(event=event, member=person)
    AttendanceFactory(event=event, member=ada)
    url = reverse("events:event_attendance", args=[event.pk])

    html = organiser_client.get(url).content.decode()
    walk_in = reverse("events:event_walk_in", args=[event.pk])
    assert re.search(rf'<form\s+action="{walk_in}"\s+method="post"', html)
    assert re.search(rf'name="present" value="{ada.pk}"[^>]*checked', html)
    assert not re.search(rf'name="present" value="{ben.pk}"[^>]*checked', html)
    assert f"Ada, {ada.organisation.name}" in html

    response = organiser_client.post(
        url, {"present": [str(ben.pk), "not-a-number", "", str(cai.pk), "9" * 5000]}, follow=True
    )
    assert _messages(response) == [
        "Attendance is saved: 2 members newly marked present, 1 member marked absent."
    ]
    assert set(event.attendances.values_list("member__name", flat=True)) == {"Ben", "Cai"}
    assert set(event.attendances.values_list("recorded_by", flat=True)) == {organiser.pk}


def test_attendance_is_read_only_before_the_event_starts(organiser_client):
    event = EventFactory()
    RegistrationFactory(event=event, member=UserFactory(name="Early Bird"))
    url = reverse("events:event_attendance", args=[event.pk])
    html = organiser_client.get(url).content.decode()
    assert "Attendance opens when the event starts." in html
    assert "Early Bird" in html
    assert 'name="present"' not in html
    assert 'name="email"' not in html

    response = organiser_client.post(url, {"present": []}, follow=True)
    assert _messages(response) == ["Attendance can be recorded once the event has started."]


def test_walk_in_is_found_by_email_whatever_its_case(organiser_client):
    event = EventFactory(started=True)
    walker = UserFactory(email="walker@example.org", name="Wal Walker")
    url = reverse("events:event_walk_in", args=[event.pk])
    response = organiser_client.post(url, {"email": "Walker@Example.ORG"}, follow=True)
    assert _messages(response) == ["Wal Walker is added to the attendance list."]
    attendance = Attendance.objects.get()
    assert (attendance.member, attendance.walk_in) == (walker, True)
    assert "Wal Walker" in response.content.decode()

    response = organiser_client.post(url, {"email": "walker@example.org"}, follow=True)
    assert _messages(response) == ["Wal Walker is already on the attendance list."]


def test_walk_in_with_an_unknown_email_is_a_form_error(organiser_client):
    event = EventFactory(started=True)
    UserFactory(email="inactive@example.org", is_active=False)
    url = reverse("events:event_walk_in", args=[event.pk])
    for email in ["nobody@example.org", "inactive@example.org"]:
        response = organiser_client.post(url, {"email": email})
        assert response.status_code == 200
        assert response.context["walk_in_form"].errors == {
            "email": [
                "No member has that email address. Check the spelling, or ask them to join "
                "the portal first."
            ]
        }
    assert not Attendance.objects.exists()


def test_caucus_session_register_needs_permission_to_see_caucus_choices(
    organiser_client, organiser
):
    caucus = CaucusFactory()
    event = EventFactory(started=True, caucus=caucus)
    url = reverse("events:event_attendance", args=[event.pk])
    assert organiser_client.get(url).status_code == 403
    walk_in = reverse("events:event_walk_in", args=[event.pk])
    assert organiser_client.post(walk_in, {"email": organiser.email}).status_code == 403
    permission_give(organiser, "events.view_caucus_choice")
    assert organiser_client.get(url).status_code == 200


# Summaries -------------------------------------------------------------------------------------


def test_publishing_a_summary_sends_catch_up_to_who_missed_it(organiser_client):
    event = EventFactory(started=True, title="Housing and health")
    came, missed = UserFactory(), UserFactory(email="missed@example.org")
    RegistrationFactory(event=event, member=came)
    RegistrationFactory(event=event, member=missed)
    AttendanceFactory(event=event, member=came)
    url = reverse("events:event_summary", args=[event.pk])
    data = {
        "outcome_summary": "We shared practice.",
        "key_takeaways": "Listen first.",
        "recording_url": "https://video.example.org/1",
        "slides_url": "",
    }
    response = organiser_client.post(url, data, follow=True)
    assert _messages(response) == [
        "The summary of “Housing and health” is published. 1 catch-up email goes to members "
        "who registered but did not come."
    ]
    event.refresh_from_db()
    assert (event.outcome_summary, event.recording_url) == (
        "We shared practice.",
        "https://video.example.org/1",
    )
    assert event.summary_published_at is not None
    assert [m.to for m in mail_sent()] == [["missed@example.org"]]

    response = organiser_client.post(url, {**data, "key_takeaways": "Act."}, follow=True)
    assert _messages(response) == [
        "The summary of “Housing and health” is published. No catch-up emails are due."
    ]


def test_a_blank_summary_is_refused(organiser_client):
    event = EventFactory(started=True)
    response = organiser_client.post(
        reverse("events:event_summary", args=[event.pk]), {"outcome_summary": "   "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"outcome_summary": ["This field is required."]}
    event.refresh_from_db()
    assert event.summary_published_at is None


def test_a_summary_waits_until_the_event_has_taken_place(organiser_client):
    event = EventFactory()
    url = reverse("events:event_summary", args=[event.pk])
    html = organiser_client.get(url).content.decode()
    assert "You can publish a summary once the event has taken place." in html
    assert 'name="outcome_summary"' not in html
    response = organiser_client.post(url, {"outcome_summary": "Too early."})
    assert response.context["form"].errors == {
        "__all__": ["A summary can be published once the event has taken place."]
    }
    assert "You can publish a summary once the event has taken place." in response.content.decode()
    event.refresh_from_db()
    assert (event.outcome_summary, event.summary_published_at) == ("", None)


# Suggestions -----------------------------------------------------------------------------------


def test_suggestions_list_shows_who_suggested_and_filters_by_status(organiser_client):
    SuggestionFactory(
        member=UserFactory(name="Nia Idea"),
        topic="Racism in mental health services",
        speaker="Dr Kim",
        lived_experience_lead=True,
    )
    SuggestionFactory(topic="Data and ethnicity", status=Suggestion.Status.DECLINED, member=None)
    url = reverse("events:suggestions_triage")
    html = organiser_client.get(url).content.decode()
    assert "Racism in mental health services" in html
    assert "Nia Idea" in html
    assert "Data and ethnicity" in html
    assert "A former member" in html

    response = organiser_client.get(url, {"status": "declined"})
    topics = [s.topic for s in response.context["page"]]
    assert topics == ["Data and ethnicity"]
    response = organiser_client.get(url, {"status": "<script>"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 2


def test_became_a_session_needs_the_session(organiser_client):
    suggestion = SuggestionFactory(topic="Housing", member=None)
    url = reverse("events:suggestion_edit", args=[suggestion.pk])
    response = organiser_client.post(
        url, {"status": Suggestion.Status.PLANNED, "organiser_note": "Yes!", "event": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Choose the session this suggestion became."]
    }
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.organiser_note) == (Suggestion.Status.NEW, "")


def test_organiser_links_a_suggestion_to_the_session_it_became(organiser_client, member):
    suggestion = SuggestionFactory(member=member, topic="Housing")
    event = EventFactory(title="Housing and health")
    draft = EventFactory(title="Secret draft", status=Event.Status.DRAFT)
    url = reverse("events:suggestion_edit", args=[suggestion.pk])
    html = organiser_client.get(url).content.decode()
    assert "Housing and health" in html
    assert "Secret draft" not in html

    response = organiser_client.post(
        url, {"status": Suggestion.Status.PLANNED, "organiser_note": "Thanks!", "event": draft.pk}
    )
    assert response.status_code == 200
    assert "event" in response.context["form"].errors

    response = organiser_client.post(
        url, {"status": Suggestion.Status.PLANNED, "organiser_note": "Thanks!", "event": event.pk}
    )
    assert response["Location"] == reverse("events:suggestions_triage")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.organiser_note, suggestion.event) == (
        Suggestion.Status.PLANNED,
        "Thanks!",
        event,
    )


def test_a_former_members_suggestion_can_be_triaged(organiser_client):
    suggestion = SuggestionFactory(topic="Housing", member=None)  # its member has since left
    response = organiser_client.post(
        reverse("events:suggestion_edit", args=[suggestion.pk]),
        {"status": Suggestion.Status.DECLINED, "organiser_note": "Not this year."},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DECLINED


# Admin -----------------------------------------------------------------------------------------


def test_caucus_choices_in_the_admin_need_their_own_permission(client, ground_rules):
    staff = UserFactory(
        is_staff=True,
        agreed_to=ground_rules,
        groups=[ORGANISERS],
        permissions=["events.view_caucusmembership"],
    )
    caucus = CaucusFactory()
    caucus_member(caucus, name="Private Person")
    client.force_login(staff)
    changelist = reverse("admin:events_caucusmembership_changelist")
    assert client.get(changelist).status_code == 403
    assert b"Caucus memberships" not in client.get(reverse("admin:index")).content

    permission_give(staff, "events.view_caucus_choice")
    response = client.get(changelist)
    assert response.status_code == 200
    assert b"Private Person" in response.content
    assert client.get(reverse("admin:events_caucusmembership_add")).status_code == 403
    membership = CaucusMembership.objects.get()
    delete = reverse("admin:events_caucusmembership_delete", args=[membership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert CaucusMembership.objects.exists()


def test_publishing_a_summary_before_attendance_says_catch_up_emails_wait(organiser_client):
    start = timezone.now() - datetime.timedelta(days=1)
    event = EventFactory(
        title="Held yesterday", kind=EventKindFactory(name="Talk", slug="talk"), starts_at=start,
        duration=datetime.timedelta(hours=1),
    )  # fmt: skip
    response = organiser_client.post(
        reverse("events:event_summary", args=[event.pk]),
        {"outcome_summary": "We talked.", "recording_url": "", "slides_url": ""},
        follow=True,
    )
    assert "Catch-up emails wait until attendance is recorded" in response.content.decode()
    assert "None catch-up" not in response.content.decode()


def test_organiser_marks_a_session_start_here_on_its_form(organiser_client):
    form = organiser_client.get(reverse("events:event_new")).content.decode()
    assert "Start here: essential for new joiners" in form
    organiser_client.post(reverse("events:event_new"), _event_data(start_here="on"))
    event = Event.objects.get()
    assert event.start_here is True
    organiser_client.post(reverse("events:event_edit", args=[event.pk]), _event_data())
    event.refresh_from_db()
    assert event.start_here is False
