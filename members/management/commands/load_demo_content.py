import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from members.demo import demo_load


class Command(BaseCommand):
    help = (
        "Create demo organisations, sign-in accounts, a sample programme and resource hub for "
        "trying the portal out (members/demo/). Only runs with DEBUG on; each run gives the demo "
        "accounts a new password and prints it."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only: it needs DEBUG on.")
        password = secrets.token_urlsafe(9)
        accounts = demo_load(password=password)
        self.stdout.write(self.style.SUCCESS("Demo content ready. Sign in at /accounts/login/ as:"))
        for role, email in accounts:
            self.stdout.write(f"  {role:<10} {email}  password: {password}")
