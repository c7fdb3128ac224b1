"""Senior leaders invited as guests to one session: they register and come without becoming
members, their invitation carries a personal link and the briefing, the link ends when it
should, and they can join with one click without ever being signed in to someone else's
account."""

import datetime
import hashlib
import io
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from cop_portal.mail.models import OutgoingEmail
from events.models import Event, Guest
from events.selectors.guests import briefing_figures
from events.services import guests as services
from events.services import organise
from members.models import Seniority, User
from members.selectors import dashboard
from members.selectors import imports as import_selectors
from members.selectors.data_rights import member_data_export
from members.services.data_rights import member_erase
from members.services.imports import import_apply
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    GuestFactory,
    UserFactory,
    event_on,
    guest_link,
)
from tests.mail import mail_sent
from tests.tasks import scheduled_run, tasks_run

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/guest/([A-Za-z0-9_-]{43})/")


def invite(client, event, *people):
    """The organiser's form, one set of fields per person."""
    data = {
        "guests-TOTAL_FORMS": str(max(len(people), 1)),
        "guests-INITIAL_FORMS": "0",
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "20",
    }
    for i, person in enumerate(people):
        for field, value in person.items():
            data[f"guests-{i}-{field}"] = value
    return client.post(reverse("events:event_guests", args=[event.pk]), data)


DIRECTOR = {
    "name": "Dr Amara Osei",
    "email": "Amara.Osei@Council.example.org",
    "role": "director",
    "job_title": "Director of Public Health",
    "organisation": "Borough Council",
}


def pdf_pages(content: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", content))


def start_now(event):
    """The session is under way: attendance can be recorded."""
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )


# The whole journey -------------------------------------------------------------------------------


def test_a_guest_registers_and_attends_without_becoming_a_member(organiser_client):
    event = EventFactory(title="Race and the workforce")
    users_before = User.objects.count()
    members_before = dashboard.member_count(dashboard.Period())

    response = invite(organiser_client, event, DIRECTOR)
    assert response.status_code == 302
    [message] = mail_sent()
    token = LINK.search(message.body).group(1)

    guest_browser = Client()
    opened = guest_browser.get(reverse("events:guest_link", args=[token]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("events:guest_page")
    assert opened["Referrer-Policy"] == "no-referrer"
    page = guest_browser.get(reverse("events:guest_page"))
    assert page.status_code == 200
    assert b"Race and the workforce" in page.content
    assert b"I will come" in page.content

    guest_browser.post(reverse("events:guest_reply"), {"answer": "yes"})
    guest = Guest.objects.get()
    assert guest.registered_at is not None
    assert guest.declined_at is None
    assert guest.email == "amara.osei@council.example.org"
    calendar = guest_browser.get(reverse("events:guest_ics"))
    assert calendar.status_code == 200
    assert b"BEGIN:VEVENT" in calendar.content
    assert event.joining_link.encode() in calendar.content.replace(b"\r\n ", b"")

    start_now(event)
    organiser_client.post(
        reverse("events:guest_attendance", args=[event.pk]), {"present": [guest.pk]}
    )
    guest.refresh_from_db()
    assert guest.attended is True
    assert guest.get_status_display() == "Came"

    # No account, in no count or list of members.
    assert User.objects.count() == users_before
    assert not User.objects.filter(email__iexact=DIRECTOR["email"]).exists()
    assert dashboard.member_count(dashboard.Period()) == members_before
    directory = organiser_client.get(reverse("members:directory"))
    assert b"Amara Osei" not in directory.content
    assert guest_browser.session.get("_auth_user_id") is None


def test_the_guest_list_shows_each_status(organiser_client):
    event = EventFactory()
    GuestFactory(event=event, name="Invited Person")
    GuestFactory(event=event, name="Coming Person", registered_at=timezone.now())
    GuestFactory(event=event, name="Declining Person", declined_at=timezone.now())
    GuestFactory(event=event, name="Withdrawn Person", withdrawn_at=timezone.now())

    page = organiser_client.get(reverse("events:event_guests", args=[event.pk]))

    rows = re.findall(
        r'<th scope="row">([^<]+)<br>.*?</td>\s*<td>.*?</td>\s*<td>([^<]+)<',
        page.content.decode(),
        re.S,
    )
    assert [(name, status) for name, status in rows] == [
        ("Invited Person", "Invited"),
        ("Coming Person", "Coming"),
        ("Declining Person", "Cannot come"),
        ("Withdrawn Person", "Invitation withdrawn"),
    ]


# Sessions that take no guests --------------------------------------------------------------------


def test_a_caucus_session_refuses_guests(organiser_client, organiser):
    session = EventFactory(caucus=CaucusFactory())

    response = invite(organiser_client, session, DIRECTOR)

    assert response.status_code == 400
    assert services.CAUCUS_REFUSED in response.content.decode().replace("&#x27;", "'")
    assert not Guest.objects.exists()
    with pytest.raises(ValidationError, match="Caucus sessions are for their caucus"):
        services.guests_invite(
            event=session, guests=[services.GuestDetails(**DIRECTOR)], invited_by=organiser
        )
    page = organiser_client.get(reverse("events:event_guests", args=[session.pk]))
    assert b'id="guests-refused"' in page.content
    assert b"Send the invitations" not in page.content


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"past": True}, "has taken place"),
        ({"status": Event.Status.CANCELLED}, "is cancelled"),
    ],
)
def test_past_and_cancelled_sessions_refuse_guests(organiser, fields, message):
    event = EventFactory(**fields)
    with pytest.raises(ValidationError, match=message):
        services.guests_invite(
            event=event, guests=[services.GuestDetails(**DIRECTOR)], invited_by=organiser
        )
    assert not Guest.objects.exists()


def test_the_same_person_is_not_invited_twice(organiser_client):
    event = EventFactory()
    invite(organiser_client, event, DIRECTOR)

    again = invite(organiser_client, event, {**DIRECTOR, "email": DIRECTOR["email"].upper()})

    assert again.status_code == 400
    assert b"Already invited to this session: amara.osei@council.example.org" in again.content
    assert Guest.objects.count() == 1


# The invitation ----------------------------------------------------------------------------------


def test_the_invitation_has_the_briefing_and_the_personal_link_and_goes_once(organiser):
    event = EventFactory(title="Leading on race equality")
    [guest] = services.guests_invite(
        event=event, guests=[services.GuestDetails(**DIRECTOR)], invited_by=organiser
    )
    # The same task queued twice, and then run again by hand: one email.
    services.guest_invitations_send.enqueue([guest.pk])
    tasks_run()
    assert services.guest_invitations_send.call([guest.pk]) == 0

    [message] = mail_sent()
    assert OutgoingEmail.objects.filter(key__startswith="guest-invitation:").count() == 1
    assert message.to == ["amara.osei@council.example.org"]
    assert message.subject.endswith("Invitation: Leading on race equality")
    [(filename, content, _)] = [a for a in message.attachments if a[2] == "application/pdf"]
    assert filename == "cop-briefing.pdf"
    assert content.startswith(b"%PDF")
    assert pdf_pages(content) == 1
    token = LINK.search(message.body).group(1)
    guest.refresh_from_db()
    # Only the hash is stored, and it is the hash of the link in the email.
    assert guest.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Guest.objects.filter(pk=guest.pk).values().get())


def test_sending_again_makes_a_new_link_and_the_old_one_stops(organiser):
    [guest] = services.guests_invite(
        event=EventFactory(), guests=[services.GuestDetails(**DIRECTOR)], invited_by=organiser
    )
    [first] = mail_sent()
    old = LINK.search(first.body).group(1)

    services.guest_invitation_resend(guest=guest)
    second = mail_sent()[-1]
    new = LINK.search(second.body).group(1)

    assert new != old
    browser = Client()
    assert browser.get(reverse("events:guest_link", args=[old])).status_code == 404
    assert browser.get(reverse("events:guest_link", args=[new])).status_code == 302


def test_a_withdrawn_guest_is_never_sent_the_invitation(organiser):
    [guest] = services.guests_invite(
        event=EventFactory(), guests=[services.GuestDetails(**DIRECTOR)], invited_by=organiser
    )
    services.guest_withdraw(guest=guest)

    assert mail_sent() == []


# Links that no longer work -----------------------------------------------------------------------


def _opened(token):
    return Client().get(reverse("events:guest_link", args=[token]))


def test_an_unknown_link_is_refused_with_a_clear_page():
    response = _opened("x" * 43)
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_a_withdrawn_invitation_is_refused():
    guest = GuestFactory(withdrawn_at=timezone.now())
    response = _opened(guest_link(guest))
    assert response.status_code == 410
    assert b"This invitation has been withdrawn" in response.content


def test_a_link_ends_a_month_after_the_session():
    ended = timezone.now() - timedelta(days=31)
    guest = GuestFactory(event=EventFactory(starts_at=ended - timedelta(hours=1)))
    response = _opened(guest_link(guest))
    assert response.status_code == 410
    assert b"This invitation has ended" in response.content


def test_a_link_still_works_within_the_month():
    ended = timezone.now() - timedelta(days=29)
    guest = GuestFactory(event=EventFactory(starts_at=ended - timedelta(hours=1)))
    assert _opened(guest_link(guest)).status_code == 302


def test_a_link_withdrawn_while_the_page_is_open_stops_at_once():
    guest = GuestFactory()
    browser = Client()
    browser.get(reverse("events:guest_link", args=[guest_link(guest)]))
    services.guest_withdraw(guest=guest)

    page = browser.get(reverse("events:guest_page"))
    reply = browser.post(reverse("events:guest_reply"), {"answer": "yes"})

    assert page.status_code == reply.status_code == 410
    guest.refresh_from_db()
    assert guest.registered_at is None


# Joining with one click --------------------------------------------------------------------------


def test_one_click_join_makes_exactly_one_member_and_links_the_guest(ground_rules):
    guest = GuestFactory(name="Cllr Sam Patel", email="sam.patel@council.example.org")
    browser = Client()
    browser.get(reverse("events:guest_link", args=[token := guest_link(guest)]))

    response = browser.post(reverse("events:guest_join"))
    browser.post(reverse("events:guest_join"))  # a second click makes nothing more

    assert response.status_code == 302
    assert response["Location"] == reverse("members:profile_edit")
    member = User.objects.get(email="sam.patel@council.example.org")
    assert member.name == "Cllr Sam Patel"
    assert not member.has_usable_password()
    assert list(EmailAddress.objects.filter(user=member).values_list("verified", "primary")) == [
        (True, True)
    ]
    guest.refresh_from_db()
    assert guest.member == member
    assert int(browser.session["_auth_user_id"]) == member.pk
    assert User.objects.filter(email__iexact=guest.email).count() == 1
    # The link has done its work: it now says so.
    used = _opened(token)
    assert used.status_code == 410
    assert b"You have joined the CoP" in used.content


def test_joining_with_an_email_that_has_an_account_signs_nobody_in(ground_rules):
    existing = UserFactory(email="sam.patel@council.example.org", agreed_to=ground_rules)
    guest = GuestFactory(email="Sam.Patel@Council.example.org")
    browser = Client()
    browser.get(reverse("events:guest_link", args=[guest_link(guest)]))
    users_before = User.objects.count()

    response = browser.post(reverse("events:guest_join"), follow=True)

    assert User.objects.count() == users_before
    assert "_auth_user_id" not in browser.session
    assert b"There is already an account with this email address" in response.content
    assert b"Join the CoP as a member</button>" not in response.content
    guest.refresh_from_db()
    assert guest.member is None
    assert existing.guest_invitations.count() == 0


def test_erasing_a_member_who_came_as_a_guest_leaves_no_trace_of_who_they_were(ground_rules):
    guest = GuestFactory(name="Cllr Sam Patel", attended=True, event=EventFactory(past=True))
    browser = Client()
    Guest.objects.filter(pk=guest.pk).update(
        event=EventFactory(), attended=False
    )  # a session still to come, so the link works
    browser.get(reverse("events:guest_link", args=[guest_link(guest)]))
    browser.post(reverse("events:guest_join"))
    member = User.objects.get(email=guest.email)

    member_erase(member=member)

    values = Guest.objects.filter(pk=guest.pk).values(
        "name", "email", "job_title", "organisation", "token_hash", "member"
    )
    assert list(values) == [
        {"name": "", "email": f"erased-guest-{guest.pk}@example.invalid", "job_title": "",
         "organisation": "", "token_hash": None, "member": None}
    ]  # fmt: skip


# Attendance from an imported register -----------------------------------------------------------


def test_an_imported_register_records_an_invited_guest_as_a_guest():
    day = timezone.localdate() - timedelta(days=2)
    event = event_on(day, title="Board walkabout")
    guest = GuestFactory(event=event, email="chief.exec@trust.example.org")
    text = (
        "Email,Name,Event title,Event date\n"
        f"Chief.Exec@trust.example.org,Chief Exec,Board walkabout,{day.isoformat()}\n"
    )
    users_before = User.objects.count()

    def plan():
        return import_selectors.plan_file(
            io.BytesIO(text.encode()), "register.csv", kind="attendance"
        )

    first = plan()
    created = import_apply(first)

    assert [row.reason for row in first.rows] == [import_selectors.GUEST_NOTE]
    assert first.new_members == []
    assert created["members"] == 0
    assert created["attendances"] == 1
    assert User.objects.count() == users_before
    guest.refresh_from_db()
    assert guest.attended is True
    # The same register again changes nothing.
    again = plan()
    assert [row.reason for row in again.rows] == [import_selectors.GUEST_RECORDED]
    assert not again.changes_anything


# The dashboard -----------------------------------------------------------------------------------


def _quarter_with(guests: int, seniors: int):
    event = EventFactory(past=True)
    for _ in range(guests):
        GuestFactory(event=event, attended=True)
    for _ in range(seniors):
        AttendanceFactory(event=event, member=UserFactory(seniority=Seniority.EXECUTIVE))
    return event


def test_senior_leader_attendance_hides_a_small_number_of_guests(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    _quarter_with(guests=2, seniors=8)

    [protected] = dashboard.senior_leader_attendance(dashboard.Period())
    [everything] = dashboard.senior_leader_attendance(dashboard.Period(), dashboard.EVERYTHING)

    # The 2 guests hidden, and the total with them: senior members who came are shown exactly
    # elsewhere on the dashboard (8 here), so 10 beside them would give the 2 away.
    assert (protected["guests"], protected["members"], protected["together"]) == (None, 8, None)
    assert dashboard.senior_leaders(dashboard.Period())["people"] == 8
    assert (everything["guests"], everything["members"], everything["together"]) == (2, 8, 10)


def test_two_periods_cutting_a_quarter_differently_give_the_same_guest_counts(settings):
    """The differencing attack: January to March beside January to February would give
    March's guests, however few, were each period's quarter cut at its dates."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    for day, guests in ((datetime.date(2025, 2, 6), 5), (datetime.date(2025, 3, 6), 2)):
        event = event_on(day, title=f"Session {day:%B}")
        for _ in range(guests):
            GuestFactory(event=event, attended=True)
    whole = dashboard.Period(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    cut = dashboard.Period(datetime.date(2025, 1, 1), datetime.date(2025, 2, 28))

    assert dashboard.senior_leader_attendance(cut) == dashboard.senior_leader_attendance(whole)
    assert dashboard.senior_leader_attendance(cut) == [
        {"quarter": "January to March 2025", "guests": 7, "members": 0, "together": 7}
    ]
    # Someone who may see everything gets the dates as asked.
    assert dashboard.senior_leader_attendance(cut, dashboard.EVERYTHING)[0]["guests"] == 5


def test_senior_leader_attendance_is_shown_at_the_threshold(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    _quarter_with(guests=5, seniors=0)

    [row] = dashboard.senior_leader_attendance(dashboard.Period())

    assert (row["guests"], row["members"], row["together"]) == (5, 0, 5)


def test_a_lone_guest_cannot_be_found_from_the_dashboard_and_its_csv(client, steering_member):
    _quarter_with(guests=1, seniors=0)
    client.force_login(steering_member)

    page = client.get(reverse("members:dashboard")).content.decode()
    csv = client.get(reverse("members:dashboard_csv"))
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()

    table = page[page.index('id="senior-attendance-table"') :]
    table = table[: table.index("</table>")]
    # The guest and the total hidden; senior members who came (none) are shown exactly, as
    # everywhere on the dashboard.
    assert re.findall(r"<td>([^<]*)</td>", table) == ["hidden", "0", "hidden"]
    block = text[text.index("Senior-leader attendance by quarter") :].splitlines()[2]
    assert block.split(",")[1:] == ["hidden", "0", "hidden"]


# The briefing ------------------------------------------------------------------------------------


def test_the_briefing_hides_small_numbers_and_is_one_page(settings, organiser_client):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    a_year_ago = timezone.now() - timedelta(days=200)
    for _ in range(2):
        ActionFactory(created_at=a_year_ago)
    figures = {f.label: f.value for f in briefing_figures().figures}
    assert figures["Actions members recorded"] is None  # 2, from 1 to 4: hidden
    assert figures["Actions completed"] == 0

    response = organiser_client.get(reverse("events:guest_briefing", args=[EventFactory().pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert pdf_pages(response.content) == 1


def test_the_guest_list_runs_as_many_queries_for_many_guests(
    organiser_client, same_queries_at_two_sizes
):
    """A session may have dozens of guests: the list must not query once per guest."""
    event = EventFactory()

    def grow(n):
        for i in range(n):
            GuestFactory(event=event, attended=i % 2 == 0, withdrawn_at=None)

    pages = same_queries_at_two_sizes(
        organiser_client,
        reverse("events:event_guests", args=[event.pk]),
        grow=grow,
        sizes=(2, 8),
    )
    assert pages.large.content.count(b'<th scope="row">') == 10


def test_guests_are_told_once_when_their_session_is_cancelled(organiser):
    event = EventFactory(title="Leading on race equality")
    coming = GuestFactory(event=event, registered_at=timezone.now())
    invited = GuestFactory(event=event)
    GuestFactory(event=event, declined_at=timezone.now())
    GuestFactory(event=event, withdrawn_at=timezone.now())

    organise.event_cancel(event=event)
    sent = mail_sent()
    assert services.guest_cancellation_email_send.call(event.pk) == 0  # already queued

    told = sorted(m.to[0] for m in sent if "Cancelled" in m.subject)
    assert told == sorted([coming.email, invited.email])
    assert _opened(guest_link(coming)).status_code == 410


def test_guests_are_forgotten_a_year_after_their_session_and_still_counted():
    long_ago = timezone.now() - timedelta(days=366)
    old = GuestFactory(
        event=EventFactory(starts_at=long_ago - timedelta(hours=1)),
        name="Old Guest",
        attended=True,
    )
    recent = GuestFactory(event=EventFactory(past=True), name="Recent Guest", attended=True)

    assert scheduled_run("guests-forget").status == ScheduleRun.Status.SUCCEEDED
    assert services.guests_forget() == 0  # nothing more the second time

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.email, old.organisation, old.token_hash) == (
        "",
        f"erased-guest-{old.pk}@example.invalid",
        "",
        None,
    )
    assert (old.attended, old.role) == (True, Guest.Role.DIRECTOR)
    assert recent.name == "Recent Guest"


def test_a_member_who_came_as_a_guest_finds_it_in_their_data(ground_rules):
    guest = GuestFactory(name="Cllr Sam Patel", registered_at=timezone.now())
    browser = Client()
    browser.get(reverse("events:guest_link", args=[guest_link(guest)]))
    browser.post(reverse("events:guest_join"))
    member = User.objects.get(email=guest.email)

    [row] = member_data_export(member=member)["guest_invitations"]

    assert (row["event"], row["name"], row["role"], row["came"]) == (
        guest.event.title,
        "Cllr Sam Patel",
        "Director",
        False,
    )


def test_once_the_session_has_started_the_guest_list_offers_who_came(organiser_client):
    event = EventFactory(started=True)
    GuestFactory(event=event, name="Came Person", attended=True)
    GuestFactory(event=event, name="Absent Person")

    page = organiser_client.get(reverse("events:event_guests", args=[event.pk])).content.decode()

    boxes = re.findall(r'<input[^>]*name="present"[^>]*>', page)
    assert [box.endswith("checked>") for box in boxes] == [True, False]
    assert "Came Person, Director, Borough Council" in page
    assert "Absent Person, Director, Borough Council" in page
