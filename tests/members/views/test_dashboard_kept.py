"""The dashboard's page is kept whole, per kind of viewer and dates asked for, as long as the
figures it shows and no longer: attacks on it as a protected organiser would try them, every
unsuppressed look still written to the audit trail, freshness, and no query when warm.

The hand counts are those of the `world` fixture (tests/members/views/test_dashboard.py)."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from members import caching
from members.models import AuditEvent, User
from members.roles import ORGANISERS
from members.selectors import dashboard
from tests.factories import AttendanceFactory, UserFactory, permission_give
from tests.members.views.test_dashboard import (
    CSV,
    DASHBOARD,
    _dl,
    _table,
    _text,
    world,  # noqa: F401 - the fixture, used by every test here (pytestmark)
)

# Every test here counts on the `world` fixture's members, sessions and check-ins.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
APRIL_MAY = {"start": "2025-04-01", "end": "2025-05-31"}
SURVEYS = reverse("surveys:organise")


@pytest.fixture
def unsuppressed_client(ground_rules):
    """Another organiser, who may see every count (a permission given to named people only)."""
    client = Client()
    client.force_login(
        UserFactory(
            agreed_to=ground_rules,
            groups=[ORGANISERS],
            permissions=["surveys.view_unsuppressed_results"],
        )
    )
    return client


def _latest(response):
    return _table(response, "latest-table")


def _attendances(response):
    return _dl(response, "key-figures")["Attendances"]


def _dan_came_to_the_first_session():
    """One more attendance: seven become eight, in March and over all time."""
    AttendanceFactory(
        event=Event.objects.get(title="Webinar one"), member=User.objects.get(name="Dan")
    )


# Attacks ---------------------------------------------------------------------------------------


def test_a_page_kept_for_someone_who_sees_everything_never_reaches_a_protected_organiser(
    organiser_client, unsuppressed_client
):
    """Whole months, so both see the same period and share the figures' period in the key:
    only the kind of viewer keeps them apart. In March Cat alone was at "understanding"; from
    April to May Dan alone was."""
    march = unsuppressed_client.get(DASHBOARD, MARCH)
    april_may = unsuppressed_client.get(DASHBOARD, APRIL_MAY)
    assert _latest(march)[:2] == [["Noticing", "2"], ["Understanding", "1"]]
    assert _latest(april_may)[:3] == [["Noticing", "0"], ["Understanding", "1"],
                                      ["Looking inward", "2"]]  # fmt: skip

    march = organiser_client.get(DASHBOARD, MARCH)
    assert _attendances(march) == "3"
    assert _latest(march) == [
        ["Noticing", "Hidden"], ["Understanding", "Hidden"], ["Looking inward", "0"],
        ["Acting", "0"], ["Advocating and leading", "0"],
    ]  # fmt: skip
    assert _table(march, "movement-table")[-1] == [
        "Only one check-in", "Hidden", "Hidden", "0", "0", "0", "3",
    ]  # fmt: skip
    april_may = organiser_client.get(DASHBOARD, APRIL_MAY)
    assert _attendances(april_may) == "4"
    assert _latest(april_may) == [
        ["Noticing", "Hidden"], ["Understanding", "Hidden"], ["Looking inward", "Hidden"],
        ["Acting", "0"], ["Advocating and leading", "0"],
    ]  # fmt: skip
    assert "Counts from 1 to 1 are hidden so that nobody can be identified" in _text(
        april_may.content.decode()
    )

    # And the other way round: the protected page, now kept, is not what the other one sees.
    assert _latest(unsuppressed_client.get(DASHBOARD, MARCH))[:2] == [
        ["Noticing", "2"], ["Understanding", "1"],
    ]  # fmt: skip


def test_a_protected_page_is_kept_per_dates_asked_for(organiser_client):
    """Days within March are shown as the whole month, saying so, with the days asked for
    still in the form: not the page kept for someone who asked for the month itself."""
    month = organiser_client.get(DASHBOARD, MARCH).content.decode()
    days = organiser_client.get(DASHBOARD, {"start": "2025-03-06", "end": "2025-03-20"})
    page = days.content.decode()
    assert _attendances(days) == "3"
    assert "Showing from 1 March 2025 to 31 March 2025." in _text(page)
    assert 'id="period-widened"' in page
    assert 'id="period-widened"' not in month
    assert 'value="2025-03-06"' in page
    assert 'value="2025-03-20"' in page
    assert 'value="2025-03-06"' not in month
    assert _attendances(organiser_client.get(DASHBOARD, MARCH)) == "3"
    assert _attendances(organiser_client.get(DASHBOARD)) == "7"


def test_the_link_to_surveys_is_kept_only_for_those_who_may_follow_it(
    client, organiser_client, ground_rules
):
    assert SURVEYS in organiser_client.get(DASHBOARD).content.decode()
    client.force_login(UserFactory(agreed_to=ground_rules, permissions=["members.view_reports"]))
    response = client.get(DASHBOARD)
    assert _attendances(response) == "7"
    assert SURVEYS not in response.content.decode()


def test_dates_that_cannot_be_used_get_the_forms_message_after_a_kept_page(organiser_client):
    organiser_client.get(DASHBOARD)
    response = organiser_client.get(DASHBOARD, {"start": "2025-05-01", "end": "2025-04-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date must be the same as or after the start date." in page
    assert "Those dates could not be used, so the figures below are for all time." in page
    assert 'value="2025-05-01"' in page
    assert _attendances(response) == "7"
    # Nor is that message kept for the next viewer of all time.
    page = organiser_client.get(DASHBOARD).content.decode()
    assert "Those dates could not be used" not in page


# The audit trail -------------------------------------------------------------------------------


def test_every_look_at_a_kept_page_is_written_to_the_audit_trail(
    client, organiser, django_assert_num_queries
):
    client.force_login(permission_give(organiser, "surveys.view_unsuppressed_results"))
    client.get(DASHBOARD, MARCH)
    with django_assert_num_queries(1):  # the audit line, and nothing else
        warm = client.get(DASHBOARD, MARCH)
    assert _latest(warm)[:2] == [["Noticing", "2"], ["Understanding", "1"]]
    audited = AuditEvent.objects.filter(action="unsuppressed_figures_viewed").order_by("pk")
    assert [(e.actor_id, e.path, e.detail) for e in audited] == [
        (organiser.pk, DASHBOARD, "dashboard, 2025-03-01 to 2025-03-31"),
        (organiser.pk, DASHBOARD, "dashboard, 2025-03-01 to 2025-03-31"),
    ]


# Freshness -------------------------------------------------------------------------------------


def test_the_kept_page_never_outlives_the_figures_it_shows(organiser_client):
    """The figures are kept ten minutes from when they were worked out (here by the download),
    and a page drawn from them nine minutes later is kept only for the minute left."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        organiser_client.get(CSV)
    _dan_came_to_the_first_session()
    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "7"
    with time_machine.travel(start + datetime.timedelta(seconds=599), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "7"
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "8"


def _worked_out(response):
    return _text(
        re.search(r'<p id="figures-worked-out">(.*?)</p>', response.content.decode()).group(1)
    )


def _csv_attendances(response):
    lines = response.content.decode().splitlines()
    return next(line for line in lines if line.startswith("Attendances,")).split(",")[1]


def _renewing_elsewhere(period=None):
    """As another request does while it works the figures out again: it has claimed the work."""
    key = caching.figures_cache_key(period or dashboard.Period(), viewer=dashboard.PROTECTED)
    assert cache.add(caching._renewing_key(key), True, caching.FIGURES_RENEWING_MOST)
    return caching._renewing_key(key)


def _seen_then_dan_came(client, start=None):
    """The figures worked out by a look at `start` (now unless given), then one more attendance
    that they do not count; returns `start`."""
    start = start or timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(DASHBOARD)
    _dan_came_to_the_first_session()
    return start


def test_while_one_request_works_old_figures_out_again_the_others_are_shown_the_kept_ones(
    organiser_client,
):
    """Nobody queues behind the work but the request doing it; the page they see says when its
    figures were worked out, and the next look after the work shows the new ones."""
    start = _seen_then_dan_came(
        organiser_client, timezone.localtime().replace(second=0, microsecond=0)
    )
    later = start + datetime.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        renewing = _renewing_elsewhere()
        meanwhile = organiser_client.get(DASHBOARD)
        assert _attendances(meanwhile) == "7"
        assert _worked_out(meanwhile).startswith(f"Figures worked out at {start:%H:%M};")
        assert _csv_attendances(organiser_client.get(CSV)) == "7"
        cache.delete(renewing)  # that request is done
        after = organiser_client.get(DASHBOARD)
        assert _attendances(after) == "8"
        assert _worked_out(after).startswith(f"Figures worked out at {later:%H:%M};")


def test_the_request_that_finds_the_figures_old_works_them_out_itself_and_lets_go(
    organiser_client,
):
    start = _seen_then_dan_came(organiser_client)
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "8"
        # It let go of the work: the next request to find them old may take it on.
        assert _renewing_elsewhere()


def test_a_request_that_fails_to_work_the_figures_out_lets_another_take_it_on(organiser):
    period = dashboard.Period()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        kept = dashboard.dashboard_figures(period, viewer=dashboard.PROTECTED)

    def failing():
        raise RuntimeError("the database went away")

    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        with pytest.raises(RuntimeError):
            caching.figures_cached(
                period, viewer=dashboard.PROTECTED, now=timezone.now(), work=failing
            )
        renewed = dashboard.dashboard_figures(period, viewer=dashboard.PROTECTED)
    assert kept["worked_out_at"] == start
    assert renewed["worked_out_at"] == start + datetime.timedelta(minutes=11)


def test_a_request_that_died_working_the_figures_out_holds_them_back_five_minutes_at_most(
    organiser_client,
):
    start = _seen_then_dan_came(organiser_client)
    claimed = start + datetime.timedelta(minutes=11)
    with time_machine.travel(claimed, tick=False):
        _renewing_elsewhere()  # and never lets go
    with time_machine.travel(claimed + datetime.timedelta(seconds=299), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "7"
    with time_machine.travel(claimed + datetime.timedelta(minutes=5), tick=False):
        assert _attendances(organiser_client.get(DASHBOARD)) == "8"


def test_dropped_figures_are_never_shown_while_another_request_works_them_out(organiser_client):
    organiser_client.get(DASHBOARD)
    _dan_came_to_the_first_session()
    _renewing_elsewhere()
    caching.figures_forget(dashboard.Period(), viewer=dashboard.PROTECTED)
    assert _attendances(organiser_client.get(DASHBOARD)) == "8"


def test_figures_nobody_looked_at_for_an_hour_are_worked_out_afresh(client, organiser):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(organiser)
        client.get(DASHBOARD)
    _dan_came_to_the_first_session()
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        client.force_login(organiser)  # their session too has ended, idle
        _renewing_elsewhere()  # even with another request at work, there is nothing to show
        assert _attendances(client.get(DASHBOARD)) == "8"


def test_dropping_the_figures_drops_every_page_drawn_from_them(organiser_client):
    asked = {"start": "2025-03-06"}
    assert _attendances(organiser_client.get(DASHBOARD, asked)) == "7"
    assert _attendances(organiser_client.get(DASHBOARD, {"start": "2025-03-01"})) == "7"
    _dan_came_to_the_first_session()
    assert _attendances(organiser_client.get(DASHBOARD, asked)) == "7"
    caching.figures_forget(dashboard.Period(datetime.date(2025, 3, 1)), viewer=dashboard.PROTECTED)
    assert _attendances(organiser_client.get(DASHBOARD, asked)) == "8"
    assert _attendances(organiser_client.get(DASHBOARD, {"start": "2025-03-01"})) == "8"


# Queries ---------------------------------------------------------------------------------------


def test_a_warm_page_asks_the_database_nothing(organiser_client, django_assert_num_queries):
    """As before the page was kept whole: the member and the figures come from the cache."""
    organiser_client.get(DASHBOARD, APRIL_MAY)
    with django_assert_num_queries(0):
        organiser_client.get(DASHBOARD, APRIL_MAY)
