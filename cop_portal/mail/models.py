from django.db import models
from django.db.models import Q
from django.utils import timezone

# The order of need: what someone is waiting for on a screen (a sign-in code, the link that
# verifies their address) goes first, then what the portal owes a member (a place confirmed, a
# session moved), then reminders, then news.
PRIORITY_ACCOUNT = 0
PRIORITY_ESSENTIAL = 10
PRIORITY_REMINDER = 20
PRIORITY_NEWS = 30


class OutgoingEmail(models.Model):
    """One message in the outbox. Stored in the transaction of the change that prompted it and
    sent by a worker (cop_portal.mail.delivery); the row then records how that went. The
    message itself (which holds names, session titles and one-time links) is emptied once it is
    sent, and so is the address; the rest is kept a month, for the organisers' counts. Erasing
    an account deletes what still waits for it (cop_portal.mail.services.recipient_forget)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # The sender's name for this message: storing it twice does nothing the second time, so a
    # task that runs again cannot queue a message twice.
    key = models.CharField(max_length=200, unique=True)
    # Sent with the message on every attempt, so a mail client that is handed it twice (a worker
    # stopped between the server's acceptance and the record of it) shows it once.
    message_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=100, help_text="The template the message was made from.")
    priority = models.PositiveSmallIntegerField(default=PRIORITY_ESSENTIAL)
    recipient = models.EmailField(max_length=254, db_index=True)
    message = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When it last joined the queue: when it was made, or when an organiser sent it again.
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    retries = models.PositiveSmallIntegerField(
        default=0, help_text="How many times an organiser asked for it to be sent again."
    )
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["priority", "next_attempt_at", "id"],
                condition=Q(status="queued"),
                name="mail_outbox_due",
            ),
            models.Index(fields=["status", "created_at"], name="mail_outbox_status"),
        ]
        permissions = [("retry_outgoingemail", "Can send failed email again")]

    def __str__(self):
        return f"{self.kind} ({self.get_status_display()})"


class MailServer(models.Model):
    """What the workers know of the mail server (one row). When it cannot be reached, nobody
    tries again before `retry_at`, and no message is charged an attempt for it: when the server
    is back, the waiting messages go in their order of need, not in the order their own back-offs
    happen to end."""

    failures = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    down_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return "Mail server"
