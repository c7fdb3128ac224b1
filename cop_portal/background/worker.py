"""The worker `run_worker` runs: django-tasks-db's, with what it lacks for running unattended.

- It outlives the database going away. django-tasks-db's worker exits on any database error
  (and under a process manager one exiting process can stop the others); this one logs, closes
  the connection, waits (1, 2, 4… up to 30 seconds) and goes on. Tasks it was running when the
  database went are reaped as soon as it is back.
- A heartbeat thread records that the worker is alive, ticks the schedules
  (cop_portal.background.schedules) and reaps the tasks of workers that have died
  (cop_portal.background.reaper).
- A task declared `retrying` that raises is put back in the queue with back-off instead of
  staying FAILED (cop_portal.background.retries)."""

import contextlib
import logging
import os
import socket
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from django.db import connection as db_connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker

from .reaper import heartbeat_record, stalled_reap
from .retries import failure_retry, retry_policy
from .schedules import tick

logger = logging.getLogger(__name__)

DATABASE_LOST = (OperationalError, InterfaceError)
LONGEST_WAIT = 30  # seconds between attempts to reach the database, at most
REAP_EVERY_BEATS = 4


_running_worker_id: str | None = None


def running_worker_id() -> str | None:
    """The id of the worker running in this process, if one is: what a task records as the
    holder of something it claims, so that the claim can be released if the worker dies."""
    return _running_worker_id


def worker_id_default() -> str:
    """Unique across the pool, as django-tasks-db asks, and says where the worker runs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _connection_drop() -> None:
    # A connection that is already gone fails to close; the next query opens a new one.
    with contextlib.suppress(DatabaseError):
        db_connection.close()


class Worker(DatabaseWorker):
    """django-tasks-db's worker, which runs through database outages and, given a `heartbeat`
    (seconds), runs the heartbeat thread: heartbeats, schedules (unless `scheduler` is off) and
    the reaper. In `batch` mode (run what is queued, then stop) an outage is an error."""

    def __init__(self, *, heartbeat: float | None = None, scheduler: bool = True, **options):
        super().__init__(**options)
        self.heartbeat = heartbeat
        self.scheduler = scheduler
        self.started_at = timezone.now()
        self._stopping = threading.Event()
        self._beats = 0

    @property
    def tasks_done(self) -> int:
        return self._run_tasks

    def run(self) -> None:
        global _running_worker_id
        _running_worker_id = self.worker_id
        beating = None
        if self.heartbeat:
            beating = threading.Thread(target=self._beat_until_stopped, name="heartbeat")
            beating.daemon = True
            beating.start()
        try:
            self._run_through_outages()
        finally:
            self._stopping.set()
            if beating:
                beating.join(timeout=10)

    def run_task(self, db_task_result) -> None:
        """django-tasks-db's, which records a task that raised as FAILED; then, for a task
        declared `retrying` with attempts left, back in the queue for its next try."""
        super().run_task(db_task_result)
        if db_task_result.status != TaskResultStatus.FAILED:
            return
        self.running_task = True  # a SIGTERM now lets this write finish before stopping
        try:
            failure_retry(db_task_result, policy=retry_policy(db_task_result.task_path))
        finally:
            self.running_task = False

    def _run_through_outages(self) -> None:
        wait, lost_at, lost_tasks = 1, 0.0, False
        while True:
            try:
                if lost_tasks:
                    stalled_reap(worker_id=self.worker_id)
                    lost_tasks = False
                super().run()
                return
            except DATABASE_LOST as error:
                if self.batch:
                    raise
                if not self.running:
                    return  # asked to stop: no need to wait for the database
                self.running_task = False  # so that a SIGTERM while waiting stops at once
                if time.monotonic() - lost_at > 2 * LONGEST_WAIT:
                    wait = 1  # a new outage, not the same one going on
                lost_at, lost_tasks = time.monotonic(), True
                logger.warning(
                    "Worker %s cannot reach the database (%s); trying again in %d s",
                    self.worker_id,
                    _first_line(error),
                    wait,
                )
                _connection_drop()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)

    def _beat_until_stopped(self) -> None:
        try:
            while not self._stopping.is_set():
                self.beat()
                self._stopping.wait(self.heartbeat)
        finally:
            _connection_drop()

    def beat(self) -> None:
        """Say this worker is alive, queue the schedules that are due and, every few beats,
        reap stalled tasks. A failure is logged and the next beat tries again."""
        try:
            close_old_connections()
            heartbeat_record(
                worker_id=self.worker_id, every=self.heartbeat, started_at=self.started_at
            )
            if self.scheduler:
                tick()
            if self._beats % REAP_EVERY_BEATS == 0:
                stalled_reap()
        except DATABASE_LOST as error:
            logger.warning(
                "Heartbeat of worker %s cannot reach the database (%s)",
                self.worker_id,
                _first_line(error),
            )
            _connection_drop()
        except Exception:
            logger.exception("Heartbeat of worker %s failed", self.worker_id)
        finally:
            self._beats += 1
            close_old_connections()
