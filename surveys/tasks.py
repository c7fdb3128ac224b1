"""The surveys app's background tasks (run on the schedules in BACKGROUND_SCHEDULES)."""

from django.tasks import task

from .services import organise, release


@task
def reminders_send() -> int:
    """Remind invited members who have not answered a survey closing within two days, once per
    survey, and delete personal links that no longer open anything (reminders bring fresh
    ones); returns how many reminders went."""
    sent = organise.reminders_send()
    organise.invitation_links_purge()
    return sent


@task
def releases_run() -> int:
    """Release sealed anonymous answers that are due (batches of at least k, everything once a
    survey closes); returns how many responses were written. Safe to run twice at once."""
    return release.releases_run()
