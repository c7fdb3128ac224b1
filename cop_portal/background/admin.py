from django.contrib import admin

from .models import ScheduleRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the workers only: staff read these, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "slot", "status", "started_at", "finished_at", "outcome"]
    list_filter = ["name", "status"]
    date_hierarchy = "slot"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "last_seen"]
