"""Where a late schedule shows: `/health/schedules/` for monitoring, and a line on the
organisers' index page. The load balancer's `/health/` does not change."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from cop_portal.background.schedules import schedules

pytestmark = pytest.mark.django_db

ANSWER = "tests.background.example_tasks.answer"


@pytest.fixture(autouse=True)
def _schedules(settings):
    settings.BACKGROUND_SCHEDULES = {
        "reminders": {"task": ANSWER, "every": timedelta(minutes=15)},
        "releases": {"task": ANSWER, "every": timedelta(minutes=5)},
        "purge": {"task": ANSWER, "at": time(3, 0)},
    }


def _succeeded_just_now(*, but=(), ago=timedelta(hours=2)):
    """Every schedule's latest slot succeeded a minute ago, except those named in `but`, whose
    last success was `ago`."""
    now = timezone.now()
    for schedule in schedules():
        when = now - ago if schedule.name in but else now
        ScheduleRun.objects.create(
            name=schedule.name,
            slot=schedule.slot_at(when),
            status=ScheduleRun.Status.SUCCEEDED,
            started_at=when - timedelta(minutes=1),
            finished_at=when - timedelta(minutes=1),
        )


def test_all_schedules_on_time_answer_200_with_names_and_ages_only(client):
    _succeeded_just_now()

    response = client.get("/health/schedules/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    body = response.json()
    assert (body["status"], body["late"]) == ("ok", [])
    assert list(body["schedules"]) == ["reminders", "releases", "purge"]
    for ages in body["schedules"].values():
        assert set(ages) == {"last_ran_seconds_ago", "last_succeeded_seconds_ago"}
        assert 55 <= ages["last_succeeded_seconds_ago"] <= 120


def test_a_late_schedule_answers_503_and_is_named(client):
    _succeeded_just_now(but=["reminders"])

    response = client.get(reverse("schedules_health"))

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["late"]) == ("late", ["reminders"])
    assert 7200 <= body["schedules"]["reminders"]["last_succeeded_seconds_ago"] < 7300


def test_a_schedule_that_never_ran_is_late(client):
    response = client.get(reverse("schedules_health"))

    assert response.status_code == 503
    body = response.json()
    assert body["late"] == ["reminders", "releases", "purge"]
    assert body["schedules"]["purge"] == {
        "last_ran_seconds_ago": None,
        "last_succeeded_seconds_ago": None,
    }


def test_a_schedule_whose_runs_fail_is_late_though_it_runs(client):
    _succeeded_just_now(but=["releases"])
    ScheduleRun.objects.create(
        name="releases",
        slot=timezone.now() - timedelta(minutes=1),
        status=ScheduleRun.Status.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        error="RuntimeError: it went wrong",
    )

    body = client.get(reverse("schedules_health")).json()

    assert body["late"] == ["releases"]
    assert body["schedules"]["releases"]["last_ran_seconds_ago"] == 0
    assert "went wrong" not in str(body)


def test_the_load_balancers_health_check_ignores_schedules(client):
    response = client.get(reverse("health"))

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_organisers_index_says_which_schedules_are_late(organiser_client):
    _succeeded_just_now(but=["reminders", "purge"], ago=timedelta(days=2))

    page = organiser_client.get(reverse("members:organise")).content.decode()

    assert (
        '<p class="alert alert-warning">Background work is late (reminders, purge): '
        "reminders and other scheduled emails may not be going out. Tell whoever runs the "
        'portal’s servers. <a href="/organise/background/">See the background work</a>.</p>'
    ) in page


def test_the_organisers_index_says_nothing_when_all_is_on_time(organiser_client):
    _succeeded_just_now()

    page = organiser_client.get(reverse("members:organise")).content.decode()

    assert "Background work is late" not in page
