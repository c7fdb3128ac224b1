"""A month of an organiser's work, done in the browser from the Organise page and never in the
admin: give a member a role, repeat a session as a series, take a register, import a Teams and
a Zoom attendance file into the sessions already in the portal, email those booked on a
session, send a survey made from a template, review a case study and produce the termly
report."""

import datetime
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Attendance, Event, SessionMessage
from members.roles import STEERING_GROUP
from members.services.starter import starter_content_load
from resources.models import CaseStudy
from surveys.models import Invitation, Survey
from tests.e2e.conftest import sign_in
from tests.factories import (
    CaseStudyFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    permission_give,
    uk_time,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db(transaction=True)

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
PAST_TITLE = "Listening circle: belonging at work"
SERIES_TITLE = "Allyship in practice"
# The Teams file names its meeting "Racism and maternal health: what the data tell us": the
# portal's session has a shorter title, so the organiser must choose it.
TEAMS_TITLE = "Racism and maternal health"
ZOOM_TITLE = "Anti-racism in primary care"
CASE_STUDY_TITLE = "Fairer referrals in a community mental health team"
SUBJECT = "Your session next month: reading before we meet"


def _on_the_10th(after: datetime.date) -> datetime.date:
    """The first 10th of a month on or after `after`: always the second of its weekday in the
    month, so "Every month, on the second …" is always offered."""
    day = after
    while day.day != 10:
        day += datetime.timedelta(days=1)
    return day


def _field(label):
    """A field's label exactly, with or without the asterisk of a required field."""
    return re.compile(rf"^\s*{re.escape(label)}\*?\s*$")


def _organise(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organise")


def _programme_row(page, event):
    when = f"{timezone.localtime(event.starts_at):%a %-d %b %Y, %H:%M}"
    return page.get_by_role("row").filter(has_text=event.title).filter(has_text=when)


def _import(page, filename):
    _organise(page)
    page.get_by_role("link", name="Import members or attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import members or attendance")
    page.get_by_label("An attendance register").check()
    page.get_by_label(_field("File")).set_input_files(IMPORTS / filename)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")


def test_an_organiser_does_a_month_of_work_without_the_admin(page, organiser, ground_rules):
    # The world: the organiser may give roles; members; sessions past and to come.
    organiser = permission_give(organiser, "members.manage_roles")
    starter_content_load()
    priya = UserFactory(name="Priya Shah", email="priya.shah@example.org", agreed_to=ground_rules)
    jon = UserFactory(name="Jon Reed", email="jon.reed@example.org", agreed_to=ground_rules)
    ama = UserFactory(name="Ama Mensah", email="ama.mensah@example.org", agreed_to=ground_rules)
    now = timezone.now()
    past = EventFactory(
        title=PAST_TITLE,
        starts_at=now - datetime.timedelta(days=2),
        duration=datetime.timedelta(hours=1),
    )
    for member in (priya, jon, ama):
        RegistrationFactory(event=past, member=member)
    teams_session = EventFactory(
        title=TEAMS_TITLE,
        starts_at=uk_time(datetime.date(2024, 4, 18), 14),
        duration=datetime.timedelta(hours=1),
    )
    zoom_session = EventFactory(
        title=ZOOM_TITLE,
        starts_at=uk_time(datetime.date(2025, 10, 6), 14),
        duration=datetime.timedelta(hours=1),
    )
    upcoming_day = _on_the_10th(timezone.localdate() + datetime.timedelta(days=7))
    upcoming = EventFactory(title=SERIES_TITLE, starts_at=uk_time(upcoming_day, 10))
    RegistrationFactory(event=upcoming, member=priya)
    RegistrationFactory(event=upcoming, member=jon)
    case_study = CaseStudyFactory(title=CASE_STUDY_TITLE, status=CaseStudy.Status.SUBMITTED)

    requested = []
    page.on("request", lambda request: requested.append(urlparse(request.url).path))
    sign_in(page, organiser)
    page.goto("/")

    # 1. Give a member the steering group role.
    _organise(page)
    page.get_by_role("link", name="Members: find, filter and download").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_label("Name or email address").fill("Priya")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="1 person")).to_be_visible()
    page.get_by_role("link", name="Priya Shah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    steering = page.get_by_role("group", name="Give the steering group role")
    steering.get_by_label("Yes, I am sure").check()
    steering.get_by_role("button", name="Give the steering group role").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Priya Shah now has the steering group role. They have been sent an email about it"
    )
    assert list(priya.groups.values_list("name", flat=True)) == [STEERING_GROUP]

    # 2. Repeat the coming session every month, twice more.
    _organise(page)
    page.get_by_role("link", name="Programme and events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    _programme_row(page, upcoming).get_by_role("link", name=f"Repeat {SERIES_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Repeat “{SERIES_TITLE}”")
    page.get_by_label(f"Every month, on the second {upcoming_day:%A}").check()
    page.get_by_label("How many more sessions").fill("2")
    page.get_by_role("button", name="Add the series").click()
    expect(page.get_by_role("status")).to_contain_text("2 sessions added as drafts")
    upcoming.refresh_from_db()
    assert upcoming.series is not None
    series = Event.objects.filter(series=upcoming.series).order_by("starts_at")
    assert [e.title for e in series] == [SERIES_TITLE] * 3
    days = [timezone.localtime(e.starts_at) for e in series]
    assert [(d.weekday(), (d.day - 1) // 7, d.hour) for d in days] == [
        (upcoming_day.weekday(), 1, 10)
    ] * 3
    assert len({(d.year, d.month) for d in days}) == 3
    assert [e.status for e in series][1:] == [Event.Status.DRAFT] * 2

    # 3. Take the register of the past session: two of the three came.
    _organise(page)
    page.get_by_role("link", name="Programme and events").click()
    page.get_by_role("link", name=f"Attendance at {PAST_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Attendance at “{PAST_TITLE}”")
    page.get_by_label("Priya Shah").check()
    page.get_by_label("Jon Reed").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_have_text(
        "Attendance is saved: 2 members newly marked present, 0 members marked absent."
    )
    assert sorted(past.attendances.values_list("member__email", flat=True)) == [
        "jon.reed@example.org",
        "priya.shah@example.org",
    ]

    # 4. Import a Teams report and a Zoom report into the sessions already in the portal.
    sessions_before = set(Event.objects.values_list("pk", flat=True))
    _import(page, "teams_attendance_report.tsv")
    expect(page.get_by_text("Choose the session this file belongs to")).to_be_visible()
    # The file's own title is offered as a new session too: the organiser picks the existing one.
    expect(
        page.get_by_label("A new past session: “Racism and maternal health: what")
    ).to_be_visible()
    page.get_by_label(f"“{TEAMS_TITLE}”, 18 April 2024 at 14:00").check()
    page.get_by_role("button", name="Check again with these choices").click()
    expect(page.get_by_text("Attendance goes to")).to_contain_text(
        f"“{TEAMS_TITLE}”, 18 April 2024 at 14:00"
    )
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("status")).to_contain_text(
        "teams_attendance_report.tsv is imported: 3 added"
    )

    _import(page, "zoom_participants_24_hour.csv")
    expect(page.get_by_text("Every date in this file could be read day first")).to_be_visible()
    page.get_by_label("Day first").check()
    page.get_by_role("button", name="Check again with these choices").click()
    page.get_by_label(f"“{ZOOM_TITLE}”, 6 October 2025 at 14:00").check()
    page.get_by_role("button", name="Check again with these choices").click()
    expect(page.get_by_text("Attendance goes to")).to_contain_text(
        f"“{ZOOM_TITLE}”, 6 October 2025 at 14:00"
    )
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("status")).to_contain_text(
        "zoom_participants_24_hour.csv is imported: 2 added"
    )

    assert set(Event.objects.values_list("pk", flat=True)) == sessions_before
    assert sorted(teams_session.attendances.values_list("member__email", flat=True)) == [
        "grace.okafor@riverside.nhs.uk",
        "samir.haddad@northcare.org.uk",
        "t.nowak@example.org",
    ]
    assert sorted(zoom_session.attendances.values_list("member__email", flat=True)) == [
        "ade.bello@example.org",
        "grace.okafor@riverside.nhs.uk",
    ]
    assert Attendance.objects.exclude(event__in=[past, teams_session, zoom_session]).count() == 0

    # 5. Email those booked on the coming session.
    _organise(page)
    page.get_by_role("link", name="Programme and events").click()
    _programme_row(page, upcoming).get_by_role("link", name=f"Bookings for {SERIES_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bookings for “{SERIES_TITLE}”")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Message").fill("Please read the case study on the portal before we meet.")
    page.get_by_role("button", name="Check who it goes to").click()
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_role("status")).to_have_text("Your message is on its way to 2 members.")
    message = SessionMessage.objects.get()
    assert (message.event, message.subject, message.recipients) == (upcoming, SUBJECT, 2)
    sent = [m for m in mail_sent() if m.subject == f"[CoP Portal] {SUBJECT} ({SERIES_TITLE})"]
    assert sorted(address for m in sent for address in m.to) == [
        "jon.reed@example.org",
        "priya.shah@example.org",
    ]

    # 6. Send the survey after the past session, started from the starter template.
    _organise(page)
    page.get_by_role("link", name="Surveys and response rates").click()
    page.get_by_role("link", name="Start a survey from “After the session”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Start a survey from the template “After the session”"
    )
    page.get_by_label(_field("Session")).select_option(
        label=f"{PAST_TITLE} ({timezone.localtime(past.starts_at):%-d %b %Y})"
    )
    page.get_by_role("button", name="Make the draft").click()
    expect(page.get_by_role("status")).to_have_text(
        "“After the session” is made as a draft: check its questions and dates, then publish it."
    )
    page.get_by_role("button", name="Publish the survey").click()
    expect(page.get_by_role("status")).to_have_text(
        "“After the session” is published. Invite people when you are ready."
    )
    page.get_by_role("button", name="Invite people").click()
    expect(page.get_by_role("status")).to_have_text("2 people invited.")
    survey = Survey.objects.get(event=past, is_template=False)
    assert survey.status == Survey.Status.PUBLISHED
    assert sorted(
        Invitation.objects.filter(survey=survey).values_list("member__email", flat=True)
    ) == ["jon.reed@example.org", "priya.shah@example.org"]
    invited = {
        a
        for m in mail_sent()
        if m.subject.startswith("[CoP Portal] After the session (")
        for a in m.to
    }
    assert invited == {"jon.reed@example.org", "priya.shah@example.org"}

    # 7. Review a member's case study and publish it.
    _organise(page)
    hub = page.get_by_role("region", name="Resource hub")
    hub.get_by_role("link", name="Case studies to review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies to review")
    page.get_by_role("link", name=f"Review “{CASE_STUDY_TITLE}”").click()
    page.get_by_label("Publish", exact=True).check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("status")).to_have_text(f"“{CASE_STUDY_TITLE}” is published.")
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.PUBLISHED

    # 8. Produce the termly report from the dashboard.
    _organise(page)
    page.get_by_role("link", name="Engagement and impact dashboard").click()
    page.get_by_role("link", name="The termly report for these dates").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The Community of Practice, ")

    assert requested
    assert [path for path in requested if path.startswith("/admin/")] == []
    assert page.errors == []
