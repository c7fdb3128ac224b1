"""Heartbeats and the reaper. A task left RUNNING by a worker that has stopped (killed, out of
memory, its machine gone) would stay RUNNING for ever: django-tasks-db has no way to notice.
Every worker records a heartbeat (`WorkerHeartbeat`); a running task whose worker has missed
`MISSED_BEATS` heartbeats is failed, with the reason, or put back in the queue when its task is
marked `idempotent` (up to `MAX_ATTEMPTS` runs) or `retrying` (up to its own limit, after its
back-off: a lost worker is one more failed attempt, cop_portal.background.retries)."""

import logging
import os
import socket
from datetime import datetime, timedelta

from django.tasks import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .models import ScheduleRun, WorkerHeartbeat
from .retries import RetryPolicy, failure_retry, retry_policy

logger = logging.getLogger(__name__)

# A worker is dead once it has missed this many heartbeats in a row.
MISSED_BEATS = 4
# A running task whose worker never sent a heartbeat (it was run by plain `db_worker`, say) is
# taken as lost after this long.
UNKNOWN_WORKER_GRACE = timedelta(minutes=10)
# Runs of an idempotent task, counting the first, before a lost worker fails it for good: a task
# that kills its worker every time (running out of memory, say) must not loop for ever.
MAX_ATTEMPTS = 3
# What an idempotent task that is not `retrying` gets: straight back in the queue.
RESTART = RetryPolicy(max_attempts=MAX_ATTEMPTS, base_delay=timedelta(0), jitter=0)

_IDEMPOTENT: set[str] = set()


class WorkerLost(Exception):
    """What a reaped task failed with: its worker stopped while running it."""


def idempotent(task: Task) -> Task:
    """Mark a task as safe to run again from the start: when its worker dies while running it,
    the reaper puts it back in the queue instead of failing it."""
    _IDEMPOTENT.add(task.module_path)
    return task


def heartbeat_record(*, worker_id: str, every: float, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": timezone.now(), "every_seconds": every},
        create_defaults={
            "last_seen": timezone.now(),
            "every_seconds": every,
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
        },
    )


def restart_policy(task_path: str) -> RetryPolicy | None:
    """How a task whose worker died is run again: by its own retry policy, by RESTART when it
    is only idempotent, or not at all (None). Its `max_attempts` is the task's limit of runs."""
    if policy := retry_policy(task_path):  # imports the task's module, which marks it
        return policy
    return RESTART if task_path in _IDEMPOTENT else None


def _reap(result: DBTaskResult, *, now: datetime) -> None:
    worker = result.worker_ids[-1] if result.worker_ids else "unknown"
    reason = f"worker {worker} stopped while running it"
    # Failed first, so that the row keeps the reason while it waits to run again.
    result.set_failed(WorkerLost(reason))
    if failure_retry(result, policy=restart_policy(result.task_path), now=now):
        logger.warning(
            "Task %s (%s) put back in the queue: worker %s stopped while running it",
            result.id,
            result.task_path,
            worker,
        )
        return
    ScheduleRun.objects.filter(
        task_id=result.id, status__in=[ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING]
    ).update(status=ScheduleRun.Status.FAILED, error=reason, finished_at=now)
    logger.error("Task %s (%s) failed: %s", result.id, result.task_path, reason)


def stalled_reap(*, now: datetime | None = None, worker_id: str | None = None) -> int:
    """Fail, or put back in the queue, the tasks left running by workers that have died, and
    return how many. With `worker_id`: that worker's own running tasks, which it knows are no
    longer running (it lost the database while running them)."""
    now = now or timezone.now()
    with exclusive_transaction():
        running = list(DBTaskResult.objects.running().select_for_update(skip_locked=True))
        last_workers = {result.worker_ids[-1] for result in running if result.worker_ids}
        beats = {
            beat.worker_id: beat
            for beat in WorkerHeartbeat.objects.filter(worker_id__in=last_workers)
        }
        reaped = 0
        for result in running:
            last = result.worker_ids[-1] if result.worker_ids else None
            if worker_id is not None:
                lost = last == worker_id
            elif beat := beats.get(last):
                lost = beat.last_seen < now - MISSED_BEATS * timedelta(seconds=beat.every_seconds)
            else:
                lost = result.started_at < now - UNKNOWN_WORKER_GRACE
            if lost:
                _reap(result, now=now)
                reaped += 1
    return reaped
