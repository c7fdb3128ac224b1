"""The events app's scheduled task does what `send_event_reminders` did from cron."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from events.models import Registration
from events.tasks import reminders_send

from ..factories import EventFactory, RegistrationFactory
from ..mail import mail_sent
from ..tasks import scheduled_run, tasks_run

pytestmark = pytest.mark.django_db


def _booked_long_ago(*, starts_in: timedelta, places: int):
    event = EventFactory(title="Racism and maternity care", starts_at=timezone.now() + starts_in)
    RegistrationFactory.create_batch(places, event=event)
    Registration.objects.update(requested_at=timezone.now() - timedelta(days=3))
    return event


def test_the_event_reminders_schedule_reminds_each_booking_once():
    _booked_long_ago(starts_in=timedelta(hours=3), places=2)
    _booked_long_ago(starts_in=timedelta(hours=30), places=1)  # outside the 24 hours

    run = scheduled_run("event-reminders")

    assert (run.status, run.outcome, run.error) == (ScheduleRun.Status.SUCCEEDED, 2, "")
    assert [m.subject for m in mail_sent()] == [
        "[CoP Portal] Reminder: Racism and maternity care"
    ] * 2
    assert Registration.objects.filter(reminder_sent_at__isnull=False).count() == 2
    reminders_send.enqueue()
    assert tasks_run() == 1
    assert len(mail_sent()) == 2


def test_the_task_takes_the_lead_time_in_hours_as_the_command_did():
    _booked_long_ago(starts_in=timedelta(hours=30), places=2)

    result = reminders_send.enqueue(hours=36)
    tasks_run()

    result.refresh()
    assert result.return_value == 2
    assert len(mail_sent()) == 2
