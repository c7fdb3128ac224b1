"""Schedules in code, run by the workers instead of cron.

`BACKGROUND_SCHEDULES` in settings names each schedule, the django.tasks task it runs (by dotted
path; it takes no arguments and must be safe to run twice) and when: `every` an interval
(aligned to the hour, so every 15 minutes is :00, :15, :30, :45) or `at` a daily time in the
portal's time zone (wall-clock time, so it stays at 08:30 across the clock changes), and
optionally a `title` in plain words for the organisers' page.

Every worker ticks (`run_worker`, every heartbeat). A tick works out each schedule's latest slot
and inserts a `ScheduleRun` row for it with the task it queues, in one transaction; the row is
unique on (name, slot), so when two workers tick at once the second insert fails and only one
task is queued. Only the latest slot counts: workers that were stopped for a day run each
schedule once when they start, not once for every slot they missed. The row records how the run
went, which is where "late" comes from."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.tasks import Task, task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduleRun
from .retries import retrying

logger = logging.getLogger(__name__)

# Interval slots count from here, so every worker agrees on them.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# A slot may take this long to succeed before its schedule counts as late: the interval itself,
# but at least five minutes (a busy queue) and at most an hour (a daily schedule that has not
# run by mid-morning is worth hearing about the same day).
GRACE_MIN = timedelta(minutes=5)
GRACE_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class Schedule:
    name: str
    task_path: str
    every: timedelta | None = None
    at: time | None = None
    title: str = ""

    @property
    def label(self) -> str:
        """What organisers read: the title, or the name made into words."""
        return self.title or self.name.replace("-", " ").replace("_", " ").capitalize()

    @property
    def when(self) -> str:
        if self.every is None:
            return f"Daily at {self.at:%H:%M}"
        minutes = int(self.every.total_seconds() // 60)
        if minutes % 60:
            return f"Every {minutes} minute{'s' if minutes != 1 else ''}"
        hours = minutes // 60
        return "Every hour" if hours == 1 else f"Every {hours} hours"

    @property
    def task(self) -> Task:
        return import_string(self.task_path)

    @property
    def grace(self) -> timedelta:
        return max(GRACE_MIN, min(self.every or timedelta(days=1), GRACE_MAX))

    def slot_at(self, moment: datetime) -> datetime:
        """The latest slot at or before `moment`, in UTC."""
        if self.every:
            return EPOCH + ((moment - EPOCH) // self.every) * self.every
        zone = timezone.get_default_timezone()
        day = moment.astimezone(zone).date()
        slot = datetime.combine(day, self.at, tzinfo=zone)
        if slot > moment:
            slot = datetime.combine(day - timedelta(days=1), self.at, tzinfo=zone)
        return slot.astimezone(UTC)


def schedules() -> list[Schedule]:
    return [
        Schedule(
            name=name,
            task_path=spec["task"],
            every=spec.get("every"),
            at=spec.get("at"),
            title=spec.get("title", ""),
        )
        for name, spec in settings.BACKGROUND_SCHEDULES.items()
    ]


def schedule_named(name: str) -> Schedule:
    for schedule in schedules():
        if schedule.name == name:
            return schedule
    raise LookupError(f"No schedule {name!r} in BACKGROUND_SCHEDULES")


def tick(now: datetime | None = None) -> list[str]:
    """Claim every schedule's latest slot that no worker has claimed yet and queue its run.
    Returns the names of the schedules this call claimed."""
    now = now or timezone.now()
    due = {schedule.name: (schedule, schedule.slot_at(now)) for schedule in schedules()}
    if not due:
        return []
    # One read first, so that a tick with nothing to do writes nothing (and logs no conflict).
    claimed_already = set(
        ScheduleRun.objects.filter(
            Q.create([Q(name=name, slot=slot) for name, (_, slot) in due.items()], Q.OR)
        ).values_list("name", flat=True)
    )
    claimed = []
    for name, (schedule, slot) in due.items():
        if name in claimed_already:
            continue
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(name=name, slot=slot)
                target = schedule.task
                result = schedule_run.using(
                    queue_name=target.queue_name, priority=target.priority
                ).enqueue(run.pk)
                ScheduleRun.objects.filter(pk=run.pk).update(task_id=result.id)
        except IntegrityError:
            continue  # another worker claimed this slot first
        claimed.append(name)
        logger.info("Queued schedule %s for its slot at %s", name, slot.isoformat())
    return claimed


# Every scheduled task is safe to run twice, so a failed run is tried again, soon: a daily
# schedule would otherwise wait a day after a passing fault (the mail server or the database
# restarting). Three runs a minute, then two minutes apart are over before even a five-minute
# schedule's next slot, which would do the work anyway; after that the run is a dead letter and
# the schedule shows as late.
@retrying(max_attempts=3, base_delay=timedelta(minutes=1))
@task
def schedule_run(run_id: int):
    """Run one claimed slot of a schedule and record how it went on its ScheduleRun."""
    run = ScheduleRun.objects.get(pk=run_id)
    run.status, run.started_at, run.finished_at = ScheduleRun.Status.RUNNING, timezone.now(), None
    run.save(update_fields=["status", "started_at", "finished_at"])
    try:
        outcome = schedule_named(run.name).task.call()
    except Exception as error:
        run.status, run.error = ScheduleRun.Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    # A success after a failed attempt clears that attempt's error.
    run.status, run.outcome, run.error = ScheduleRun.Status.SUCCEEDED, outcome, ""
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "outcome", "error", "finished_at"])
    return outcome


@dataclass(frozen=True)
class ScheduleStatus:
    name: str
    last_ran: datetime | None
    last_succeeded: datetime | None
    late: bool


def statuses(now: datetime | None = None) -> list[ScheduleStatus]:
    """Each schedule's last run and last success, and whether it is late: late when the latest
    slot that fell due more than its grace ago has not succeeded (nor any slot since)."""
    now = now or timezone.now()
    succeeded = Q(status=ScheduleRun.Status.SUCCEEDED)
    runs = {
        row["name"]: row
        for row in ScheduleRun.objects.values("name").annotate(
            last_ran=Max("started_at"),
            last_succeeded=Max("finished_at", filter=succeeded),
            last_succeeded_slot=Max("slot", filter=succeeded),
        )
    }
    found = []
    for schedule in schedules():
        row = runs.get(schedule.name, {})
        last_slot = row.get("last_succeeded_slot")
        found.append(
            ScheduleStatus(
                name=schedule.name,
                last_ran=row.get("last_ran"),
                last_succeeded=row.get("last_succeeded"),
                late=last_slot is None or last_slot < schedule.slot_at(now - schedule.grace),
            )
        )
    return found


def late_schedules(now: datetime | None = None) -> list[str]:
    return [status.name for status in statuses(now) if status.late]
