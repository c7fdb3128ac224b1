from django.core.management.base import BaseCommand

from members.services.journey import action_reminders_send


class Command(BaseCommand):
    help = (
        "Email each member a reminder of an action they planned that falls due tomorrow (or is "
        "already due), once per action. Meant to run once a day from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        sent = action_reminders_send()
        self.stdout.write(f"Sent {sent} action reminder{'' if sent == 1 else 's'}.")
