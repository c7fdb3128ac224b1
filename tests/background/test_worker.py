"""The queue and the worker (`run_worker`) on real PostgreSQL: a task queued in a transaction
runs once if it commits and never if it rolls back; worker processes run each schedule's slot
once between them; a killed worker's task is reaped; a worker outlives its database going away.

The process tests start `manage.py run_worker` as production does, against the test database,
and stop them before the test's data is cleared."""

import contextlib
import select
import signal
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cop_portal.background.models import ScheduleRun, WorkerHeartbeat
from cop_portal.background.reaper import MAX_ATTEMPTS, stalled_reap
from cop_portal.background.schedules import schedules

from ..network import closed_port
from ..tasks import tasks_run
from ..workers import HEARTBEAT, wait_until
from . import example_tasks


class Rollback(Exception):
    pass


# In the change's transaction ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_once_if_its_transaction_commits_and_never_if_it_rolls_back():
    with contextlib.suppress(Rollback), transaction.atomic():
        example_tasks.echo.enqueue("rolled back")
        raise Rollback
    with transaction.atomic():
        committed = example_tasks.echo.enqueue("committed")

    assert tasks_run() == 1
    assert tasks_run() == 0

    (result,) = DBTaskResult.objects.all()
    assert (str(result.id), result.status, result.return_value) == (
        committed.id,
        TaskResultStatus.SUCCESSFUL,
        "committed",
    )


def test_tasks_queued_in_a_test_transaction_run_in_it(db):
    """The helper other tests use: the worker runs inside the `db` fixture's transaction."""
    result = example_tasks.echo.enqueue(["a", 1])

    assert tasks_run() == 1

    result.refresh()
    assert (result.status, result.return_value, result.worker_ids) == (
        TaskResultStatus.SUCCESSFUL,
        ["a", 1],
        ["test-worker"],
    )


# Worker processes --------------------------------------------------------------------------


def test_two_workers_run_every_schedule_once_between_them(workers):
    first, second = workers(), workers()
    names = {schedule.name for schedule in schedules()}

    def all_ran():
        runs = ScheduleRun.objects.all()
        return {r.name for r in runs} == names and all(
            r.status == ScheduleRun.Status.SUCCEEDED for r in runs
        )

    wait_until(all_ran, what="every schedule to run")
    wait_until(lambda: WorkerHeartbeat.objects.count() == 2, what="both heartbeats")
    time.sleep(10 * HEARTBEAT)  # more ticks from both, which must claim nothing more

    # One run per slot (a schedule that runs every minute may have reached its next slot) and
    # one task per run, run by one worker once.
    runs = list(ScheduleRun.objects.all())
    assert len(runs) == len({(r.name, r.slot) for r in runs})
    assert len(runs) <= len(names) + 1
    results = DBTaskResult.objects.all()
    assert sorted(str(r.id) for r in results) == sorted(str(r.task_id) for r in runs)
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in results)
    assert all(len(r.worker_ids) == 1 for r in results)
    for process in (first, second):
        process.terminate()
        assert process.wait(timeout=15) == 0, process.log.read_text()


def _killed_mid_task(workers, tmp_path, task):
    """A worker that is killed (SIGKILL: no goodbye) while running `task`; returns the task's
    result and the file that lets it finish."""
    release = tmp_path / "release"
    result = task.enqueue(str(release))
    worker = workers("--no-scheduler")
    wait_until(
        lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING,
        what="the worker to start the task",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=15)
    return DBTaskResult.objects.get(pk=result.id), release


def test_a_killed_workers_task_is_failed_with_the_reason(workers, tmp_path):
    result, _ = _killed_mid_task(workers, tmp_path, example_tasks.wait_for)

    assert stalled_reap() == 0  # its heartbeats have not stopped for long enough yet
    time.sleep(5 * HEARTBEAT)
    assert stalled_reap() == 1

    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "cop_portal.background.reaper.WorkerLost"
    assert f"worker {result.worker_ids[0]} stopped while running it" in result.traceback


def test_a_killed_workers_idempotent_task_is_queued_again_and_another_worker_runs_it(
    workers, tmp_path
):
    result, release = _killed_mid_task(workers, tmp_path, example_tasks.wait_for_restartable)
    lost_worker = result.worker_ids[0]
    release.touch()

    # The second worker's own heartbeat thread does the reaping.
    workers("--no-scheduler")
    wait_until(
        lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL,
        what="the second worker to run the task again",
    )

    result.refresh_from_db()
    assert result.return_value == "done"
    assert result.worker_ids[0] == lost_worker
    assert len(result.worker_ids) == 2


class Relay:
    """A TCP relay to PostgreSQL that can be cut, as a network fault or a database restart
    cuts a worker off: `cut()` closes every connection through it and refuses new ones until
    `mend()`."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.generation = 0  # a cut ends the connections of the generation before it
        self.open = True
        self.closed = False
        self.threads = [threading.Thread(target=self._accept)]
        self.threads[0].start()

    def _accept(self):
        with self.listener:
            while not self.closed:
                try:
                    client, _ = self.listener.accept()
                except TimeoutError:
                    continue
                if not self.open:
                    client.close()
                    continue
                thread = threading.Thread(target=self._relay, args=(client, self.generation))
                self.threads.append(thread)
                thread.start()

    def _relay(self, client, generation):
        with (
            client,
            socket.create_connection(self.target) as upstream,
            contextlib.suppress(OSError),
        ):
            other = {client: upstream, upstream: client}
            while self.generation == generation:
                readable, _, _ = select.select([client, upstream], [], [], 0.05)
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    other[end].sendall(data)

    def cut(self):
        self.open = False
        self.generation += 1

    def mend(self):
        self.open = True

    def close(self):
        self.cut()
        self.closed = True
        for thread in self.threads:
            thread.join(timeout=5)


@pytest.fixture
def relay():
    database = connection.settings_dict
    relay = Relay((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
    yield relay
    relay.close()


def test_a_worker_outlives_its_database_going_away_and_runs_tasks_once_it_is_back(workers, relay):
    worker = workers("--no-scheduler", port=relay.port)
    wait_until(lambda: WorkerHeartbeat.objects.exists(), what="the worker's first heartbeat")

    relay.cut()
    time.sleep(2)
    result = example_tasks.echo.enqueue("after the outage")
    time.sleep(1)
    assert worker.poll() is None, worker.log.read_text()
    relay.mend()

    wait_until(
        lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL,
        what="the task queued during the outage to run",
    )
    log = worker.log.read_text()
    assert "cannot reach the database" in log
    worker.terminate()
    assert worker.wait(timeout=15) == 0, log


def test_a_worker_started_while_the_database_is_unreachable_waits_for_it(workers):
    worker = workers(port=closed_port())

    wait_until(
        lambda: worker.log.read_text().count("cannot reach the database") >= 2,
        what="the worker to try twice",
    )

    assert worker.poll() is None
    worker.terminate()
    assert worker.wait(timeout=15) == 0


# The reaper's rules ------------------------------------------------------------------------


def _running(task, *, worker_ids, started_ago):
    result = task.enqueue("x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - started_ago,
    )
    return DBTaskResult.objects.get(pk=result.id)


def _heartbeat(worker_id, *, seen_ago):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="here",
        pid=1,
        started_at=now - timedelta(hours=1),
        last_seen=now - seen_ago,
        every_seconds=15,
    )


def test_the_reaper_leaves_the_tasks_of_live_workers_alone(db):
    _heartbeat("alive", seen_ago=timedelta(seconds=20))
    task = _running(example_tasks.wait_for, worker_ids=["alive"], started_ago=timedelta(hours=1))

    assert stalled_reap() == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_the_reaper_gives_up_on_an_idempotent_task_that_keeps_losing_its_worker(db):
    _heartbeat("third", seen_ago=timedelta(minutes=5))
    lost = ["first", "second", "third"]
    assert len(lost) == MAX_ATTEMPTS
    task = _running(
        example_tasks.wait_for_restartable, worker_ids=lost, started_ago=timedelta(minutes=5)
    )

    assert stalled_reap() == 1

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED


def test_a_task_whose_worker_never_sent_a_heartbeat_is_reaped_after_ten_minutes(db):
    recent = _running(
        example_tasks.wait_for, worker_ids=["quiet"], started_ago=timedelta(minutes=9)
    )
    old = _running(example_tasks.wait_for, worker_ids=["quiet"], started_ago=timedelta(minutes=11))

    assert stalled_reap() == 1

    recent.refresh_from_db()
    old.refresh_from_db()
    assert (recent.status, old.status) == (TaskResultStatus.RUNNING, TaskResultStatus.FAILED)


def test_a_reaped_scheduled_run_that_is_not_retried_is_marked_failed(db):
    run = ScheduleRun.objects.create(
        name="x", slot=timezone.now(), status=ScheduleRun.Status.RUNNING
    )
    task = _running(example_tasks.wait_for, worker_ids=["gone"], started_ago=timedelta(hours=1))
    ScheduleRun.objects.filter(pk=run.pk).update(task_id=task.id)

    stalled_reap()

    run.refresh_from_db()
    assert (run.status, run.error) == (
        ScheduleRun.Status.FAILED,
        "worker gone stopped while running it",
    )
