"""Retries with back-off, and the dead letter.

django-tasks-db runs a task once: if it raises, its result is FAILED for good. A task declared
`@retrying(...)` is put back in the queue instead, to run again after a wait that doubles each
time (30 s, 1 min, 2 min… by default, at most `max_delay`, plus a little random jitter so that
tasks that failed together, say while the mail server was down, do not all come back at the
same moment). The task's row is the one django-tasks-db keeps: it goes back to READY with
`run_after` set to the next try, and its error (`exception_class_path`, `traceback`, and
`finished_at` for when) stays on it until a run succeeds, so the organisers' page can say why it
is waiting. (django-tasks-db's `ready()` leaves a task alone until its `run_after`.)

An attempt is one run of the task, counted from the row's `worker_ids` (each worker that claims
the task adds itself), whether the run raised or its worker died under it (the reaper): one
count, one limit per task. A task that has used its attempts stays FAILED: that is the dead
letter, listed for organisers with a "Try again" button (`failed_retry`), which gives it one
more attempt.

Only a task that is safe to run again from the start may be retrying: a retry repeats whatever
the failed run did before it raised. So nothing retries unless it says so."""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a task runs in all (`max_attempts`, counting the first run) and how long it
    waits between runs: `base_delay` after the first failure, doubling after each one, never
    more than `max_delay`, lengthened by up to `jitter` of itself at random."""

    max_attempts: int
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    jitter: float = 0.1

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th run failed, before jitter."""
        return min(self.base_delay * 2 ** (attempts - 1), self.max_delay)

    def next_try(self, *, failed_at: datetime, attempts: int) -> datetime:
        wait = self.backoff(attempts)
        return failed_at + wait * (1 + random.uniform(0, self.jitter))  # noqa: S311 - not a secret


_RETRYING: dict[str, RetryPolicy] = {}


def retrying(
    *,
    max_attempts: int = 5,
    base_delay: timedelta = timedelta(seconds=30),
    max_delay: timedelta = timedelta(hours=1),
    jitter: float = 0.1,
):
    """Declare that a task which raises is run again, up to `max_attempts` runs in all, with
    back-off between them (see RetryPolicy). Goes above `@task`. The task must be safe to run
    again from the start; a worker dying under it counts as a failed attempt too."""
    if max_attempts < 1 or base_delay < timedelta(0) or not 0 <= jitter <= 1:
        raise ValueError("retrying: max_attempts ≥ 1, base_delay ≥ 0 and jitter in [0, 1]")
    policy = RetryPolicy(max_attempts, base_delay, max_delay, jitter)

    def mark(task: Task) -> Task:
        _RETRYING[task.module_path] = policy
        return task

    return mark


def retry_policy(task_path: str) -> RetryPolicy | None:
    """The task's retry policy, or None when it is not retrying (or no longer exists)."""
    try:
        import_string(task_path)  # importing the task's module declares its policy
    except ImportError:
        return None
    return _RETRYING.get(task_path)


def attempts_of(result: DBTaskResult) -> int:
    return len(result.worker_ids)


def failure_retry(
    result: DBTaskResult, *, policy: RetryPolicy | None, now: datetime | None = None
) -> datetime | None:
    """After `result` has been set FAILED: put it back in the queue for its next try if its
    policy allows another attempt, and return when that try is due; None leaves it FAILED.
    The error stays on the row, for the organisers' page to show while it waits."""
    attempts = attempts_of(result)
    if policy is None or attempts >= policy.max_attempts:
        return None
    next_try = policy.next_try(
        failed_at=result.finished_at or now or timezone.now(), attempts=attempts
    )
    # Only if it is still FAILED: an organiser may have pressed "Try again" in between.
    # `finished_at` stays: when the last attempt failed, beside its error.
    put_back = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, started_at=None, run_after=next_try
    )
    if not put_back:
        return None
    result.status, result.started_at, result.run_after = TaskResultStatus.READY, None, next_try
    logger.warning(
        "Task %s (%s) failed on attempt %d of %d; trying again at %s",
        result.id,
        result.task_path,
        attempts,
        policy.max_attempts,
        next_try.isoformat(),
    )
    return next_try


@transaction.atomic
def failed_retry(*, task_ids: list | None = None) -> list[DBTaskResult]:
    """Put failed tasks (those in `task_ids`, or every one) back in the queue to run as soon
    as a worker is free, and return them. Each gets one more attempt: should it fail again, it
    comes straight back to the dead letter. Tasks that are no longer FAILED are left alone."""
    failed = DBTaskResult.objects.failed().select_for_update(skip_locked=True)
    if task_ids is not None:
        failed = failed.filter(pk__in=task_ids)
    found = list(failed.order_by("finished_at").only("pk"))
    DBTaskResult.objects.filter(pk__in=[result.pk for result in found]).update(
        status=TaskResultStatus.READY, started_at=None, run_after=timezone.now()
    )
    return found
