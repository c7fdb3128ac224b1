"""Survey answers after each session, and what the follow-up emails go with: exact figures on
a constructed CoP, small counts hidden in a way no solver can undo, caucus sessions unnamed to
those who may not see them, and anonymous answers never joined to anyone."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.selectors import dashboard
from members.selectors.dashboard import (
    ACTED,
    DONE_AFTER,
    EMAIL_DUE,
    EVERYTHING,
    FOLLOW_UP_DUE,
    NO_EMAIL,
    NO_FOLLOW_UP,
    NOT_ACTED,
    NOT_UPDATED,
    UPDATED_AFTER,
    Period,
)
from surveys.models import Invitation, Response, SealedResponse
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AttendanceFactory,
    CaucusFactory,
    UserFactory,
    caucus_member,
    event_on,
    survey_sent,
    uk_time,
)

pytestmark = pytest.mark.django_db

SENT = uk_time(datetime.date(2025, 4, 18), 10)


def _session(day, title, *, came, answered, emailed, acted=0, caucus=None, survey=None):
    """A session on `day` with `came` people at it, a survey after it that `answered` of them
    answered (anonymously), the after-session email due to all of them or none, and `acted` of
    them recording an action from it a week later."""
    people = [caucus_member(caucus) if caucus else UserFactory() for _ in range(came)]
    session = event_on(day, title=title, caucus=caucus)
    for person in people:
        AttendanceFactory(
            event=session, member=person, after_session_sent_at=SENT if emailed else None
        )
    survey_sent(
        survey or f"After {title}", day, invited=people, responded=people[:answered], event=session
    )
    for person in people[:acted]:
        ActionFactory(member=person, event=session, created_at=uk_time(day + datetime.timedelta(7)))
    return session, people


@pytest.fixture
def cop():
    cop_build()


def cop_build():
    """A session before the emails (6 came, 2 answered, 2 recorded an action), one with them
    (8 came, 5 answered, 5 recorded an action), and a caucus session with them (4 came,
    3 answered, 2 recorded an action); a session with no survey counts for actions only."""
    before, before_people = _session(
        datetime.date(2025, 3, 6), "Webinar before the emails", came=6, answered=2,
        emailed=False, acted=2,
    )  # fmt: skip
    # Too late (40 days on) and tied to no session: neither counts as acting on the session.
    ActionFactory(member=before_people[3], event=before,
                  created_at=uk_time(datetime.date(2025, 4, 15)))  # fmt: skip
    ActionFactory(member=before_people[4], created_at=uk_time(datetime.date(2025, 3, 7)))
    _session(
        datetime.date(2025, 4, 17), "Webinar with the emails", came=8, answered=5, emailed=True,
        acted=5,
    )  # fmt: skip
    _session(
        datetime.date(2025, 5, 22), "Global majority circle", came=4, answered=3, emailed=True,
        acted=2, caucus=CaucusFactory(), survey="How was it?",
    )  # fmt: skip


# Survey answers after each session -------------------------------------------------------------


def test_answers_after_each_session_counted_by_hand(cop):
    protected = dashboard.session_survey_rates(Period())
    assert protected == {
        "rows": [
            {"date": "2025-03-06", "title": "Webinar before the emails", "came": 6,
             "answered": 2, "rate": 0.3333, "hidden": False, "emailed": False, "open": False},
            {"date": "2025-04-17", "title": "Webinar with the emails", "came": 8,
             "answered": 5, "rate": 0.625, "hidden": False, "emailed": True, "open": False},
        ],
        "caucus_left_out": 1,
    }  # fmt: skip
    everything = dashboard.session_survey_rates(Period(), EVERYTHING)
    assert everything["caucus_left_out"] is None
    assert [row["title"] for row in everything["rows"]] == [
        "Webinar before the emails", "Webinar with the emails", "Global majority circle",
    ]  # fmt: skip
    assert everything["rows"][2] | {} == {
        "date": "2025-05-22", "title": "Global majority circle", "came": 4, "answered": 3,
        "rate": 0.75, "hidden": False, "emailed": True, "open": False,
    }  # fmt: skip


def test_the_caucus_session_is_named_only_to_those_who_may_see_it(cop):
    """Someone who sees small numbers but not caucus choices still gets no caucus session."""
    for viewer in (dashboard.PROTECTED, dashboard.Viewer(see_everything=True)):
        figures = dashboard.follow_up_effect(Period(), viewer)
        assert "Global majority" not in repr(figures)
        assert [r["came"] for r in figures["session_survey_rates"]["rows"]] == [6, 8]


def test_answers_with_and_without_the_email_are_sums_of_the_sessions(cop):
    assert dashboard.answers_by_email(dashboard.session_survey_rates(Period())) == [
        {"group": EMAIL_DUE, "sessions": 1, "came": 8, "answered": 5, "rate": 0.625},
        {"group": NO_EMAIL, "sessions": 1, "came": 6, "answered": 2, "rate": 0.3333},
    ]
    assert dashboard.answers_by_email(dashboard.session_survey_rates(Period(), EVERYTHING)) == [
        {"group": EMAIL_DUE, "sessions": 2, "came": 12, "answered": 8, "rate": 0.6667},
        {"group": NO_EMAIL, "sessions": 1, "came": 6, "answered": 2, "rate": 0.3333},
    ]


def test_a_survey_still_open_is_marked(cop):
    day = timezone.localdate() - datetime.timedelta(days=3)
    _session(day, "Last week", came=5, answered=1, emailed=True)
    row = dashboard.session_survey_rates(Period())["rows"][-1]
    assert (row["title"], row["came"], row["answered"], row["open"]) == ("Last week", 5, 1, True)


def test_answers_are_never_joined_to_the_people_who_came(cop):
    """Which of a session's people answered makes no difference to any figure: answers are
    counted per survey, never per person. Moving the answers from the people the email went to
    onto those it did not (in one session that had both) changes nothing, and no query reads
    a response."""
    day = datetime.date(2025, 6, 12)
    session, people = _session(day, "Mixed session", came=6, answered=3, emailed=False)
    for person in people[:3]:
        person.attendances.update(after_session_sent_at=SENT)
    for viewer in (dashboard.PROTECTED, EVERYTHING):
        before = dashboard.follow_up_effect(Period(), viewer)
        survey_invitations = Invitation.objects.filter(survey__event=session)
        survey_invitations.update(responded=False)
        survey_invitations.filter(member__in=people[3:]).update(responded=True)
        with CaptureQueriesContext(connection) as queries:
            after = dashboard.follow_up_effect(Period(), viewer)
        assert repr(after) == repr(before)
        survey_invitations.update(responded=False)
        survey_invitations.filter(member__in=people[:3]).update(responded=True)
        for table in (Response._meta.db_table, SealedResponse._meta.db_table):
            assert not any(f'"{table}"' in query["sql"] for query in queries.captured_queries)


# Actions after a session -----------------------------------------------------------------------


def test_actions_after_sessions_counted_by_hand(cop):
    table = dashboard.actions_after_sessions(Period(), EVERYTHING)
    assert table.cells == {
        (EMAIL_DUE, ACTED): 7, (EMAIL_DUE, NOT_ACTED): 5,
        (NO_EMAIL, ACTED): 2, (NO_EMAIL, NOT_ACTED): 4,
    }  # fmt: skip
    open_only = dashboard.actions_after_sessions(Period(), dashboard.Viewer(see_everything=True))
    assert open_only.cells[(EMAIL_DUE, ACTED)] == 5
    assert open_only.total == 14


def _solutions(table, rows, columns):
    """Every table of whole, non-negative counts that agrees with all that `table` shows: the
    attacker's search, by brute force (the tables are small)."""
    cells = [(r, c) for r in rows for c in columns]
    shown = {cell: n for cell, n in table.cells.items() if n is not None}
    bound = table.total if table.total is not None else 40
    found = []
    for values in itertools.product(range(bound + 1), repeat=len(cells)):
        guess = dict(zip(cells, values, strict=True))
        if any(guess[cell] != n for cell, n in shown.items()):
            continue
        if table.total is not None and sum(values) != table.total:
            continue
        if any(
            table.row_totals.get(r) is not None
            and sum(guess[(r, c)] for c in columns) != table.row_totals[r]
            for r in rows
        ):
            continue
        if any(
            table.column_totals.get(c) is not None
            and sum(guess[(r, c)] for r in rows) != table.column_totals[c]
            for c in columns
        ):
            continue
        found.append(guess)
    return found


def test_a_small_count_is_hidden_and_no_total_gives_it_back(cop, settings):
    """Two people without the email recorded an action: with k = 3 that count is hidden, and
    so is enough else that the row and column totals cannot be subtracted to find it. The
    attacker's every consistent table is searched: the hidden 2 can as well be 0."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 3
    table = dashboard.actions_after_sessions(Period())
    assert table.cells[(NO_EMAIL, ACTED)] is None
    assert 2 not in [*table.cells.values(), *table.row_totals.values()]
    assert table.suppressed
    assert table.total == 14
    rows, columns = [EMAIL_DUE, NO_EMAIL], [ACTED, NOT_ACTED]
    solutions = _solutions(table, rows, columns)
    assert len({s[(NO_EMAIL, ACTED)] for s in solutions}) > 1
    assert any(s[(NO_EMAIL, ACTED)] == 0 for s in solutions)
    for cell, n in table.cells.items():
        if n is None:
            assert len({s[cell] for s in solutions}) > 1, cell


def test_a_group_too_small_to_stand_alone_is_pooled(cop, settings):
    """With k = 5, the six attendances without the email stand alone; with k = 7 they are
    pooled with the others, and the one row left compares nothing and gives nothing away."""
    table = dashboard.actions_after_sessions(Period())
    assert table.rows == [EMAIL_DUE, NO_EMAIL]
    assert not any(0 < (n or 0) < 5 for n in table.cells.values())
    settings.SURVEY_SUPPRESSION_THRESHOLD = 7
    pooled = dashboard.actions_after_sessions(Period())
    assert pooled.rows == [dashboard.BOTH_GROUPS]
    assert pooled.row(dashboard.BOTH_GROUPS) == [7, 7]
    assert pooled.row_totals[NO_EMAIL] is None
    assert pooled.cells[(NO_EMAIL, ACTED)] is None


def test_a_session_counts_once_its_thirty_days_ended_before_this_month(cop):
    """Otherwise the table would move on the day a session's 30 days ran out, and the change
    would be that session's few people."""
    recent = timezone.localdate() - datetime.timedelta(days=31)
    _session(recent, "Just settled", came=5, answered=0, emailed=True, acted=1)
    protected = dashboard.actions_after_sessions(Period())
    assert protected.total == 14
    everything = dashboard.actions_after_sessions(Period(), EVERYTHING)
    assert everything.total == 18 + 5


# Actions after the three-month follow-up -------------------------------------------------------


def _action(created, *, follow_up=None, updates=(), status="planned"):
    action = ActionFactory(created_at=uk_time(created), follow_up_sent_on=follow_up, status=status)
    for day, moved_to in updates:
        ActionUpdateFactory(action=action, status=moved_to, created_at=uk_time(day))
    return action


def test_action_follow_ups_counted_by_hand():
    created, sent = datetime.date(2025, 3, 11), datetime.date(2025, 6, 10)
    for _ in range(2):
        _action(created, follow_up=sent, updates=[(datetime.date(2025, 6, 20), "done")])
    _action(created, follow_up=sent, updates=[(datetime.date(2025, 6, 15), "in_progress")])
    _action(created, follow_up=sent, updates=[(datetime.date(2025, 8, 1), "done")])  # too late
    for _ in range(2):
        _action(created, follow_up=sent)
    # Before the follow-ups: the 91st day of an action made on 10 January is 11 April.
    old = datetime.date(2025, 1, 10)
    _action(old, updates=[(datetime.date(2025, 4, 20), "done")])
    _action(old, updates=[(datetime.date(2025, 4, 15), "in_progress")])
    for _ in range(4):
        _action(old)
    # Not open on its 91st day: done in February, or made already dropped. Neither counts.
    _action(old, updates=[(datetime.date(2025, 2, 1), "done")], status="done")
    _action(old, status="dropped")
    # Open again before the 91st day: counts.
    _action(
        old,
        updates=[(datetime.date(2025, 2, 1), "done"), (datetime.date(2025, 3, 1), "in_progress")],
        status="in_progress",
    )

    table = dashboard.action_follow_ups(Period(), EVERYTHING)
    assert table.cells == {
        (FOLLOW_UP_DUE, DONE_AFTER): 2, (FOLLOW_UP_DUE, UPDATED_AFTER): 1,
        (FOLLOW_UP_DUE, NOT_UPDATED): 3,
        (NO_FOLLOW_UP, DONE_AFTER): 1, (NO_FOLLOW_UP, UPDATED_AFTER): 1,
        (NO_FOLLOW_UP, NOT_UPDATED): 5,
    }  # fmt: skip

    protected = dashboard.action_follow_ups(Period())
    assert protected.total == 13
    assert not any(0 < (n or 0) < 5 for n in protected.cells.values())
    assert not any(0 < (n or 0) < 5 for n in protected.row_totals.values())
    assert not any(0 < (n or 0) < 5 for n in protected.column_totals.values())
