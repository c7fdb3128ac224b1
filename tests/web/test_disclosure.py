"""The disclosure engine on its own (cop_portal/web/disclosure.py): which cells of a table it hides.
The attacks on what the pages publish with it are tests/surveys/test_disclosure_attacks.py and
tests/members/test_dashboard_disclosure.py."""

import itertools

import pytest

from cop_portal.web.disclosure import suppress, unsuppressed

ROWS = ["NHS", "Council", "Voluntary"]
COLUMNS = ["Agree", "Disagree"]


def _table(rows):
    return {(r, c): n for r, values in rows.items() for c, n in zip(COLUMNS, values, strict=True)}


def _recoverable(table):
    """Whether any hidden cell can be worked out from what is shown, by one subtraction along
    a row or column with a shown total."""
    for r in table.rows:
        if table.row_totals[r] is not None and sum(v is None for v in table.row(r)) == 1:
            return True
    for c in table.columns:
        column = [table.cells[(r, c)] for r in table.rows]
        if table.column_totals[c] is not None and sum(v is None for v in column) == 1:
            return True
    if table.total is not None and sum(t is None for t in table.row_totals.values()) == 1:
        return True
    return table.total is not None and sum(t is None for t in table.column_totals.values()) == 1


def test_nothing_is_hidden_when_every_count_is_large_enough():
    table = suppress(_table({"NHS": [10, 6], "Council": [7, 9], "Voluntary": [5, 12]}),
                     ROWS, COLUMNS, threshold=5)  # fmt: skip
    assert table.suppressed is False
    assert table.row("NHS") == [10, 6]
    assert table.total == 49
    assert table.notes == []


def test_a_small_count_is_hidden_and_so_is_a_partner_in_its_row_and_column():
    table = suppress(_table({"NHS": [10, 2], "Council": [7, 9], "Voluntary": [8, 12]}),
                     ROWS, COLUMNS, threshold=5)  # fmt: skip
    assert table.cells[("NHS", "Disagree")] is None
    # Row NHS: the 10 beside it is hidden too, or 12 − 10 would give the 2 away.
    assert table.cells[("NHS", "Agree")] is None
    # Column Disagree: the smallest other count (9) is hidden, and then its row partner.
    assert table.cells[("Council", "Disagree")] is None
    assert table.cells[("Council", "Agree")] is None
    assert table.row("Voluntary") == [8, 12]
    assert table.row_totals == {"NHS": 12, "Council": 16, "Voluntary": 20}
    assert table.suppressed is True
    assert table.notes[0].startswith("Counts from 1 to 4 are hidden")
    assert not _recoverable(table)


def test_a_small_group_is_hidden_whole_and_cannot_be_recovered_from_the_total():
    table = suppress(_table({"NHS": [3, 1], "Council": [7, 9], "Voluntary": [8, 12]}),
                     ROWS, COLUMNS, threshold=5)  # fmt: skip
    assert table.row_totals["NHS"] is None
    assert table.row("NHS") == [None, None]
    # Four people are too few for a pool of their own: the next smallest group joins them.
    assert table.rows == ["Voluntary", "Other groups"]
    assert table.row("Other groups") == [10, 10]
    assert table.row_totals["Council"] is None
    assert table.total == 40
    assert not _recoverable(table)


def test_a_small_group_is_pooled_with_its_zeros_not_shown_beside_a_hidden_count():
    """Before, NHS showed 0 beside a hidden 3, with its total hidden: anyone could tell all
    three had disagreed. Now the group is pooled, zeros included, with the next smallest."""
    table = suppress(_table({"NHS": [0, 3], "Council": [7, 9], "Voluntary": [8, 12]}),
                     ROWS, COLUMNS, threshold=5)  # fmt: skip
    assert table.rows == ["Voluntary", "Other groups"]
    assert table.row("Voluntary") == [8, 12]
    assert table.row("Other groups") == [7, 12]
    assert table.row_totals == {"Voluntary": 20, "Other groups": 19, "NHS": None, "Council": None}
    assert table.column_totals == {"Agree": 15, "Disagree": 24}
    assert table.total == 39
    assert table.row("NHS") == [None, None]
    assert table.notes[-1].startswith("Groups with fewer than 5 people are counted together")
    assert not _recoverable(table)


def test_a_tiny_survey_hides_its_grand_total():
    table = suppress({("NHS", "Agree"): 2}, ["NHS"], ["Agree"], threshold=5)
    assert table.total is None
    assert table.cells[("NHS", "Agree")] is None


def test_the_threshold_is_respected():
    counts = _table({"NHS": [6, 6], "Council": [6, 6], "Voluntary": [6, 6]})
    assert suppress(counts, ROWS, COLUMNS, threshold=5).suppressed is False
    assert suppress(counts, ROWS, COLUMNS, threshold=8).cells[("NHS", "Agree")] is None


@pytest.mark.parametrize("threshold", [3, 5])
def test_no_hidden_count_can_ever_be_recovered(threshold):
    """Every table of small counts: whatever is hidden stays hidden."""
    for values in itertools.product([0, 1, 4, 9], repeat=4):
        rows = {"A": values[:2], "B": values[2:]}
        table = suppress(_table(rows), ["A", "B"], COLUMNS, threshold=threshold)
        assert not _recoverable(table), (values, table)
        for key, n in _table(rows).items():
            if 0 < n < threshold:
                assert table.cells[key] is None, (values, key)


def test_unsuppressed_shows_everything():
    table = unsuppressed(_table({"NHS": [1, 2], "Council": [0, 3], "Voluntary": [4, 0]}),
                         ROWS, COLUMNS)  # fmt: skip
    assert table.row("NHS") == [1, 2]
    assert table.total == 10
    assert table.suppressed is False
