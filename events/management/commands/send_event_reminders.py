from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from events.services.public import REMINDER_LEAD, reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to each member booked on a session that starts within the lead time, "
        "once per booking. Meant to run every 15 minutes from cron or a systemd timer."
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
        sent = reminders_send(lead=timedelta(hours=hours))
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
