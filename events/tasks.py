"""The events app's background tasks (run on the schedules in BACKGROUND_SCHEDULES)."""

from datetime import timedelta

from django.tasks import task

from .services import guests, public


@task
def reminders_send(hours: int = public.REMINDER_LEAD // timedelta(hours=1)) -> int:
    """Email a reminder to each member booked on a session starting within `hours`, once per
    booking; returns how many went."""
    return public.reminders_send(lead=timedelta(hours=hours))


@task
def guests_forget() -> int:
    """Forget who the guests of sessions over a year ago were; returns how many."""
    return guests.guests_forget()
