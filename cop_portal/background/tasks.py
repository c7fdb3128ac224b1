"""The plumbing's own scheduled tasks (BACKGROUND_SCHEDULES in settings): Django's expired
sessions, and keeping the queue's and the schedules' own records from growing for ever."""

from datetime import timedelta

from django.core.management import call_command
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import ScheduleRun, WorkerHeartbeat

# Finished tasks are kept a week, failed ones a month (their tracebacks are what someone reads
# when a schedule goes wrong); schedule runs a month; a stopped worker's heartbeat a day.
KEEP_SUCCEEDED = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)
KEEP_SCHEDULE_RUNS = timedelta(days=30)
KEEP_HEARTBEATS = timedelta(days=1)


@task
def sessions_clear() -> None:
    """What cron used to run as `manage.py clearsessions`: delete expired sessions."""
    call_command("clearsessions")


@task
def housekeeping() -> dict[str, int]:
    """Delete old task results, schedule runs and the heartbeats of stopped workers."""
    now = timezone.now()
    results, _ = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCEEDED)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED)
    ).delete()
    runs, _ = ScheduleRun.objects.filter(slot__lt=now - KEEP_SCHEDULE_RUNS).delete()
    beats, _ = WorkerHeartbeat.objects.filter(last_seen__lt=now - KEEP_HEARTBEATS).delete()
    return {"task_results": results, "schedule_runs": runs, "worker_heartbeats": beats}
