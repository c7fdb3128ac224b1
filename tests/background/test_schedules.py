"""Schedules in code (cop_portal.background.schedules): when a slot falls due, that each slot is
claimed and run once however many workers tick, and what a run records."""

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import checks
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cop_portal.background.models import ScheduleRun
from cop_portal.background.schedules import Schedule, schedules, statuses, tick

from ..tasks import tasks_run

EVERY_15 = Schedule(
    name="often", task_path="tests.background.example_tasks.echo", every=timedelta(minutes=15)
)
DAILY_0830 = Schedule(name="daily", task_path="tests.background.example_tasks.echo", at=time(8, 30))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# When a slot falls due ---------------------------------------------------------------------


def test_interval_slots_fall_on_the_quarter_hours():
    assert EVERY_15.slot_at(utc(2026, 5, 4, 10, 14, 59)) == utc(2026, 5, 4, 10, 0)
    assert EVERY_15.slot_at(utc(2026, 5, 4, 10, 15)) == utc(2026, 5, 4, 10, 15)


@pytest.mark.parametrize(
    ("moment", "slot"),
    [
        # Winter: 08:30 in London is 08:30 UTC; before it, yesterday's slot is the latest.
        (utc(2026, 1, 15, 8, 29), utc(2026, 1, 14, 8, 30)),
        (utc(2026, 1, 15, 8, 30), utc(2026, 1, 15, 8, 30)),
        # The clocks go forward in the night of 29 March 2026: the slot moves an hour in UTC.
        (utc(2026, 3, 29, 7, 29), utc(2026, 3, 28, 8, 30)),
        (utc(2026, 3, 29, 7, 30), utc(2026, 3, 29, 7, 30)),
        (utc(2026, 7, 1, 12, 0), utc(2026, 7, 1, 7, 30)),
        # And back on 25 October 2026.
        (utc(2026, 10, 25, 8, 29), utc(2026, 10, 24, 7, 30)),
        (utc(2026, 10, 25, 8, 30), utc(2026, 10, 25, 8, 30)),
    ],
)
def test_a_daily_slot_keeps_to_the_uk_wall_clock_across_the_clock_changes(moment, slot):
    assert DAILY_0830.slot_at(moment) == slot


@pytest.mark.parametrize(
    ("now", "late"),
    [
        # 08:30 BST on 29 March is 07:30 UTC; it has an hour to succeed.
        (utc(2026, 3, 29, 8, 29), False),
        (utc(2026, 3, 29, 8, 31), True),
    ],
)
def test_a_daily_schedule_is_late_an_hour_after_its_wall_clock_time(settings, db, now, late):
    settings.BACKGROUND_SCHEDULES = {"daily": {"task": DAILY_0830.task_path, "at": time(8, 30)}}
    ScheduleRun.objects.create(
        name="daily", slot=utc(2026, 3, 28, 8, 30), status=ScheduleRun.Status.SUCCEEDED
    )

    (status,) = statuses(now)

    assert status.late is late


def test_the_settings_name_a_task_and_a_time_for_every_schedule():
    assert {s.name for s in schedules()} == {
        "event-reminders",
        "survey-reminders",
        "survey-releases",
        "action-reminders",
        "action-follow-ups",
        "after-session-emails",
        "organiser-waiting",
        "member-digests",
        "audit-purge",
        "guests-forget",
        "sessions-clear",
        "housekeeping",
        "email-delivery",
        "email-records-purge",
    }
    assert [m for m in checks.run_checks() if m.id.startswith("background.")] == []


def test_the_system_check_catches_a_schedule_with_no_task_or_no_time_or_a_title_not_in_words(
    settings,
):
    settings.BACKGROUND_SCHEDULES = {
        "no-task": {"task": "tests.background.example_tasks.missing", "every": timedelta(hours=1)},
        "no-time": {"task": "tests.background.example_tasks.echo"},
        "both": {
            "task": "tests.background.example_tasks.echo",
            "every": timedelta(hours=1),
            "at": time(3),
        },
        "untitled": {
            "task": "tests.background.example_tasks.echo",
            "at": time(3),
            "title": ["not", "words"],
        },
    }

    found = [
        (m.id, m.msg.split(":")[0]) for m in checks.run_checks() if m.id.startswith("background.")
    ]

    assert found == [
        ("background.E001", "BACKGROUND_SCHEDULES['no-task']"),
        ("background.E002", "BACKGROUND_SCHEDULES['no-time']"),
        ("background.E002", "BACKGROUND_SCHEDULES['both']"),
        ("background.E004", "BACKGROUND_SCHEDULES['untitled']"),
    ]


# Claiming a slot once ----------------------------------------------------------------------


@pytest.fixture
def two_schedules(settings):
    settings.BACKGROUND_SCHEDULES = {
        "often": {"task": "tests.background.example_tasks.echo", "every": timedelta(minutes=15)},
        "daily": {"task": "tests.background.example_tasks.echo", "at": time(8, 30)},
    }


def test_a_tick_claims_each_due_slot_once_and_queues_one_run(db, two_schedules):
    now = utc(2026, 5, 4, 10, 5)

    assert tick(now) == ["often", "daily"]
    assert tick(now) == []
    assert tick(now + timedelta(minutes=9)) == []
    assert tick(now + timedelta(minutes=10)) == ["often"]

    runs = ScheduleRun.objects.order_by("slot", "name")
    assert [(r.name, r.slot, r.status) for r in runs] == [
        ("daily", utc(2026, 5, 4, 7, 30), ScheduleRun.Status.QUEUED),
        ("often", utc(2026, 5, 4, 10, 0), ScheduleRun.Status.QUEUED),
        ("often", utc(2026, 5, 4, 10, 15), ScheduleRun.Status.QUEUED),
    ]
    tasks = DBTaskResult.objects.all()
    assert sorted(str(t.id) for t in tasks) == sorted(str(r.task_id) for r in runs)
    assert {t.task_path for t in tasks} == {"cop_portal.background.schedules.schedule_run"}


def test_workers_back_after_a_day_run_each_schedule_once_not_once_per_missed_slot(
    db, two_schedules
):
    tick(utc(2026, 5, 4, 10, 5))

    assert tick(utc(2026, 5, 5, 10, 5)) == ["often", "daily"]
    assert ScheduleRun.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_the_same_instant_claim_each_slot_once(two_schedules):
    """The race itself: two threads (two connections, as two workers have) read that no slot is
    claimed and insert at once, twenty times over; the unique row lets one through each time."""
    rounds = 20
    start = utc(2026, 5, 4, 10, 5)
    barrier = threading.Barrier(2)
    claimed = {0: [], 1: []}
    errors = []

    def worker(number):
        try:
            for n in range(rounds):
                barrier.wait(timeout=10)
                claimed[number] += tick(start + n * timedelta(days=1))
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(claimed[0]) + len(claimed[1]) == 2 * rounds
    assert ScheduleRun.objects.count() == 2 * rounds
    assert DBTaskResult.objects.count() == 2 * rounds


# What a run records ------------------------------------------------------------------------


def test_a_run_records_when_it_ran_and_what_its_task_returned(db, settings):
    settings.BACKGROUND_SCHEDULES = {
        "answer": {"task": "tests.background.example_tasks.answer", "every": timedelta(minutes=5)}
    }

    tick()
    tasks_run()

    run = ScheduleRun.objects.get()
    assert (run.status, run.outcome, run.error) == (ScheduleRun.Status.SUCCEEDED, 42, "")
    assert run.queued_at <= run.started_at <= run.finished_at
    assert DBTaskResult.objects.get(pk=run.task_id).return_value == 42
    (status,) = statuses()
    assert (status.last_ran, status.last_succeeded, status.late) == (
        run.started_at,
        run.finished_at,
        False,
    )


def test_a_failing_task_fails_its_run_and_is_tried_twice_more_before_its_task_fails(db, settings):
    """Scheduled runs are retrying (a daily schedule would otherwise wait a day after a passing
    fault): a minute after the first failure, two after the second, then no more."""
    settings.BACKGROUND_SCHEDULES = {
        "broken": {"task": "tests.background.example_tasks.broken", "at": time(3)}
    }

    tick()
    waits = []
    for _ in range(3):
        assert tasks_run() == 1
        run = ScheduleRun.objects.get()
        assert (run.status, run.error) == (
            ScheduleRun.Status.FAILED,
            "RuntimeError: the task went wrong",
        )
        result = DBTaskResult.objects.get(pk=run.task_id)
        if result.status == TaskResultStatus.READY:
            waits.append(result.run_after - result.finished_at)
            DBTaskResult.objects.filter(pk=result.pk).update(run_after=result.finished_at)

    assert (result.status, len(result.worker_ids)) == (TaskResultStatus.FAILED, 3)
    # The waits, with up to a tenth more at random.
    assert len(waits) == 2
    assert timedelta(minutes=1) <= waits[0] <= timedelta(minutes=1.1)
    assert timedelta(minutes=2) <= waits[1] <= timedelta(minutes=2.2)
    (status,) = statuses()
    assert (status.last_ran, status.last_succeeded) == (run.started_at, None)
