from django.core.management.base import BaseCommand

from members.services import starter_content_load


class Command(BaseCommand):
    help = (
        "Load the CoP introduction, ground rules, glossary and topics into a new portal. Safe to "
        "run on every deploy: each kind loads only into an empty table, so organisers' edits "
        "and deletions stay."
    )

    def handle(self, *args, **options):
        created = starter_content_load()
        summary = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Starter content loaded: {summary} created."))
