"""The dashboard's page and CSV for survey answers after each session and for the follow-up
emails: what they show, what they hide, and attacks on what they hide."""

import itertools

import pytest
from django.urls import reverse

from members.selectors.dashboard import ACTED, EMAIL_DUE, NO_EMAIL, NOT_ACTED
from members.views.dashboard import FOLLOW_UPS_EXPLAINED
from tests.factories import permission_give
from tests.members.selectors.test_dashboard_follow_ups import cop_build
from tests.members.test_dashboard_disclosure import _csv
from tests.members.views.test_dashboard import _table, _text

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("members:dashboard")
CAUCUS_NOTE = (
    "1 caucus session with a survey after it is left out here and in the comparisons below, "
    "so that nobody can work out who chose a caucus."
)


@pytest.fixture
def cop():
    """The CoP of the selectors' tests: three sessions, before and with the emails, one of them
    a caucus session."""
    cop_build()


def _see_everything(user, *, caucus_choice):
    user = permission_give(user, "surveys.view_unsuppressed_results")
    if caucus_choice:
        user = permission_give(user, "events.view_caucus_choice")
    return user


def test_the_page_shows_answers_after_each_session_and_the_comparisons(organiser_client, cop):
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
    cop,
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


def test_the_csv_carries_the_same_figures_hidden_the_same_way(organiser_client, cop):
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
    actions = blocks[ACTIONS_HEADING]
    assert actions[:4] == [
        ["Attendances", ACTED, NOT_ACTED, "Total"],
        [EMAIL_DUE, "hidden", "hidden", "8"],
        [NO_EMAIL, "hidden", "hidden", "6"],
        ["Total", "hidden", "hidden", "14"],
    ]
    assert actions[4][0] == "Note"


ACTIONS_HEADING = (
    "Actions recorded within 30 days of a session, with and without the after-session email"
)
FOLLOW_UPS_HEADING = (
    "Actions still open after three months, with and without the follow-up: the next 30 days"
)


def _consistent(publications, cells, bound):
    """Every table of whole, non-negative counts over `cells` that agrees with every figure
    shown: a publication is a list of (cells summed, value shown)."""
    for values in itertools.product(range(bound + 1), repeat=len(cells)):
        guess = dict(zip(cells, values, strict=True))
        if all(sum(guess[c] for c in summed) == shown for summed, shown in publications):
            yield guess


def _figures(rows, cells_of):
    """What one comparison table in the CSV shows, as (cells summed, value) pairs."""
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


def test_two_date_ranges_set_side_by_side_have_nothing_to_subtract(
    client,
    organiser,
    cop,
    settings,
):
    """The differencing attack with k = 3: March (only the session before the emails) beside
    March and April. Were the tables by period, April's small counts would be one subtraction
    away; for protected viewers they are the same whatever the dates, so the attacker has one
    table, and searching every table that agrees with it, the two people who acted without the
    email can as well be none. Someone who may see everything gets the dates they chose."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 3
    march = {"start": "2025-03-01", "end": "2025-03-31"}
    march_april = {"start": "2025-03-01", "end": "2025-04-30"}
    client.force_login(organiser)
    first, second = _csv(client, march), _csv(client, march_april)
    for heading in (ACTIONS_HEADING, FOLLOW_UPS_HEADING):
        assert first[heading] == second[heading]
    cells = [(r, c) for r in (EMAIL_DUE, NO_EMAIL) for c in (ACTED, NOT_ACTED)]
    found = list(_consistent(_figures(second[ACTIONS_HEADING], cells), cells, 14))
    assert {guess[(NO_EMAIL, ACTED)] for guess in found} >= {0, 2}
    for cell in cells:
        assert len({guess[cell] for guess in found}) > 1, cell

    client.force_login(_see_everything(organiser, caucus_choice=False))
    assert _csv(client, march)[ACTIONS_HEADING][1:4] == [
        [EMAIL_DUE, "0", "0", "0"],
        [NO_EMAIL, "2", "4", "6"],
        ["Total", "2", "4", "6"],
    ]
    assert _csv(client, march_april)[ACTIONS_HEADING][1:4] == [
        [EMAIL_DUE, "5", "3", "8"],
        [NO_EMAIL, "2", "4", "6"],
        ["Total", "7", "7", "14"],
    ]
