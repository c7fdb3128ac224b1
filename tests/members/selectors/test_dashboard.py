"""The dashboard's figures as its selectors count them, and `manage.py engagement_report`, which
prints the same figures."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.selectors import dashboard
from members.selectors.dashboard import Period
from tests.factories import (
    LONDON,
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    CheckInFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    event_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Five members from two organisations (one not stated), three past events attended by
    three, two and one of them, and a future event nobody can have attended yet."""
    trust = OrganisationFactory(name="Riverside NHS Trust")
    council = OrganisationFactory(name="Borough Council", sector="local_authority")
    joined = datetime.datetime(2024, 9, 1, tzinfo=LONDON)
    ada = UserFactory(name="Ada", organisation=trust, seniority="executive", date_joined=joined)
    ben = UserFactory(name="Ben", organisation=trust, date_joined=joined)
    cat = UserFactory(
        name="Cat", organisation=council, sector="local_authority", date_joined=joined
    )
    dan = UserFactory(name="Dan", organisation=None, sector="", date_joined=joined)
    eve = UserFactory(name="Eve", organisation=trust, date_joined=joined)
    UserFactory(name="Gone", is_active=False, date_joined=joined)
    first = event_on(datetime.date(2025, 3, 6), title="Webinar one")
    second = event_on(datetime.date(2025, 4, 17), title="Session two")
    third = event_on(datetime.date(2025, 5, 22), title="Webinar three")
    EventFactory(title="Still to come")
    for member in (ada, ben, cat):
        AttendanceFactory(event=first, member=member)
    for member in (ada, ben):
        AttendanceFactory(event=second, member=member)
    AttendanceFactory(event=third, member=dan)
    return {"members": (ada, ben, cat, dan, eve), "events": (first, second, third)}


def test_engagement_figures_counted_by_hand(world):
    figures = dashboard.engagement()
    assert figures["members"] == 5
    assert figures["organisations"] == [
        {"name": "Riverside NHS Trust", "members": 3},
        {"name": "Borough Council", "members": 1},
        {"name": None, "members": 1},
    ]
    assert figures["events"] == [
        {"date": "2025-03-06", "title": "Webinar one", "attendance": 3},
        {"date": "2025-04-17", "title": "Session two", "attendance": 2},
        {"date": "2025-05-22", "title": "Webinar three", "attendance": 1},
    ]
    assert figures["attendances"] == 6
    # Ada and Ben came twice, Cat and Dan once, Eve never.
    assert figures["attendance_frequency"] == {"0": 1, "1": 2, "2": 2}
    assert figures["attended_once_share"] == 0.5
    assert figures["returning_members"] == [
        {"date": "2025-04-17", "title": "Session two", "returning": 2},
        {"date": "2025-05-22", "title": "Webinar three", "returning": 0},
    ]
    assert figures["senior_leaders"] == {"members": 1, "attendances": 2, "people": 1}


def test_a_period_narrows_events_and_attendance(world):
    figures = dashboard.engagement(Period(datetime.date(2025, 4, 1), datetime.date(2025, 4, 30)))
    assert figures["events"] == [{"date": "2025-04-17", "title": "Session two", "attendance": 2}]
    assert figures["attendances"] == 2
    assert figures["attendance_frequency"]["1"] == 2
    assert figures["attendance_frequency"]["0"] == 3
    assert figures["attended_once_share"] == 1.0


def test_engagement_report_prints_the_same_figures_as_json(world):
    out = StringIO()
    call_command("engagement_report", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed.pop("period") == {"from": None, "to": None}
    assert printed == json.loads(json.dumps(dashboard.engagement()))
    assert set(printed) >= {
        "members", "organisations", "events", "attendances", "attendance_frequency",
        "attended_once_share",
    }  # fmt: skip
    assert isinstance(printed["attended_once_share"], float)


def test_engagement_report_prints_readable_tables(world):
    out = StringIO()
    call_command("engagement_report", stdout=out)
    text = out.getvalue()
    assert text.startswith("Members: 5\nAttendances: 6\nCame only once (of those who came): 50%\n")
    assert "Not stated" in text
    assert "2025-03-06  Webinar one" in text


def test_engagement_report_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("engagement_report", "--from", "18/04/2024", stdout=StringIO())


def test_actions_are_counted_by_level_without_their_text(world):
    ada, ben, *_ = world["members"]
    ActionFactory(member=ada, what="Private", level="team", status="done",
                          value_cycle="applied")  # fmt: skip
    ActionFactory(member=ben, what="Private", level="team")
    ActionFactory(member=ben, what="Private", level="system", status="dropped")
    rows = {
        row["level"]: (row["recorded"], row["done"]) for row in dashboard.actions_by_level(Period())
    }
    assert rows == {"My own practice": (0, 0), "My team": (2, 1), "My organisation": (0, 0),
                    "The wider system": (1, 0)}  # fmt: skip
    cycles = {row["cycle"]: row["actions_done"] for row in dashboard.value_cycles(Period())}
    assert cycles["applied"] == 1
    assert sum(cycles.values()) == 1


def test_check_in_stages_hide_small_counts(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 3
    now = timezone.now()

    def moved(n, first, latest):
        for _ in range(n):
            member = UserFactory()
            CheckInFactory(member=member, stage=first, created_at=now - datetime.timedelta(days=90))
            CheckInFactory(
                member=member, stage=latest, created_at=now - datetime.timedelta(days=40)
            )

    moved(6, 1, 3)
    moved(5, 4, 5)
    moved(4, 3, 4)
    moved(1, 2, 4)
    # One check-in: a row of its own.
    CheckInFactory(member=UserFactory(), stage=5, created_at=now - datetime.timedelta(days=40))

    table = dashboard.check_in_stages(Period())
    # Two small counts: understanding → acting, and the one check-in at advocating.
    assert 1 not in table.cells.values()
    assert table.cells[("Noticing", "Looking inward")] == 6
    assert table.suppressed is True
    assert any(note.startswith("Counts from 1 to 2 are hidden") for note in table.notes)
    full = dashboard.check_in_stages(Period(), dashboard.Viewer(see_everything=True))
    assert full.cells[("Understanding", "Acting")] == 1
    assert full.cells[("Noticing", "Looking inward")] == 6
    assert full.cells[("Only one check-in", "Advocating and leading")] == 1
    assert full.column_totals["Advocating and leading"] == 6
    assert full.total == 17


def test_protected_check_in_figures_wait_for_the_month_to_end(settings):
    """The live-differencing attack: reload the table, one member checks in, reload again. For
    protected viewers this month's check-ins do not count yet, so nothing moves."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 3
    earlier = timezone.now() - datetime.timedelta(days=40)
    for _ in range(6):
        CheckInFactory(stage=2, created_at=earlier)
    before = dashboard.check_in_stages(Period())

    CheckInFactory(stage=5)  # just now

    after = dashboard.check_in_stages(Period())
    assert (after.cells, after.row_totals, after.column_totals, after.total) == (
        before.cells, before.row_totals, before.column_totals, before.total,
    )  # fmt: skip
    assert dashboard.CURRENT_MONTH_NOTE in after.notes
    everything = dashboard.check_in_stages(Period(), dashboard.Viewer(see_everything=True))
    assert everything.total == 7


def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    # Retention walks each member's first two sessions in Python, from two queries, and the
    # once-only share over time from one; senior-leader attendance by quarter takes two
    # (guests, and senior members).
    with django_assert_max_num_queries(19):
        dashboard.engagement()


# Retention -------------------------------------------------------------------------------------


def test_cohorts_by_joining_month_count_who_came_back_within_three_and_six_months(world):
    late = event_on(datetime.date(2025, 11, 20), title="Autumn session")
    cat = world["members"][2]
    AttendanceFactory(event=late, member=cat)  # back, but eight months after her first
    newcomer = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=20))
    AttendanceFactory(
        event=EventFactory(past=True, starts_at=timezone.now() - datetime.timedelta(days=10)),
        member=newcomer,
    )

    cohorts = dashboard.retention_cohorts(Period())

    joined_month = timezone.localtime(newcomer.date_joined, LONDON).strftime("%Y-%m")
    assert cohorts == [
        {"month": "2024-09", "joined": 5, "came": 4, "back_3": 2, "back_6": 2,
         "open_3": False, "open_6": False},
        {"month": joined_month, "joined": 1, "came": 1, "back_3": 0, "back_6": 0,
         "open_3": True, "open_6": True},
    ]  # fmt: skip


def test_once_only_share_at_the_end_of_each_month(world):
    assert dashboard.once_only_over_time(Period()) == [
        {"month": "2025-03", "came": 3, "once": 3, "share": 1.0},
        {"month": "2025-04", "came": 3, "once": 1, "share": 0.3333},
        {"month": "2025-05", "came": 4, "once": 2, "share": 0.5},
    ]
    assert dashboard.once_only_over_time(Period(datetime.date(2025, 4, 1))) == [
        {"month": "2025-04", "came": 3, "once": 1, "share": 0.3333},
        {"month": "2025-05", "came": 4, "once": 2, "share": 0.5},
    ]


def test_a_caucus_session_counts_as_coming_back_only_for_those_who_may_see_it(world):
    """Rule 2: protected viewers' attendance figures leave caucus sessions out, so that coming
    back cannot be traced to a caucus session."""
    cat = world["members"][2]
    caucus_session = event_on(datetime.date(2025, 3, 20), title="Caucus session")
    caucus_session.caucus = CaucusFactory()
    caucus_session.save()
    AttendanceFactory(event=caucus_session, member=cat)

    protected = dashboard.retention_cohorts(Period())
    everything = dashboard.retention_cohorts(Period(), dashboard.EVERYTHING)

    assert (protected[0]["back_3"], everything[0]["back_3"]) == (2, 3)
