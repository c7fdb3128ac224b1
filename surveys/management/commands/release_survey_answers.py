from django.core.management.base import BaseCommand

from surveys.tasks import releases_run


class Command(BaseCommand):
    help = (
        "Release sealed anonymous survey answers: for each survey with at least the threshold "
        "waiting, or that has closed and is not yet in its final order, write them as "
        "responses in a shuffled batch. The workers run this every 5 minutes (the "
        "survey-releases schedule); the command runs it now, by hand. Running it twice, or two "
        "at once, is safe."
    )

    def handle(self, *args, **options):
        released = releases_run.call()
        self.stdout.write(f"Released {released} survey response{'' if released == 1 else 's'}.")
