from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from events.services.public import REMINDER_LEAD
from events.tasks import reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to each member booked on a session that starts within the lead time, "
        "once per booking. The workers run this every 15 minutes (the event-reminders "
        "schedule); the command runs it now, by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=REMINDER_LEAD // timedelta(hours=1),
            help="How many hours before a session its reminder goes (default: %(default)s).",
        )

    def handle(self, *args, hours, **options):
        if hours < 1:
            raise CommandError("--hours must be at least 1.")
        sent = reminders_send.call(hours=hours)
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
