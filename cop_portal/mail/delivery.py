"""Sending what waits in the outbox: run by the workers (the `deliver` task), never in a request.

A delivery claims a batch of due messages, in order of need (priority, then age), marking them
`sending` in a short transaction that skips rows another worker holds, so any number of workers
can deliver at once without sending a message twice. It sends the batch over one connection to
the mail server and records each message as sent the moment the server has accepted it, before
sending the next. So a worker that is stopped mid-batch leaves its claimed messages `sending`,
and they go back in the queue once its heartbeat has stopped (`claims_release`); the one window
left, the server accepting a message and the worker dying before it writes that down, sends that
message again with the same Message-ID, which mail clients show once.

When the server cannot be reached, no message is charged for it: the server is marked down and
nobody tries again until its back-off ends (30 s, doubling, at most 10 minutes), then everything
due goes in order. A message the server refuses for good (an address that does not exist) fails
at once with the reason; one it refuses for now is tried again later on its own back-off, up to
MAX_ATTEMPTS. Organisers see both on the Outgoing email page and can send failures again."""

import contextlib
import logging
import re
import smtplib
from datetime import datetime, timedelta

from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cop_portal.background.models import WorkerHeartbeat
from cop_portal.background.reaper import MISSED_BEATS, UNKNOWN_WORKER_GRACE

from .messages import message_load
from .models import MailServer, OutgoingEmail

logger = logging.getLogger(__name__)

DELIVERY_MAILER = "delivery"
BATCH_SIZE = 100
MAX_ATTEMPTS = 8
# A message that has waited this long, however often the server was down, fails: news of a
# session that has happened is no use, and someone should look at why.
MAX_WAIT = timedelta(days=3)
SERVER_FIRST_WAIT = timedelta(seconds=30)
SERVER_LONGEST_WAIT = timedelta(minutes=10)
MESSAGE_FIRST_WAIT = timedelta(minutes=1)
MESSAGE_LONGEST_WAIT = timedelta(hours=2)

_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def _reason(error: BaseException) -> str:
    """The error in words for the record, with any address taken out (a server's refusal often
    quotes it, and the page that shows reasons does not show who a message was to)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        text = f"the mail server refused the address ({', '.join(map(str, codes))})"
    elif isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        message = message.decode(errors="replace") if isinstance(message, bytes) else message
        text = f"{error.smtp_code} {message}"
    else:
        text = str(error) or type(error).__name__
    text = " ".join(_ADDRESS.sub("[address]", text).split())
    return (text or type(error).__name__)[:300]


def _is_permanent(error: BaseException) -> bool | None:
    """True for a refusal of this message for good, False for one for now, None when the
    connection itself failed (the server, not the message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return None


def _server() -> MailServer:
    server, _ = MailServer.objects.get_or_create(pk=1)
    return server


def server_waiting(now: datetime) -> bool:
    retry_at = MailServer.objects.filter(pk=1).values_list("retry_at", flat=True).first()
    return retry_at is not None and retry_at > now


def _server_down(error: BaseException, now: datetime) -> None:
    with transaction.atomic():
        server = MailServer.objects.select_for_update().filter(pk=1).first() or _server()
        server.failures += 1
        wait = min(SERVER_FIRST_WAIT * 2 ** (server.failures - 1), SERVER_LONGEST_WAIT)
        server.retry_at = now + wait
        server.last_error = _reason(error)
        server.down_since = server.down_since or now
        server.save()
    logger.warning("Mail server unreachable (%s); trying again in %s", server.last_error, wait)


def _server_up(now: datetime) -> None:
    MailServer.objects.update_or_create(
        pk=1,
        defaults={"failures": 0, "retry_at": None, "down_since": None, "last_success_at": now},
    )


def claims_release(now: datetime | None = None) -> int:
    """Put back in the queue the messages claimed by workers that have stopped: a heartbeat
    missed MISSED_BEATS times, or, for a worker that keeps none, a claim older than
    UNKNOWN_WORKER_GRACE. Returns how many."""
    now = now or timezone.now()
    claimed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING)
    workers = set(claimed.values_list("claimed_by", flat=True))
    if not workers:
        return 0
    beats = {b.worker_id: b for b in WorkerHeartbeat.objects.filter(worker_id__in=workers)}
    lost = [
        worker
        for worker in workers
        if (beat := beats.get(worker)) is not None
        and beat.last_seen < now - MISSED_BEATS * timedelta(seconds=beat.every_seconds)
    ]
    stale = Q(claimed_by__in=lost) | (
        ~Q(claimed_by__in=list(beats)) & Q(claimed_at__lt=now - UNKNOWN_WORKER_GRACE)
    )
    released = claimed.filter(stale).update(
        status=OutgoingEmail.Status.QUEUED, claimed_by="", claimed_at=None
    )
    if released:
        logger.warning("Put %d email(s) back in the queue: their worker stopped", released)
    return released


def _claim(*, worker_id: str, now: datetime, batch_size: int) -> list[OutgoingEmail]:
    with transaction.atomic():
        rows = list(
            OutgoingEmail.objects.filter(
                status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now
            )
            .order_by("priority", "next_attempt_at", "id")
            .select_for_update(skip_locked=True)[:batch_size]
        )
        OutgoingEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=OutgoingEmail.Status.SENDING, claimed_by=worker_id, claimed_at=now
        )
    return rows


def _unclaim(rows) -> None:
    OutgoingEmail.objects.filter(
        pk__in=[row.pk for row in rows], status=OutgoingEmail.Status.SENDING
    ).update(status=OutgoingEmail.Status.QUEUED, claimed_by="", claimed_at=None)


def _sent(row: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=OutgoingEmail.Status.SENT,
        sent_at=timezone.now(),
        message={},
        recipient="",
        claimed_by="",
        claimed_at=None,
        reason="",
        attempts=row.attempts + 1,
    )


def _refused(row: OutgoingEmail, error: BaseException, *, permanent: bool, now) -> None:
    attempts = row.attempts + 1
    update = {"claimed_by": "", "claimed_at": None, "attempts": attempts, "reason": _reason(error)}
    if permanent or attempts >= MAX_ATTEMPTS:
        update |= {"status": OutgoingEmail.Status.FAILED, "failed_at": now}
    else:
        wait = min(MESSAGE_FIRST_WAIT * 2 ** (attempts - 1), MESSAGE_LONGEST_WAIT)
        update |= {"status": OutgoingEmail.Status.QUEUED, "next_attempt_at": now + wait}
    OutgoingEmail.objects.filter(pk=row.pk).update(**update)


def _send_batch(rows: list[OutgoingEmail], now: datetime) -> tuple[int, bool]:
    """Send `rows` over one connection; returns (how many were sent, whether the server went
    away)."""
    connection = mailers[DELIVERY_MAILER]
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        _unclaim(rows)
        _server_down(error, now)
        return 0, True
    sent = 0
    try:
        for index, row in enumerate(rows):
            try:
                connection.send_messages([message_load(row.message)])
            except (smtplib.SMTPException, OSError) as error:
                permanent = _is_permanent(error)
                if permanent is None:
                    _unclaim(rows[index:])
                    _server_down(error, now)
                    return sent, True
                _refused(row, error, permanent=permanent, now=now)
            else:
                _sent(row)
                sent += 1
    finally:
        # A server that went away after the last message loses nothing by it.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    _server_up(now)
    return sent, False


def deliver(*, worker_id: str = "", now: datetime | None = None, batch_size=BATCH_SIZE) -> int:
    """Send the messages that are due, batch by batch, until none is left or the server is
    unreachable. Returns how many were sent."""
    now = now or timezone.now()
    claims_release(now)
    _expire(now)
    if server_waiting(now):
        return 0
    sent = 0
    while rows := _claim(worker_id=worker_id or "unknown", now=now, batch_size=batch_size):
        count, server_gone = _send_batch(rows, now)
        sent += count
        if server_gone:
            break
    return sent


def _expire(now: datetime) -> None:
    server = MailServer.objects.filter(pk=1).first()
    reason = f"not sent within {MAX_WAIT.days} days"
    if server is not None and server.last_error and server.retry_at:
        reason += f": the mail server could not be reached ({server.last_error})"
    OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.QUEUED, queued_at__lt=now - MAX_WAIT
    ).update(status=OutgoingEmail.Status.FAILED, failed_at=now, reason=reason[:300])


@transaction.atomic
def failed_retry(*, ids=None, now: datetime | None = None) -> int:
    """Put failed messages (all of them, or those with `ids`) back in the queue, first in line,
    and ask a worker to send them. Returns how many."""
    now = now or timezone.now()
    failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).exclude(message={})
    if ids is not None:
        failed = failed.filter(pk__in=ids)
    count = failed.update(
        status=OutgoingEmail.Status.QUEUED,
        next_attempt_at=now,
        queued_at=now,
        attempts=0,
        failed_at=None,
        retried_at=now,
        retries=F("retries") + 1,
    )
    MailServer.objects.filter(pk=1).update(retry_at=None)
    if count:
        from .backends import delivery_kick

        delivery_kick(count=count)
    return count
