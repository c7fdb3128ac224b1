"""The surveys app's background tasks (run on the schedules in BACKGROUND_SCHEDULES, or queued
by the services)."""

from django.tasks import task

from .services import organise, release
from .services import results as results_services


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


# On a queue of its own: a large survey's audit takes minutes, and a worker kept for email can
# leave it out (run_worker --exclude-queues=results).
@task(queue_name="results", priority=-10)
def results_prepare(survey_id: int, see_everything: bool) -> bool:
    """Work out and keep a survey's results for one kind of viewer (queued when someone opens
    results that a large survey has not got ready); False when the survey is gone."""
    return results_services.results_prepare(survey_id=survey_id, see_everything=see_everything)
