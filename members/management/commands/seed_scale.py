import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from members.models import User
from members.scale import SEED, TIERS, ScaleSeeder, SeedError


class Command(BaseCommand):
    help = (
        "Fill the database with a reproducible synthetic CoP for benchmarking: tier S (1,000 "
        "members), M (10,000) or L (100,000); T is a few dozen rows of each kind, for tests. "
        "PostgreSQL only, and only into a database with no members unless --force. Members "
        "share one password nobody knows: sign in as one with a session made in the shell."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tier", choices=sorted(TIERS), default="S")
        parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
        parser.add_argument(
            "--force", action="store_true", help="add to a database that already has members"
        )

    def handle(self, *args, tier, seed, force, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale runs on PostgreSQL only.")
        if User.objects.exists() and not force:
            raise CommandError(
                "The database already has members: use an empty one, or --force to add to it."
            )
        began = time.monotonic()
        self.stdout.write(f"Seeding tier {tier} (seed {seed})…")
        try:
            counts = ScaleSeeder(TIERS[tier], seed=seed, log=self.stdout.write).run()
        except SeedError as error:
            raise CommandError(str(error)) from error
        for label, n in counts.items():
            self.stdout.write(f"  {n:>10,}  {label}")
        self.stdout.write(
            self.style.SUCCESS(f"Tier {tier} seeded in {time.monotonic() - began:.0f}s.")
        )
