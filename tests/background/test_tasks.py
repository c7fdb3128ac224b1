"""The plumbing's own scheduled tasks: clearing expired sessions (Django's `clearsessions`,
once run from cron) and housekeeping of the queue's records."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cop_portal.background.models import ScheduleRun, WorkerHeartbeat

from ..tasks import scheduled_run
from . import example_tasks

pytestmark = pytest.mark.django_db


def test_the_sessions_clear_schedule_deletes_expired_sessions_only():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="", expire_date=now + timedelta(1))

    run = scheduled_run("sessions-clear")

    assert run.status == ScheduleRun.Status.SUCCEEDED
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


def _finished(status, *, days_ago):
    result = example_tasks.echo.enqueue(days_ago)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - timedelta(days=days_ago)
    )
    return result.id


def test_housekeeping_keeps_a_week_of_finished_tasks_a_month_of_failures_and_runs():
    now = timezone.now()
    kept = [
        _finished(TaskResultStatus.SUCCESSFUL, days_ago=6),
        _finished(TaskResultStatus.FAILED, days_ago=29),
        example_tasks.echo.enqueue("waiting").id,
    ]
    _finished(TaskResultStatus.SUCCESSFUL, days_ago=8)
    _finished(TaskResultStatus.FAILED, days_ago=31)
    ScheduleRun.objects.create(name="old", slot=now - timedelta(days=31))
    for worker, seen in (("stopped", timedelta(days=2)), ("alive", timedelta(seconds=5))):
        WorkerHeartbeat.objects.create(
            worker_id=worker,
            hostname="h",
            pid=1,
            started_at=now,
            last_seen=now - seen,
            every_seconds=15,
        )

    run = scheduled_run("housekeeping")

    assert run.outcome == {"task_results": 2, "schedule_runs": 1, "worker_heartbeats": 1}
    remaining = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(pk) for pk in remaining} == {*map(str, kept), str(run.task_id)}
    assert list(ScheduleRun.objects.values_list("name", flat=True)) == ["housekeeping"]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
