from django.core.management.base import BaseCommand

from members.services.audit import KEEP_DAYS, audit_purge


class Command(BaseCommand):
    help = (
        f"Delete audit trail lines older than {KEEP_DAYS} days (two years), or --days. Meant to "
        "run once a month from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=KEEP_DAYS)

    def handle(self, *args, days, **options):
        deleted = audit_purge(days=max(days, 1))
        self.stdout.write(f"Deleted {deleted} audit line{'' if deleted == 1 else 's'}.")
