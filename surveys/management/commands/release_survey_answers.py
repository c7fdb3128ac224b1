from django.core.management.base import BaseCommand

from surveys.services.release import releases_run


class Command(BaseCommand):
    help = (
        "Release sealed anonymous survey answers: for each survey with at least the threshold "
        "waiting, or that has closed and is not yet in its final order, write them as "
        "responses in a shuffled batch. Meant to run every few minutes from cron or a systemd "
        "timer, beside send_survey_reminders; running it twice, or two at once, is safe."
    )

    def handle(self, *args, **options):
        released = releases_run()
        self.stdout.write(f"Released {released} survey response{'' if released == 1 else 's'}.")
