"""The members app's background tasks (run on the schedules in BACKGROUND_SCHEDULES)."""

from django.tasks import task

from .services import audit, journey


@task
def action_reminders_send() -> int:
    """Remind members of actions falling due tomorrow or already due, once per action; returns
    how many went."""
    return journey.action_reminders_send()


@task
def audit_purge(days: int = audit.KEEP_DAYS) -> int:
    """Delete audit lines older than `days` days (two years unless told); returns how many."""
    return audit.audit_purge(days=days)
