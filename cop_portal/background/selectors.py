"""What the organisers' Background work page shows: each schedule and whether it is late, the
tasks waiting or waiting to be tried again, and the failed tasks (the dead letter).

A task's arguments and return value are never read here, and its traceback only for the line
that gives the error: they can name members (a task queued for one booking, say). What a task
failed with is shown as the exception's class and the first line of its message, with any email
address in it blanked out."""

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Count, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import ScheduleRun
from .reaper import restart_policy
from .schedules import schedules, statuses

# Each list shows this many tasks at most (the next due first, the newest failure first);
# the page gives the full count.
SHOWN = 100
MESSAGE_MAX = 160
EMAIL = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+\.[A-Za-z]{2,}")
# Where Python's traceback writes an exception's class by its short name.
SHORT_NAMED_MODULES = ("builtins.", "__main__.")


@dataclass(frozen=True)
class ScheduleLine:
    label: str
    when: str
    last_ran: datetime | None
    last_succeeded: datetime | None
    late: bool


@dataclass(frozen=True)
class TaskLine:
    id: UUID
    label: str
    attempts: int
    max_attempts: int
    # The next try for a task waiting to be tried again; when it failed for a failed one.
    at: datetime | None
    error_class: str
    error_message: str

    @property
    def tried_again_by_hand(self) -> bool:
        """Waiting although its own attempts are used up: an organiser asked for one more."""
        return self.attempts >= self.max_attempts


@dataclass(frozen=True)
class BackgroundWork:
    schedules: list[ScheduleLine]
    waiting: int
    running: int
    retrying: list[TaskLine]
    retrying_count: int
    failed: list[TaskLine]
    failed_count: int


def error_summary(exception_class_path: str, traceback: str) -> tuple[str, str]:
    """The exception's class (without its module) and the first line of its message, read from
    the end of the traceback, where the final exception is written as `Class: message`."""
    if not exception_class_path:
        return "", ""
    written = exception_class_path
    for prefix in SHORT_NAMED_MODULES:
        written = written.removeprefix(prefix)
    message = ""
    for line in reversed(traceback.splitlines()):
        if line == written or line.startswith(f"{written}: "):
            message = line[len(written) + 2 :].strip()
            break
    message = EMAIL.sub("[email address]", message)
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    return exception_class_path.rpartition(".")[2], message


def _labels(task_rows: list[dict]) -> dict:
    """Each task's name for organisers: a scheduled run by its schedule's title (its
    ScheduleRun says which), anything else by the task's dotted path."""
    titles = {schedule.name: schedule.label for schedule in schedules()}
    runs = dict(
        ScheduleRun.objects.filter(task_id__in=[row["id"] for row in task_rows]).values_list(
            "task_id", "name"
        )
    )
    return {
        row["id"]: (
            f"Schedule: {titles.get(runs[row['id']], runs[row['id']])}"
            if row["id"] in runs
            else row["task_path"]
        )
        for row in task_rows
    }


def _lines(task_rows: list[dict], *, at: str, labels: dict) -> list[TaskLine]:
    lines = []
    for row in task_rows:
        policy = restart_policy(row["task_path"])
        error_class, error_message = error_summary(row["exception_class_path"], row["traceback"])
        lines.append(
            TaskLine(
                id=row["id"],
                label=labels[row["id"]],
                attempts=len(row["worker_ids"]),
                max_attempts=policy.max_attempts if policy else 1,
                at=row[at],
                error_class=error_class,
                error_message=error_message,
            )
        )
    return lines


# Never args_kwargs or return_value.
FIELDS = (
    "id",
    "task_path",
    "worker_ids",
    "run_after",
    "finished_at",
    "exception_class_path",
    "traceback",
)


def background_work(*, now: datetime | None = None) -> BackgroundWork:
    now = now or timezone.now()
    by_name = {schedule.name: schedule for schedule in schedules()}
    schedule_lines = [
        ScheduleLine(
            label=by_name[status.name].label,
            when=by_name[status.name].when,
            last_ran=status.last_ran,
            last_succeeded=status.last_succeeded,
            late=status.late,
        )
        for status in statuses(now)
    ]
    ready, with_error = Q(status=TaskResultStatus.READY), ~Q(exception_class_path="")
    failed = Q(status=TaskResultStatus.FAILED)
    counts = DBTaskResult.objects.aggregate(
        waiting=Count("pk", filter=ready & ~with_error),
        retrying=Count("pk", filter=ready & with_error),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=failed),
    )
    retrying = list(
        DBTaskResult.objects.filter(ready & with_error)
        .order_by("run_after")
        .values(*FIELDS)[:SHOWN]
    )
    failures = list(
        DBTaskResult.objects.filter(failed).order_by("-finished_at").values(*FIELDS)[:SHOWN]
    )
    labels = _labels(retrying + failures)
    return BackgroundWork(
        schedules=schedule_lines,
        waiting=counts["waiting"],
        running=counts["running"],
        retrying=_lines(retrying, at="run_after", labels=labels),
        retrying_count=counts["retrying"],
        failed=_lines(failures, at="finished_at", labels=labels),
        failed_count=counts["failed"],
    )


def failed_tasks_count() -> int:
    """Tasks that failed for good (the dead letter), for the Organise page."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()
