"""Attendance imports that ask rather than guess (issue 17, item 4): the organiser picks the
session a file belongs to, dates are read in the file's own order (asked when every date could
be either), Teams and Zoom reports of every kind are read, time in the session is kept with a
minimum, rows without an email are matched by name only when the organiser confirms, and a dry
run says "would".

The reports in tests/fixtures/imports/ follow the layouts Teams and Zoom download, with
invented people: teams_attendance_report.tsv (Teams now, UTF-16), teams_2021_meeting_summary.csv
and teams_2020_attendance_list.csv (UTF-16, tab-separated), zoom_participants.csv (with the
meeting's details), zoom_participants_24_hour.csv (the newer layout, 24-hour times),
zoom_unique_users.csv and zoom_webinar_attendee_report.csv."""

import codecs
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from events.models import Attendance, Event
from events.services import organise
from members import spreadsheets
from members.models import User
from members.selectors import imports as import_selectors
from members.selectors.imports import (
    CAUCUS_SESSION_REFUSED,
    NEW_SESSION,
    NOT_IN_CAUCUS,
    AttendanceChoices,
    NameMatch,
)
from members.services.imports import import_apply
from members.services.journey import after_session_emails_send
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    caucus_member,
    event_on,
    uk_time,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
TEAMS_NOW = FIXTURES / "teams_attendance_report.tsv"
TEAMS_2021 = FIXTURES / "teams_2021_meeting_summary.csv"
TEAMS_2020 = FIXTURES / "teams_2020_attendance_list.csv"
ZOOM = FIXTURES / "zoom_participants.csv"
ZOOM_24_HOUR = FIXTURES / "zoom_participants_24_hour.csv"
ZOOM_UNIQUE = FIXTURES / "zoom_unique_users.csv"
ZOOM_WEBINAR = FIXTURES / "zoom_webinar_attendee_report.csv"

TEAMS_TITLE = "Racism and maternal health: what the data tell us"
ZOOM_TITLE = "Anti-racism in community nursing: peer learning"
NO_MEMBER_NAMED = "no email address, and no member has this name"
CONFIRM_NAME = "no email address: confirm the member with this name above to import"


def _plan(path, *, may_see_caucus=True, **choices):
    return import_selectors.plan_file(
        path,
        Path(path).name,
        kind="attendance",
        choices=AttendanceChoices(**choices),
        may_see_caucus=may_see_caucus,
    )


def _rows(plan):
    return [(row.line, row.action, row.what, row.reason, row.minutes) for row in plan.rows]


def _run(*args):
    out = io.StringIO()
    call_command("import_attendance", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def _attended(event):
    return sorted(event.attendances.values_list("member__name", flat=True))


# Choosing the session --------------------------------------------------------------------------


def test_a_teams_meeting_named_differently_is_suggested_never_duplicated():
    """The meeting's title differs from the portal's: the file does not go anywhere until the
    organiser picks the session, and the existing one on that day is suggested first."""
    existing = event_on(
        datetime.date(2024, 4, 18), title="Racism & maternal health: what the data tells us"
    )
    nearby = event_on(datetime.date(2024, 4, 20), title="Allyship in practice")
    event_on(datetime.date(2024, 5, 30), title=TEAMS_TITLE)  # too far from the file's date

    plan = _plan(TEAMS_NOW)

    assert plan.needs_session
    assert not plan.ready
    assert plan.file_title == TEAMS_TITLE
    assert plan.file_date == datetime.date(2024, 4, 18)
    assert [(o.value, o.label) for o in plan.session_options] == [
        (str(existing.pk),
         "“Racism & maternal health: what the data tells us”, 18 April 2024 at 12:00"),
        (str(nearby.pk), "“Allyship in practice”, 20 April 2024 at 12:00"),
        (NEW_SESSION, f"A new past session: “{TEAMS_TITLE}” on 18 April 2024 (12:00 to 13:00)"),
    ]  # fmt: skip
    assert plan.new_events == []
    assert plan.new_attendances == []
    with pytest.raises(CommandError) as error:
        _run(TEAMS_NOW)
    assert str(error.value) == (
        "Choose the session this file belongs to:\n"
        f"  --session {existing.pk}: “Racism & maternal health: what the data tells us”, "
        "18 April 2024 at 12:00\n"
        f"  --session {nearby.pk}: “Allyship in practice”, 20 April 2024 at 12:00\n"
        f"  --new-session: add “{TEAMS_TITLE}” on 18 April 2024"
    )
    assert Event.objects.count() == 3

    output = _run(TEAMS_NOW, "--session", existing.pk)

    assert output == [
        "Read as a Microsoft Teams attendance report.",
        "Session: “Racism & maternal health: what the data tells us”, 18 April 2024 at 12:00.",
        "line 11: added – Grace Okafor <grace.okafor@riverside.nhs.uk> (new member)",
        "line 12: added – Samir Haddad <samir.haddad@northcare.org.uk> (new member)",
        f"line 13: not imported – {NO_MEMBER_NAMED}",
        "line 14: added – Tomasz Nowak <t.nowak@example.org> (new member)",
        "3 added, 0 matched, 1 not imported",
        "Saved: 3 members and 3 attendances created.",
    ]
    assert Event.objects.count() == 3  # no new session
    assert _attended(existing) == ["Grace Okafor", "Samir Haddad", "Tomasz Nowak"]


def test_the_session_with_the_files_own_title_on_its_date_is_proposed():
    session = event_on(
        datetime.date(2024, 4, 18), title="racism and MATERNAL  health: what the data tell us"
    )

    plan = _plan(TEAMS_NOW)

    assert plan.ready
    assert plan.session == session
    assert [o.value for o in plan.session_options] == [str(session.pk)]  # no "new" beside it
    assert [(row.line, row.minutes) for row in plan.rows] == [
        (11, 64), (12, 61), (13, 45), (14, 55)
    ]  # fmt: skip


def test_a_new_session_is_made_only_when_chosen_and_only_once():
    with pytest.raises(CommandError) as error:
        _run(ZOOM)
    assert str(error.value) == (
        "Choose the session this file belongs to:\n"
        f"  --new-session: add “{ZOOM_TITLE}” on 25 April 2024"
    )
    assert not Event.objects.exists()

    output = _run(ZOOM, "--new-session")

    assert output == [
        "Read as a Zoom participants report.",
        f"New past session: “{ZOOM_TITLE}” on 25 April 2024, 12:00 to 13:00.",
        "line 5: added – Grace Okafor <grace.okafor@riverside.nhs.uk> (new member)",
        "line 6: matched – Grace Okafor <grace.okafor@riverside.nhs.uk> (also on line 5)",
        "line 7: added – Ade Bello <ade.bello@example.org> (new member)",
        f"line 8: not imported – {NO_MEMBER_NAMED}",
        "2 added, 1 matched, 1 not imported",
        "Saved: 2 members, 1 event and 2 attendances created.",
    ]
    event = Event.objects.get()
    assert (event.title, event.starts_at) == (ZOOM_TITLE, uk_time(datetime.date(2024, 4, 25)))

    again = _run(ZOOM, "--new-session")

    assert again[1] == f"Session: “{ZOOM_TITLE}”, 25 April 2024 at 12:00."
    assert again[-2:] == ["0 added, 3 matched, 1 not imported", "Saved: nothing new created."]
    assert Event.objects.count() == 1


def test_an_attendance_dry_run_says_would_and_saves_nothing():
    existing = event_on(datetime.date(2024, 4, 18), title="CoP webinar")
    UserFactory(email="samir.haddad@northcare.org.uk", name="Samir Haddad")
    AttendanceFactory(event=existing, member__email="t.nowak@example.org")
    counts = (Event.objects.count(), Attendance.objects.count())

    output = _run(TEAMS_NOW, "--session", existing.pk, "--dry-run")

    assert output == [
        "Read as a Microsoft Teams attendance report.",
        "Session: “CoP webinar”, 18 April 2024 at 12:00.",
        "line 11: would add – Grace Okafor <grace.okafor@riverside.nhs.uk> (new member)",
        "line 12: would add – Samir Haddad <samir.haddad@northcare.org.uk>",
        f"line 13: not imported – {NO_MEMBER_NAMED}",
        "line 14: already there – Tomasz Nowak <t.nowak@example.org> (already recorded)",
        "2 would add, 1 already there, 1 not imported",
        "Dry run: nothing was saved.",
    ]
    assert (Event.objects.count(), Attendance.objects.count()) == counts


def test_a_table_naming_sessions_on_each_row_never_makes_one():
    existing = event_on(datetime.date(2024, 4, 18), title="Racism and Maternal Health")
    UserFactory(email="ada@example.org", name="Ada Lovelace")
    register = io.BytesIO(
        b"Email,Name,Event title,Event date\n"
        b"ada@example.org,Ada Lovelace,racism and maternal health,18/04/2024\n"
        b"ada@example.org,Ada Lovelace,Allyship in practice,2024-04-18\n"
        b"ada@example.org,Ada Lovelace,Later session,2099-01-01\n"
    )

    plan = import_selectors.plan_file(register, "register.csv", kind="attendance")
    import_apply(plan)

    assert plan.ready
    assert not plan.one_meeting
    assert _rows(plan) == [
        (2, "create", "Ada Lovelace <ada@example.org>", "", None),
        (3, "reject", "Ada Lovelace <ada@example.org>",
         "no session “Allyship in practice” on 18 April 2024 in the portal: add it first", None),
        (4, "reject", "Ada Lovelace <ada@example.org>", "the event date is in the future", None),
    ]  # fmt: skip
    assert Event.objects.count() == 1
    assert _attended(existing) == ["Ada Lovelace"]


# Dates -----------------------------------------------------------------------------------------


def test_a_file_whose_dates_read_both_ways_asks_which_and_ranks_sessions_by_the_answer():
    """06/10/2025 14:00:05 is 6 October or 10 June: the file never says, so the organiser does."""
    june = event_on(datetime.date(2025, 6, 10), title="Peer learning: June")
    october = event_on(datetime.date(2025, 10, 6), title="Peer learning: October")
    UserFactory(email="grace.okafor@riverside.nhs.uk", name="Grace Okafor")

    asked = _plan(ZOOM_24_HOUR)

    assert (asked.date_order_asked, asked.date_order, asked.file_date) == (True, None, None)
    assert not asked.ready
    assert asked.new_attendances == []
    with pytest.raises(CommandError, match="give --date-order day or --date-order month"):
        _run(ZOOM_24_HOUR)
    assert _plan(ZOOM_24_HOUR, date_order="day").session_options[0].value == str(october.pk)

    plan = _plan(ZOOM_24_HOUR, date_order="month", session=str(june.pk))
    import_apply(plan)

    assert plan.file_date == datetime.date(2025, 6, 10)
    assert [o.value for o in plan.session_options] == [str(june.pk)]  # October is months away
    assert plan.ready
    assert plan.session == june
    assert _rows(plan) == [
        (2, "create", "Grace Okafor <grace.okafor@riverside.nhs.uk>", "", 63),
        (3, "create", "Ade Bello <ade.bello@example.org>", "new member", 59),  # 14:01 to 15:00
        (4, "match", "Ade Bello <ade.bello@example.org>", "also on line 3", 59),
        (5, "reject", "iPhone", NO_MEMBER_NAMED, 2),
    ]
    assert _attended(june) == ["Ade Bello", "Grace Okafor"]
    assert october.attendances.count() == 0
    assert Event.objects.count() == 2


def test_one_unambiguous_date_decides_the_whole_file():
    text = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Ada,ada@example.org,06/10/2025 14:00:00,06/10/2025 15:00:00,60,No\n"
        "Bo,bo@example.org,06/10/2025 14:00:00,06/10/2025 14:30:00,30,No\n"
        "Cy,cy@example.org,06/13/2025 14:00:00,06/13/2025 14:30:00,30,No\n"
    )
    register = spreadsheets.read_register(io.BytesIO(text.encode()), "z.csv")

    assert spreadsheets.date_order_in(register.stamps) == spreadsheets.MONTH_FIRST
    plan = import_selectors.plan_attendance(register)
    assert (plan.date_order_asked, plan.file_date) == (False, datetime.date(2025, 6, 10))


def test_a_file_writing_dates_both_ways_is_refused():
    with pytest.raises(spreadsheets.ImportFileError, match="both day first and month first"):
        spreadsheets.date_order_in(["13/06/2025 14:00", "06/13/2025 15:00"])


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("06/10/2025 14:00:05", "day", datetime.datetime(2025, 10, 6, 14, 0, 5)),
        ("06/10/2025 14:00:05", "month", datetime.datetime(2025, 6, 10, 14, 0, 5)),
        ("4/18/24, 1:58:07 PM", None, datetime.datetime(2024, 4, 18, 13, 58, 7)),
        ("18/04/2024, 13:58", None, datetime.datetime(2024, 4, 18, 13, 58)),
        ("04/25/2024 12:05:00 AM", None, datetime.datetime(2024, 4, 25, 0, 5)),
        ("2025-06-10T13:00:00Z", None, datetime.datetime(2025, 6, 10, 14, 0)),  # BST
        ("Jun 10, 2025 02:00 PM", None, datetime.datetime(2025, 6, 10, 14, 0)),
        ("06/06/2025 09:00", None, datetime.datetime(2025, 6, 6, 9, 0)),  # the same either way
    ],
)
def test_stamps_are_read_in_the_files_order(value, order, expected):
    assert spreadsheets.read_stamp(value, order) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("06/10/2025 14:00:05", "“06/10/2025 14:00:05” could be day first or month first"),
        ("9999-12-31T23:59:59-05:00",
         "“9999-12-31T23:59:59-05:00” is not a date this import can read (the year 9999)"),
        ("Jun 10, 0001 02:00 PM",
         "“Jun 10, 0001 02:00 PM” is not a date this import can read (the year 1)"),
        ("2025-06-10T13:00:00+99:00", "“2025-06-10T13:00:00+99:00” is not a date (offset must be"),
        ("13/13/2025 10:00", "“13/13/2025 10:00” is not a date (month must be in 1..12)"),
        ("06/10/2025 13:00 PM", "“06/10/2025 13:00 PM” is not a time"),
        ("--", "“--” is not a date this import can read"),
    ],
)  # fmt: skip
def test_a_stamp_is_never_guessed_and_an_unreadable_one_says_why(value, message):
    with pytest.raises(ValueError, match=r"^“") as error:
        spreadsheets.read_stamp(value, None if value.startswith("06/10/2025 14") else "day")

    assert str(error.value).startswith(message)


# Formats ---------------------------------------------------------------------------------------


def test_a_2021_teams_meeting_summary_is_read_with_overlapping_stays_merged():
    session = event_on(datetime.date(2021, 6, 10), title="Allyship in practice")
    UserFactory(email="samir.haddad@northcare.org.uk", name="Samir Haddad")
    zoe = UserFactory(name="Zoe O'Neil", organisation=OrganisationFactory(name="North Care"))

    plan = _plan(TEAMS_2021, date_order="month")

    assert plan.source == "Microsoft Teams meeting summary (2021)"
    assert (plan.session, plan.file_date) == (session, datetime.date(2021, 6, 10))
    assert _rows(plan) == [
        (9, "create", "Grace Okafor <grace.okafor@riverside.nhs.uk>", "new member", 65),
        (10, "create", "Samir Haddad <samir.haddad@northcare.org.uk>", "", 47),  # 14:03 to 14:50
        (11, "match", "Samir Haddad <samir.haddad@northcare.org.uk>", "also on line 10", 47),
        (12, "reject", "Zoë O'Neil", CONFIRM_NAME, 54),
        (13, "skip", "Bea Quick <bea.quick@example.org>", "not counted: under 10 minutes", 6),
    ]
    assert plan.name_matches == {12: [NameMatch(member_id=zoe.pk, label="Zoe O'Neil, North Care")]}


def test_a_row_without_an_email_is_recorded_only_for_the_member_the_organiser_confirms():
    session = event_on(datetime.date(2021, 6, 10), title="Allyship in practice")
    zoe = UserFactory(name="Zoe O'Neil")
    other = UserFactory(name="Someone Else")
    users_before = User.objects.count()

    crafted = _plan(TEAMS_2021, date_order="month", name_matches={12: other.pk})
    assert _rows(crafted)[3] == (12, "reject", "Zoë O'Neil", CONFIRM_NAME, 54)

    plan = _plan(TEAMS_2021, date_order="month", name_matches={12: zoe.pk}, minimum_minutes=0)
    import_apply(plan)

    assert _rows(plan)[3] == (12, "create", "Zoë O'Neil", "matched by name", 54)
    assert _rows(plan)[4] == (13, "create", "Bea Quick <bea.quick@example.org>", "new member", 6)
    assert _attended(session) == ["Bea Quick", "Grace Okafor", "Samir Haddad", "Zoe O'Neil"]
    assert not session.attendances.filter(member=other).exists()
    # Grace, Samir and Bea had emails; nobody without one was made a member.
    assert User.objects.count() == users_before + 3
    assert Event.objects.count() == 1


def test_the_2020_teams_list_has_no_emails_so_every_row_needs_a_confirmed_name():
    session = event_on(datetime.date(2020, 11, 18), title="Community conversations")
    grace = UserFactory(name="Grace Okafor")
    kwame = UserFactory(name="KWAME  Mensah")
    rosa = UserFactory(name="Rosa Delgado")
    users_before = User.objects.count()

    plan = _plan(TEAMS_2020, session=str(session.pk))

    assert plan.source == "Microsoft Teams attendance list (2020)"
    assert (plan.date_order, plan.date_order_asked) == ("day", False)  # 18/11 says day first
    assert _rows(plan) == [
        (2, "reject", "Grace Okafor", CONFIRM_NAME, 61),
        (3, "reject", "Kwame Mensah", CONFIRM_NAME, 53),  # 14:02–14:40 and 14:45–15:00
        (5, "match", "Kwame Mensah", "also on line 3", 53),
        (7, "reject", "Rosa Delgado", CONFIRM_NAME, 5),
        (10, "reject", "Unknown Visitor", NO_MEMBER_NAMED, 39),
    ]

    plan = _plan(
        TEAMS_2020, session=str(session.pk), name_matches={2: grace.pk, 3: kwame.pk, 7: rosa.pk}
    )
    import_apply(plan)

    assert [(row.line, row.action, row.reason) for row in plan.rows] == [
        (2, "create", "matched by name"),
        (3, "create", "matched by name"),
        (5, "match", "also on line 3"),
        (7, "skip", "not counted: under 10 minutes"),
        (10, "reject", NO_MEMBER_NAMED),
    ]
    assert _attended(session) == ["Grace Okafor", "KWAME  Mensah"]
    assert (Event.objects.count(), User.objects.count()) == (1, users_before)


def test_zoom_unique_users_are_read_with_their_total_time_and_the_minimum_is_configurable():
    session = event_on(datetime.date(2024, 4, 25), title=ZOOM_TITLE)

    plan = _plan(ZOOM_UNIQUE)

    assert plan.source == "Zoom participants report (unique users)"
    assert plan.session == session
    assert [(row.line, row.action, row.minutes) for row in plan.rows] == [
        (5, "create", 59), (6, "create", 59), (7, "skip", 4)
    ]  # fmt: skip
    assert plan.rows[2].reason == "not counted: under 10 minutes"

    output = _run(ZOOM_UNIQUE, "--minimum-minutes", 0)

    assert output[-2:] == [
        "3 added, 0 matched, 0 not imported",
        "Saved: 3 members and 3 attendances created.",
    ]
    assert _attended(session) == ["Ade Bello", "Grace Okafor", "Lee Brief"]


def test_a_zoom_webinar_attendee_report_counts_hosts_panelists_and_attendees_who_came():
    session = event_on(datetime.date(2025, 6, 10), title="Race equality in commissioning")

    plan = _plan(ZOOM_WEBINAR)
    import_apply(plan)

    assert (plan.source, plan.session, plan.date_order_asked) == (
        "Zoom webinar attendee report", session, False
    )  # fmt: skip
    assert _rows(plan) == [
        (7, "create", "Priya Shah <priya.shah@northcare.org.uk>", "new member", 67),
        (10, "create", "Samir Haddad <samir.haddad@northcare.org.uk>", "new member", 63),
        (13, "create", "Ade Bello <ade.bello@example.org>", "new member", 53),
        (14, "match", "Ade Bello <ade.bello@example.org>", "also on line 13", 53),
    ]  # the registrant who did not come is not there
    assert _attended(session) == ["Ade Bello", "Priya Shah", "Samir Haddad"]


def test_reports_are_recognised_by_their_tables_without_their_preambles():
    teams_2021 = (
        "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
        "Ada Lovelace\t25/04/2024, 14:00:00\t25/04/2024, 14:30:00\t30m\tada@example.org\tAttendee\n"
    )
    webinar = (
        "Host Details,\n"
        "User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
        'Priya Shah,priya@example.org,"Jun 10, 2025 01:55 PM","Jun 10, 2025 03:02 PM",67\n'
        "Attendee Details,\n"
        "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
        "No,Nia Absent,nia@example.org,--,--,--\n"
        'Yes,Ade Bello,ade@example.org,"Jun 10, 2025 02:02 PM","Jun 10, 2025 02:40 PM",38\n'
    )

    teams = spreadsheets.read_register(io.BytesIO(teams_2021.encode("utf-16")), "t.csv")
    zoom = spreadsheets.read_register(io.BytesIO(webinar.encode()), "w.csv")

    assert (teams.source, teams.title, teams.start) == (
        "Microsoft Teams meeting summary (2021)", None, ""
    )  # fmt: skip
    assert [(a.line, a.name, a.email, a.minutes) for a in teams.attendees] == [
        (2, "Ada Lovelace", "ada@example.org", 30.0)
    ]
    assert zoom.source == "Zoom webinar attendee report"
    assert [(a.line, a.name, a.joined) for a in zoom.attendees] == [
        (3, "Priya Shah", "Jun 10, 2025 01:55 PM"),
        (7, "Ade Bello", "Jun 10, 2025 02:02 PM"),
    ]


def _teams_grid():
    text = TEAMS_NOW.read_bytes().decode("utf-16")
    return [line.split("\t") for line in text.splitlines()]


def _as_xlsx(tmp_path):
    workbook = Workbook()
    for cells in _teams_grid():
        workbook.active.append(cells)
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("form", ["utf-16-be", "utf-8-sig", "xlsx"])
def test_a_teams_report_reads_alike_as_utf16_be_utf8_and_xlsx(tmp_path, form):
    session = event_on(datetime.date(2024, 4, 18), title=TEAMS_TITLE)
    if form == "xlsx":
        path = _as_xlsx(tmp_path)
    else:
        text = "\r\n".join("\t".join(cells) for cells in _teams_grid())
        bom = codecs.BOM_UTF16_BE if form == "utf-16-be" else b""
        path = tmp_path / "report.csv"
        path.write_bytes(bom + text.encode(form))

    plan = _plan(path)

    assert plan.session == session
    assert _rows(plan) == _rows(_plan(TEAMS_NOW))
    assert [row.minutes for row in plan.rows] == [64, 61, 45, 55]


# Files that cannot be imported -----------------------------------------------------------------


def _truncated_xlsx(tmp_path):
    data = _as_xlsx(tmp_path).read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "upload.csv lists nobody who was at a session. Attendance imports read:"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "upload.csv is not a file this import can read"),
        ("truncated", "upload.csv is not a file this import can read"),
        (b"Colour,Size\nred,large\n",
         "This is not an attendance file this import can read. Attendance imports read: a "
         "Microsoft Teams attendance report (in Teams, open the meeting in the calendar or its "
         "chat, choose Attendance, then Download"),
        (b"Email,Name\n" + b"a@example.org,A\n" * 50_001,
         "upload.csv is too large to import: it has more than 50,000 rows"),
    ],
)  # fmt: skip
def test_files_that_cannot_be_read_say_what_is_read_and_where_to_get_it(tmp_path, content, message):
    if content == "truncated":
        content = _truncated_xlsx(tmp_path)

    with pytest.raises(spreadsheets.ImportFileError) as error:
        import_selectors.plan_file(io.BytesIO(content), "upload.csv", kind="attendance")

    assert str(error.value).startswith(message)
    assert not Event.objects.exists()


def test_a_zip_that_is_no_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")

    with pytest.raises(spreadsheets.ImportFileError, match="is not a file this import can read"):
        import_selectors.plan_file(io.BytesIO(buffer.getvalue()), "a.xlsx", kind="attendance")


# Caucus sessions -------------------------------------------------------------------------------


@pytest.fixture
def caucus_session():
    return event_on(
        datetime.date(2024, 4, 18),
        title=TEAMS_TITLE,
        caucus=CaucusFactory(name="Zephyr", slug="zephyr"),
    )


def test_a_caucus_session_is_neither_offered_nor_taken_without_the_permission(caucus_session):
    plan = _plan(TEAMS_NOW, may_see_caucus=False)

    assert plan.session is None
    assert plan.needs_session
    assert str(caucus_session.pk) not in [o.value for o in plan.session_options]

    crafted = _plan(TEAMS_NOW, may_see_caucus=False, session=str(caucus_session.pk))

    assert crafted.session is None
    assert crafted.needs_session
    assert crafted.new_attendances == []


def test_with_the_permission_only_the_caucus_members_are_recorded(caucus_session):
    inside = caucus_member(caucus_session.caucus, email="grace.okafor@riverside.nhs.uk")
    UserFactory(email="samir.haddad@northcare.org.uk")

    plan = _plan(TEAMS_NOW, session=str(caucus_session.pk))
    import_apply(plan)

    assert [(row.line, row.action, row.reason) for row in plan.rows] == [
        (11, "create", ""),
        (12, "reject", NOT_IN_CAUCUS),
        (13, "reject", NO_MEMBER_NAMED),
        (14, "reject", NOT_IN_CAUCUS),  # not a member at all: never made one here
    ]
    assert list(caucus_session.attendances.values_list("member", flat=True)) == [inside.pk]
    assert not User.objects.filter(email="t.nowak@example.org").exists()


def test_a_table_row_naming_a_caucus_session_is_refused_alike_without_the_permission(
    caucus_session,
):
    inside = caucus_member(caucus_session.caucus)
    text = f"Email,Name,Event title,Event date\n{inside.email},A,{TEAMS_TITLE},2024-04-18\n"

    plan = import_selectors.plan_file(
        io.BytesIO(text.encode()), "r.csv", kind="attendance", may_see_caucus=False
    )

    assert [row.reason for row in plan.rows] == [CAUCUS_SESSION_REFUSED]


# What depends on attendance --------------------------------------------------------------------


def test_imported_attendance_brings_the_after_session_email_and_not_counting_brings_none(
    organiser,
):
    session = EventFactory(past=True, title="Naming racism", slug="naming-racism")
    came, brief = UserFactory(email="came@example.org"), UserFactory(email="brief@example.org")
    day = timezone.localtime(session.starts_at).date().isoformat()
    text = (
        "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest\n"
        f"Came,came@example.org,{day} 12:00:00,{day} 12:50:00,50,No\n"
        f"Brief,brief@example.org,{day} 12:00:00,{day} 12:04:00,4,No\n"
    )
    plan = import_selectors.plan_file(
        io.BytesIO(text.encode()),
        "z.csv",
        kind="attendance",
        choices=AttendanceChoices(session=str(session.pk)),
    )
    import_apply(plan)
    organise.event_summary_publish(
        event=session, user=organiser, outcome_summary="We named it.", key_takeaways="- Name it",
        recording_url="", slides_url="",
    )  # fmt: skip
    mail_sent().clear()

    after_session_emails_send()

    assert [message.to for message in mail_sent()] == [[came.email]]
    assert not session.attendances.filter(member=brief).exists()
