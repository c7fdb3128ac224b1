from django.db import models


class ScheduleRun(models.Model):
    """One slot of a schedule (cop_portal.background.schedules), claimed by the first worker to
    insert it: the unique (name, slot) pair is the lock that makes a slot run once however many
    workers tick. The row then records how the run went, which is how a schedule knows when it
    last ran and last succeeded."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    name = models.CharField(max_length=64)
    slot = models.DateTimeField(help_text="The time the schedule fell due.")
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The task's return value (a count, usually), as django-tasks-db keeps it.
    outcome = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The queued task (django-tasks-db's DBTaskResult id), whose row keeps the traceback.
    task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="background_run_once_per_slot")
        ]
        # The organisers' Background work page: it is about the whole queue, not these rows,
        # but permissions need a model and this is the app's.
        permissions = [
            ("view_background_work", "Can see the schedules and the waiting and failed tasks"),
            ("retry_background_task", "Can try failed background tasks again"),
        ]

    def __str__(self):
        return f"{self.name} at {self.slot:%Y-%m-%d %H:%M} UTC: {self.status}"


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive every `every_seconds`. A task left running by a worker
    that has stopped saying so was cut off (killed, out of memory, its machine gone), and the
    reaper fails it or puts it back in the queue (cop_portal.background.workers)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    every_seconds = models.FloatField()

    def __str__(self):
        return self.worker_id
