import datetime

from django.core.management.base import BaseCommand, CommandError

from .import_members import run_import


def _iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--event-date must be a date such as 2024-04-18, not {value}"
        ) from error


class Command(BaseCommand):
    help = (
        "Import who attended which event from a register (CSV, TSV or XLSX with the columns "
        "Email, Name, Event title and Event date), a Microsoft Teams attendance report or a "
        "Zoom participants export. Events not in the portal are added as past webinars and "
        "people not yet members as imported members. Importing the same file again changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The register or report to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; save nothing."
        )
        parser.add_argument(
            "--event-title", help="The event's title, instead of the one in the file."
        )
        parser.add_argument(
            "--event-date", help="The event's date (YYYY-MM-DD), instead of the one in the file."
        )

    def handle(self, *args, file, dry_run, event_title, event_date, **options):
        run_import(
            self,
            file,
            kind="attendance",
            dry_run=dry_run,
            event_title=event_title or None,
            event_date=_iso_date(event_date) if event_date else None,
        )
