from django.core.management.base import BaseCommand

from members.services.audit import KEEP_DAYS
from members.tasks import audit_purge


class Command(BaseCommand):
    help = (
        f"Delete audit trail lines older than {KEEP_DAYS} days (two years), or --days. The "
        "workers run this daily (the audit-purge schedule); the command runs it now, by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=KEEP_DAYS)

    def handle(self, *args, days, **options):
        deleted = audit_purge.call(days=max(days, 1))
        self.stdout.write(f"Deleted {deleted} audit line{'' if deleted == 1 else 's'}.")
