from django.core.management.base import BaseCommand

from members.services.starter import starter_content_load_all


class Command(BaseCommand):
    help = (
        "Load the CoP introduction, ground rules, glossary, topics, kinds of event, goals and "
        "caucuses into a new portal. Safe to "
        "run on every deploy: each kind loads only into an empty table, so organisers' edits "
        "and deletions stay."
    )

    def handle(self, *args, **options):
        created = starter_content_load_all()
        updated = created.pop("pages_updated")
        summary = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Starter content loaded: {summary} created."))
        if updated:
            self.stdout.write(
                f"{updated} unedited policy page(s) brought up to date with this version's wording."
            )
