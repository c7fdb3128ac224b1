from django.core.management.base import BaseCommand

from members.tasks import action_reminders_send


class Command(BaseCommand):
    help = (
        "Email each member a reminder of an action they planned that falls due tomorrow (or is "
        "already due), once per action. The workers run this daily at 08:30 (the "
        "action-reminders schedule); the command runs it now, by hand."
    )

    def handle(self, *args, **options):
        sent = action_reminders_send.call()
        self.stdout.write(f"Sent {sent} action reminder{'' if sent == 1 else 's'}.")
