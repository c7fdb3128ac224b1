"""A schedule in settings that names no task, or no time, would only show up as "late" once
deployed: the system check (run by every management command and the test suite) says so first."""

from datetime import time, timedelta

from django.conf import settings
from django.core import checks
from django.tasks import Task
from django.utils.module_loading import import_string


@checks.register()
def schedules_check(app_configs=None, **kwargs):
    errors = []
    for name, spec in getattr(settings, "BACKGROUND_SCHEDULES", {}).items():
        where = f"BACKGROUND_SCHEDULES[{name!r}]"
        try:
            target = import_string(spec.get("task", ""))
        except ImportError:
            target = None
        if not isinstance(target, Task):
            errors.append(
                checks.Error(f"{where}: 'task' is not a django.tasks task", id="background.E001")
            )
        every, at = spec.get("every"), spec.get("at")
        right_when = (
            isinstance(every, timedelta) and every >= timedelta(minutes=1) and at is None
        ) or (isinstance(at, time) and every is None)
        if not right_when:
            errors.append(
                checks.Error(
                    f"{where}: give either 'every' (a timedelta of a minute or more) or 'at' "
                    "(a time of day)",
                    id="background.E002",
                )
            )
        if not isinstance(spec.get("title", ""), str):
            errors.append(
                checks.Error(f"{where}: 'title' is words for organisers", id="background.E004")
            )
        if len(name) > 64:
            errors.append(
                checks.Error(f"{where}: a name has at most 64 characters", id="background.E003")
            )
    return errors
