"""Email in tests. The portal stores each message in its outbox and queues a task to write or send
it, so a message reaches `mail.outbox` (the delivery mailer in tests) only once a worker has run
those tasks: `mail_sent` runs them, in this process and the test's transaction, as the workers
would, and returns what has been sent. The package's modules test the outbox itself."""

from django.core import mail

from ..tasks import tasks_run


def mail_sent() -> list:
    """Every message sent so far in this test, after running the tasks that are waiting."""
    tasks_run()
    return mail.outbox
