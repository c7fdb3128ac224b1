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
