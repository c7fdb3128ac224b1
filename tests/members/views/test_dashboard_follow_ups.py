"""The dashboard's page and CSV for survey answers after each session and for the follow-up
emails: what they show, what they hide, and attacks on what they hide."""

import itertools

import pytest
from django.urls import reverse

from members.selectors.dashboard import ACTED, EMAIL_DUE, NO_EMAIL, NOT_ACTED
from members.views.dashboard import FOLLOW_UPS_EXPLAINED
from tests.factories import permission_give
from tests.members.selectors.test_dashboard_follow_ups import cop  # noqa: F401 - a fixture
from tests.members.test_dashboard_disclosure import _csv
from tests.members.views.test_dashboard import _table, _text

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("members:dashboard")
CAUCUS_NOTE = (
    "1 caucus session with a survey after it is left out here and in the comparisons below, "
    "so that nobody can work out who chose a caucus."
)


def _see_everything(user, *, caucus_choice):
    user = permission_give(user, "surveys.view_unsuppressed_results")
    if caucus_choice:
        user = permission_give(user, "events.view_caucus_choice")
    return user


def test_the_page_shows_answers_after_each_session_and_the_comparisons(organiser_client, cop):  # noqa: F811
    response = organiser_client.get(DASHBOARD)
    page = response.content.decode()
    assert _table(response, "session-rates-table") == [
        ["2025-03-06", "Webinar before the emails", "No", "6", "2", "33%"],
        ["2025-04-17", "Webinar with the emails", "Yes", "8", "5", "62%"],
    ]
    assert _text(page.split('id="session-rates-note">')[1].split("</p>")[0]) == CAUCUS_NOTE
    assert _table(response, "answers-by-email-table") == [
        [EMAIL_DUE, "1", "8", "5", "62%"],
        [NO_EMAIL, "1", "6", "2", "33%"],
    ]
    assert FOLLOW_UPS_EXPLAINED in _text(page)
    assert "association, not proof" in FOLLOW_UPS_EXPLAINED
    # k = 5: every cell of the actions table is hidden here, and so are the column totals
    # (with them, the three small cells would follow from the one left).
    assert _table(response, "actions-after-sessions-table") == [
        [EMAIL_DUE, "Hidden", "Hidden", "8"],
        [NO_EMAIL, "Hidden", "Hidden", "6"],
    ]
    assert _table(response, "actions-after-sessions-table", "tfoot") == [
        ["Total", "Hidden", "Hidden", "14"]
    ]
    assert _text(page.split('id="acted-shares">')[1].split("</ul>")[0]) == (
        f"{EMAIL_DUE}: share Hidden {NO_EMAIL}: share Hidden"
    )
    assert 'aria-labelledby="chart-sessions-title"' in page


def test_the_caucus_session_is_not_named_to_those_who_may_not_see_it(
    client,
    organiser,
    steering_member,
    cop,  # noqa: F811
):
    """Nor counted: its people are left out of every figure here, and the note says so. (Its
    survey keeps a title of its own, which the table of surveys shows as before.)"""
    for viewer in (
        lambda: steering_member,
        lambda: permission_give(organiser, "events.view_caucus_choice"),
        lambda: _see_everything(steering_member, caucus_choice=False),
    ):
        client.force_login(viewer())
        response = client.get(DASHBOARD)
        assert "Global majority" not in response.content.decode()
        blocks = _csv(client)
        assert "Global majority" not in str(blocks)
        assert blocks["Survey response rate after each session"][-1] == ["Note", CAUCUS_NOTE]

    client.force_login(_see_everything(organiser, caucus_choice=True))  # both permissions
    response = client.get(DASHBOARD)
    assert _table(response, "session-rates-table")[-1] == [
        "2025-05-22", "Global majority circle", "Yes", "4", "3", "75%",
    ]  # fmt: skip
    assert 'id="session-rates-note"' not in response.content.decode()
    assert _table(response, "actions-after-sessions-table") == [
        [EMAIL_DUE, "7", "5", "12"],
        [NO_EMAIL, "2", "4", "6"],
    ]


def test_the_csv_carries_the_same_figures_hidden_the_same_way(organiser_client, cop):  # noqa: F811
    blocks = _csv(organiser_client)
    assert blocks["Survey response rate after each session"] == [
        ["Date", "Session", "After-session email", "Came", "Answered", "Response rate",
         "Survey still open"],
        ["2025-03-06", "Webinar before the emails", "no", "6", "2", "33%", "no"],
        ["2025-04-17", "Webinar with the emails", "yes", "8", "5", "62%", "no"],
        ["Note", CAUCUS_NOTE],
    ]  # fmt: skip
    assert blocks["Survey answers with and without the after-session email"] == [
        ["Sessions", "Number", "Came", "Answered", "Response rate"],
        [EMAIL_DUE, "1", "8", "5", "62%"],
        [NO_EMAIL, "1", "6", "2", "33%"],
    ]
    actions = blocks[
        "Actions recorded within 30 days of a session, with and without the after-session email"
    ]
    assert actions[:4] == [
        ["Attendances", ACTED, NOT_ACTED, "Total"],
        [EMAIL_DUE, "hidden", "hidden", "8"],
        [NO_EMAIL, "hidden", "hidden", "6"],
        ["Total", "hidden", "hidden", "14"],
    ]
    assert actions[4][0] == "Note"


def _consistent(publications, cells, bound):
    """Every table of whole, non-negative counts over `cells` that agrees with every figure
    shown in every publication: a publication is a list of (cells summed, value shown)."""
    for values in itertools.product(range(bound + 1), repeat=len(cells)):
        guess = dict(zip(cells, values, strict=True))
        if all(sum(guess[c] for c in summed) == shown for summed, shown in publications):
            yield guess


def _figures(blocks, heading, cells_of):
    """What one actions table in the CSV shows, as (cells summed, value) pairs."""
    rows = blocks[heading]
    columns = rows[0][1:-1]
    shown = []
    for row in rows[1:]:
        if row[0] == "Note":
            continue
        name, *values = row
        for column, value in zip([*columns, "Total"], values, strict=True):
            if value == "hidden":
                continue
            summed = [
                cell for cell in cells_of
                if (name == "Total" or cell[0] == name) and (column == "Total" or cell[1] == column)
            ]  # fmt: skip
            shown.append((summed, int(value)))
    return shown


def test_two_periods_set_side_by_side_give_back_no_hidden_count(organiser_client, cop, settings):  # noqa: F811
    """The differencing attack with k = 3: March (only the session before the emails) beside
    March and April (both sessions). The organiser knows April's attendances all had the email,
    so March's row without it is the same row in both. Searching every table that agrees with
    both CSVs, the two people who acted without the email can still be none."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 3
    heading = (
        "Actions recorded within 30 days of a session, with and without the after-session email"
    )
    cells = [(r, c) for r in (EMAIL_DUE, NO_EMAIL) for c in (ACTED, NOT_ACTED)]
    march = _figures(_csv(organiser_client, {"start": "2025-03-01", "end": "2025-03-31"}),
                     heading, cells)  # fmt: skip
    both = _figures(_csv(organiser_client, {"start": "2025-03-01", "end": "2025-04-30"}),
                    heading, cells)  # fmt: skip
    # In March alone nobody had the email: its figures say nothing of the "due" row.
    march_no_email = [
        (summed, value) for summed, value in march if all(c[0] == NO_EMAIL for c in summed)
    ]
    found = list(_consistent([*both, *march_no_email], cells, 14))
    assert found, "the true table must be among the attacker's"
    assert {guess[(NO_EMAIL, ACTED)] for guess in found} >= {0, 2}
