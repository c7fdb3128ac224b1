"""The outbox's tasks: delivering (queued with every message, and every minute for what waits
on a back-off) and forgetting old records."""

from datetime import timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from cop_portal.background.reaper import idempotent
from cop_portal.background.worker import running_worker_id

from . import delivery
from .models import OutgoingEmail

# Sent messages are kept a month (their content is emptied when they are sent), failed ones
# three months, for the counts on the Outgoing email page. A failed message keeps what it said
# (and its address) a month, to be sent again: its one-time links have expired by then.
KEEP_SENT = timedelta(days=30)
KEEP_FAILED = timedelta(days=90)
KEEP_FAILED_CONTENT = timedelta(days=30)


@idempotent
@task
def deliver() -> int:
    """Send what is due. Safe to run again from the start: a message is marked sent as soon as
    the server accepts it."""
    return delivery.deliver(worker_id=running_worker_id() or "")


@task
def outbox_purge() -> int:
    now = timezone.now()
    OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.FAILED, failed_at__lt=now - KEEP_FAILED_CONTENT
    ).exclude(message={}).update(message={}, recipient="")
    deleted, _ = OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.SENT, sent_at__lt=now - KEEP_SENT)
        | Q(status=OutgoingEmail.Status.FAILED, failed_at__lt=now - KEEP_FAILED)
    ).delete()
    return deleted
