"""Running queued tasks in a test: through the worker `run_worker` runs, in this process, on
the test database. It works inside a test's transaction too (the `db` fixture), where the tasks
see what the test wrote."""

from contextlib import nullcontext
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tasks_db.management.commands import db_worker

from cop_portal.background.models import ScheduleRun
from cop_portal.background.schedules import tick
from cop_portal.background.worker import Worker


def tasks_run(queues: str = "*") -> int:
    """Run every task that is ready, as a worker would, until none is left; returns how many
    ran. Tasks queued by these tasks run too."""
    worker = Worker(
        queue_names=queues.split(","),
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    # Between tasks the worker drops a connection that is stale, as Django does between
    # requests; one inside a transaction counts as stale. Inside a test's transaction that would
    # close the connection the test's data lives on, and nothing there is stale, so it is left
    # alone, as Django's test client does for requests (it disconnects close_old_connections).
    keep = connection.in_atomic_block
    with (
        mock.patch.object(db_worker, "close_old_connections", return_value=None)
        if keep
        else nullcontext()
    ):
        worker.run()
    return worker.tasks_done


def scheduled_run(name: str) -> ScheduleRun:
    """Run the schedule `name` as the workers would (`BACKGROUND_SCHEDULES` names its task): a
    tick claims its current slot and queues it, a worker runs it. Returns the run's record."""
    with override_settings(BACKGROUND_SCHEDULES={name: settings.BACKGROUND_SCHEDULES[name]}):
        assert tick() == [name]
        tasks_run()
    return ScheduleRun.objects.get(name=name)
