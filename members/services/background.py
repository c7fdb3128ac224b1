"""Organisers trying failed background tasks again, from the Background work page. The queue
is the plumbing's (cop_portal.background); what this adds is the audit line, in the same
transaction: trying a task again runs it again (reminders go out, records are deleted), so the
trail says who asked for it."""

from uuid import UUID

from django.db import transaction

from cop_portal.background.retries import failed_retry

from .audit import Action, audit_record


@transaction.atomic
def background_tasks_retry(request, *, task_id: UUID | None = None) -> int:
    """Put the failed task `task_id`, or every failed task, back in the queue to run as soon as
    a worker is free; returns how many went back. The audit line names the task when there is
    one, and counts them when there are more; never their arguments."""
    retried = failed_retry(task_ids=None if task_id is None else [task_id])
    if retried:
        count = len(retried)
        audit_record(
            request,
            Action.BACKGROUND_TASKS_RETRIED,
            target=retried[0] if task_id is not None else None,
            detail=f"{count} {'task' if count == 1 else 'tasks'}",
        )
    return len(retried)
