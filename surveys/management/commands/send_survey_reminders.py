from django.core.management.base import BaseCommand

from surveys.services.organise import reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to each invited member who has not answered a survey that closes "
        "within two days, once per survey. Meant to run every 15 minutes from cron or a "
        "systemd timer, beside send_event_reminders."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"Sent {sent} survey reminder{'' if sent == 1 else 's'}.")
