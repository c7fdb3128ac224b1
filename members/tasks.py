"""The members app's background tasks (run on the schedules in BACKGROUND_SCHEDULES)."""

from django.tasks import task

from .services import audit, digests, journey, organise


@task
def action_reminders_send() -> int:
    """Remind members of actions falling due tomorrow or already due, once per action; returns
    how many went."""
    return journey.action_reminders_send()


@task
def action_follow_ups_send() -> int:
    """Ask how each open action is going, once, three months after it was recorded; returns how
    many emails went."""
    return journey.action_follow_ups_send()


@task
def after_session_emails_send() -> int:
    """Email those recorded at a session once its summary is published; returns how many
    went."""
    return journey.after_session_emails_send()


@task
def audit_purge(days: int = audit.KEEP_DAYS) -> int:
    """Delete audit lines older than `days` days (two years unless told); returns how many."""
    return audit.audit_purge(days=days)


@task
def digests_send() -> int:
    """Send the digests that are due, then the once-only nudges to members who came to one
    session and did not book again; returns how many emails went."""
    return digests.digests_send() + digests.once_only_nudges_send()


@task
def organiser_waiting_send() -> int:
    """Email each organiser what waits for them, when something does and it has changed since
    their last such email; returns how many went."""
    return organise.organiser_waiting_send()
