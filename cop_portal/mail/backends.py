"""The portal's default mailer: it sends nothing, it puts each message in the outbox.

Whoever sends mail (the portal's services, allauth, Django's error reports) gets this backend
from `mailers.default`, so no email is ever sent inside a request, and a message is stored in the
transaction of the change that prompted it: if the change is rolled back, so is the email. The
workers send it (cop_portal.mail.delivery) with the mailer called "delivery"."""

import logging
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction

from .messages import (
    KEY_HEADER,
    KIND_HEADER,
    PRIORITY_HEADER,
    layout_apply,
    message_id_make,
    message_store,
)
from .models import PRIORITY_ESSENTIAL, OutgoingEmail

logger = logging.getLogger(__name__)

# How many delivery tasks a burst of messages gets at most: each sends until nothing is due,
# so more only help when there are workers free to run them.
PARALLEL_DELIVERIES = 4
BATCH_SIZE = 100

_collecting: ContextVar[list | None] = ContextVar("outbox_collecting", default=None)


@contextmanager
def outbox_collecting():
    """Queue many messages with one delivery kick at the end instead of one each: what a task
    that writes to thousands of members wraps its loop in."""
    if _collecting.get() is not None:
        yield
        return
    counter = [0]
    token = _collecting.set(counter)
    try:
        yield
    finally:
        _collecting.reset(token)
    if counter[0]:
        delivery_kick(count=counter[0])


def delivery_kick(*, count: int = 1) -> None:
    from .tasks import deliver

    for _ in range(min(PARALLEL_DELIVERIES, -(-count // BATCH_SIZE))):
        deliver.enqueue()


def _row(message) -> OutgoingEmail:
    headers = message.extra_headers
    key = str(headers.get(KEY_HEADER) or f"random:{uuid.uuid4()}")
    stored = message_store(message)
    message_id = message_id_make(key)
    stored["headers"]["Message-ID"] = message_id
    layout_apply(stored)
    recipients = message.recipients()
    return OutgoingEmail(
        key=key,
        message_id=message_id,
        kind=str(headers.get(KIND_HEADER) or "other")[:100],
        priority=int(headers.get(PRIORITY_HEADER, PRIORITY_ESSENTIAL)),
        recipient=(recipients[0] if recipients else "")[:254],
        message=stored,
    )


class OutboxBackend(BaseEmailBackend):
    def __init__(self, *, fail_silently=False, **kwargs):
        # Django's error mail asks for failures to be swallowed (a logging handler must not
        # raise); everything else wants to know.
        super().__init__(**kwargs)
        self.fail_silently = fail_silently

    def send_messages(self, email_messages):
        rows = [_row(message) for message in email_messages if message.recipients()]
        if not rows:
            return 0
        try:
            # A savepoint only when a failure must be swallowed: otherwise it would cost two
            # round trips a message, and an error rolls back the caller's change anyway.
            with transaction.atomic(savepoint=self.fail_silently):
                # A key stored before (a task that ran again) is left as it was.
                OutgoingEmail.objects.bulk_create(rows, ignore_conflicts=True)
                counter = _collecting.get()
                if counter is None:
                    delivery_kick(count=len(rows))
                else:
                    counter[0] += len(rows)
        except DatabaseError:
            if not self.fail_silently:
                raise
            logger.exception("Could not queue %d email(s)", len(rows))
            return 0
        return len(rows)
