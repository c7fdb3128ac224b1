"""The members app's scheduled tasks do what `send_action_reminders` and `audit_purge` did
from cron."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from members.models import Action, AuditEvent
from members.services.audit import audit_record
from members.tasks import audit_purge

from ..factories import ActionFactory
from ..mail import mail_sent
from ..tasks import scheduled_run, tasks_run

pytestmark = pytest.mark.django_db


def test_the_action_reminders_schedule_reminds_each_due_action_once(member, ground_rules):
    today = timezone.localdate()
    due = ActionFactory(member=member, due_on=today + timedelta(days=1))
    ActionFactory(member=member, due_on=today + timedelta(days=5))

    run = scheduled_run("action-reminders")

    assert (run.status, run.outcome) == (ScheduleRun.Status.SUCCEEDED, 1)
    assert [(m.to, m.subject) for m in mail_sent()] == [
        ([member.email], "[CoP Portal] An action you planned is due")
    ]
    assert Action.objects.get(pk=due.pk).reminder_sent_on == today


def test_the_audit_purge_schedule_deletes_lines_older_than_two_years():
    now = timezone.now()
    old = audit_record(None, AuditEvent.Action.SIGN_IN_FAILED)
    kept = audit_record(None, AuditEvent.Action.SIGN_IN_FAILED)
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=731))
    AuditEvent.objects.filter(pk=kept.pk).update(at=now - timedelta(days=729))

    run = scheduled_run("audit-purge")

    assert (run.status, run.outcome) == (ScheduleRun.Status.SUCCEEDED, 1)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    audit_purge.enqueue(days=30)
    tasks_run()
    assert not AuditEvent.objects.exists()
