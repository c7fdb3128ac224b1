"""Statistical disclosure control for survey breakdowns by small groups.

A count from 1 to threshold − 1 could point to the people behind it, so it is hidden
(primary suppression). Because row and column totals are shown, a single hidden count in a
row or column could be worked out by subtraction; so another count in that row or column is
hidden too (secondary suppression), repeating until no line has exactly one hidden cell. A
group whose own total is small is hidden whole. Zero is shown: it names nobody."""

from dataclasses import dataclass, field

HIDDEN = None


@dataclass
class Table:
    """Counts by group (rows) and answer (columns), ready to show: a hidden count is None."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    total: int | None
    suppressed: bool = False
    notes: list[str] = field(default_factory=list)

    def row(self, name):
        return [self.cells[(name, column)] for column in self.columns]


def _is_small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def suppress(counts: dict[tuple[str, str], int], rows, columns, *, threshold: int) -> Table:
    """Hide every count that could identify people, and enough others that none can be
    recovered from the totals."""
    rows, columns = list(rows), list(columns)
    cells = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    row_sum = {r: sum(cells[(r, c)] for c in columns) for r in rows}
    column_sum = {c: sum(cells[(r, c)] for r in rows) for c in columns}
    grand = sum(row_sum.values())
    grand_shown = not _is_small(grand, threshold)
    hidden = {key for key, n in cells.items() if _is_small(n, threshold)}
    hidden_rows, hidden_columns = set(), set()

    def hide_row(r):
        hidden_rows.add(r)
        hidden.update((r, c) for c in columns if cells[(r, c)])

    def hide_column(c):
        hidden_columns.add(c)
        hidden.update((r, c) for r in rows if cells[(r, c)])

    for r in rows:
        if _is_small(row_sum[r], threshold):
            hide_row(r)
    for c in columns:
        if _is_small(column_sum[c], threshold):
            hide_column(c)

    changed = True
    while changed:
        changed = False
        lines = [([(r, c) for c in columns], ("row", r)) for r in rows if r not in hidden_rows]
        lines += [
            ([(r, c) for r in rows], ("column", c)) for c in columns if c not in hidden_columns
        ]
        for line, (kind, name) in lines:
            line_hidden = [key for key in line if key in hidden]
            if len(line_hidden) != 1:
                continue
            candidates = sorted(
                (key for key in line if key not in hidden and cells[key] > 0),
                key=lambda key: cells[key],
            )
            if candidates:
                hidden.add(candidates[0])
            elif kind == "row":
                hide_row(name)  # the rest of the row is zero: its total would give it away
            else:
                hide_column(name)
            changed = True
        # A single hidden group total could be worked out from the overall total.
        for hidden_lines, totals, hide in (
            (hidden_rows, row_sum, hide_row),
            (hidden_columns, column_sum, hide_column),
        ):
            if grand_shown and len(hidden_lines) == 1:
                others = sorted(
                    (n for n in totals if n not in hidden_lines and totals[n] > 0),
                    key=lambda n: totals[n],
                )
                if others:
                    hide(others[0])
                    changed = True

    table = Table(
        rows=rows,
        columns=columns,
        cells={key: HIDDEN if key in hidden else n for key, n in cells.items()},
        row_totals={r: HIDDEN if r in hidden_rows else row_sum[r] for r in rows},
        column_totals={c: HIDDEN if c in hidden_columns else column_sum[c] for c in columns},
        total=grand if grand_shown else HIDDEN,
        suppressed=bool(hidden or hidden_rows or hidden_columns or not grand_shown),
    )
    if table.suppressed:
        table.notes.append(
            f"Counts from 1 to {threshold - 1} are hidden so that nobody can be identified, "
            "along with any others that would let a hidden count be worked out from the totals."
        )
    return table


def unsuppressed(counts: dict[tuple[str, str], int], rows, columns) -> Table:
    """The same table with nothing hidden, for people with the dedicated permission."""
    rows, columns = list(rows), list(columns)
    cells = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    return Table(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals={r: sum(cells[(r, c)] for c in columns) for r in rows},
        column_totals={c: sum(cells[(r, c)] for r in rows) for c in columns},
        total=sum(cells.values()),
    )


# Figures for protected viewers: the dashboard, its CSV, the engagement report -----------------
#
# Everything above this line is the suppression engine for tables; what follows are the rules
# for the organisers' engagement and impact figures, kept apart so each can change on its own.
#
# Which figures are sensitive. Anything derived from survey answers, learning-journey check-ins,
# caucus membership, or attendance at caucus sessions (which would say who chose a caucus, and
# so their racial identity: special category data). Attendance at open sessions and
# organisations' member counts are not: organisers keep those registers anyway, so hiding them
# would protect nobody and would spoil the evaluation's figures.
#
# Who is protected. Everyone without surveys.view_unsuppressed_results: the steering group,
# organisers, and `manage.py engagement_report` (which anyone with a shell can run, so it is
# always protected). They all get the same figures, so no role can learn more by comparing.
#
# The rules, and why:
# 1. Periods are widened to whole calendar months. With any start and end day, two periods a
#    day apart differ by the people of one day: one session, one check-in, one answer.
# 2. Caucus sessions are never counted session by session, nor in any attendance figure, for
#    anyone without events.view_caucus_choice; one line gives them all together, and hides its
#    attendances when there are from 1 to k − 1. Anyone with a caucus session's date could
#    otherwise count the people who chose that caucus.
# 3. A survey question answered by fewer than k people adds nothing to any figure (agreement
#    over time, value-creation cycles). The results page hides such a survey; without this rule
#    its single answer would show on the dashboard, or come out as the difference between a
#    period that includes it and one that does not. Counting whole questions of at least k
#    answers means any difference between two periods is itself at least k answers.
# 4. Check-in tables go through `suppress()`. The first-stage by latest-stage table carries a
#    row for members with a single check-in, so its column totals *are* the members at each
#    latest stage: both tables are one publication with one set of margins, and nothing links
#    them that the engine does not see.
# 5. Counts of people invited to, or answering, a survey whose audience comes from a caucus (a
#    caucus survey, or a survey after a caucus session) are the size of a caucus, or of its
#    session: from 1 to k − 1 they are hidden, and so is the response rate made from them.
# 6. Holders of surveys.view_unsuppressed_results see everything, and every look is audited.

import calendar  # noqa: E402 - kept with the section that needs it, apart from the engine
import datetime  # noqa: E402 - kept with the section that needs it, apart from the engine

SMALL_COUNT_NOTE = (
    "Counts from 1 to {last} are hidden so that nobody in a small group can be identified."
)
MONTHS_NOTE = (
    "Dates are widened to whole calendar months, so that comparing two periods a few days "
    "apart cannot single anyone out."
)


def month_start(day: datetime.date | None) -> datetime.date | None:
    """The first day of the month `day` falls in (None stays None: an open start)."""
    return None if day is None else day.replace(day=1)


def month_end(day: datetime.date | None) -> datetime.date | None:
    """The last day of the month `day` falls in (None stays None: up to today)."""
    if day is None:
        return None
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def count_shown(count: int, threshold: int) -> int | None:
    """The count, or None (hidden) when it is from 1 to threshold − 1 (rules 2 and 5)."""
    return None if 0 < count < threshold else count
