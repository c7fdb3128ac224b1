from django.core.management.base import BaseCommand

from surveys.tasks import reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to each invited member who has not answered a survey that closes "
        "within two days, once per survey. The workers run this every 15 minutes (the "
        "survey-reminders schedule, beside event-reminders); the command runs it now, by hand."
    )

    def handle(self, *args, **options):
        sent = reminders_send.call()
        self.stdout.write(f"Sent {sent} survey reminder{'' if sent == 1 else 's'}.")
