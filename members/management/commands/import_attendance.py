import datetime

from django.core.management.base import BaseCommand, CommandError

from members.selectors.imports import DEFAULT_MINIMUM_MINUTES, NEW_SESSION, AttendanceChoices
from members.spreadsheets import DATE_ORDERS

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
        "Import who attended a session from a Microsoft Teams attendance report, a Zoom "
        "participants or webinar attendee report, or a table (CSV, TSV or XLSX) with Email and "
        "Name columns (and Event title and Event date for several sessions). The session is "
        "the one with the file's title on its date, or the one given with --session; a new "
        "past session is added only with --new-session. Importing the same file again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The register or report to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; save nothing."
        )
        parser.add_argument("--session", type=int, help="The id of the session the file is for.")
        parser.add_argument(
            "--new-session",
            action="store_true",
            help="Add the file's meeting as a new past session (12:00 to 13:00 that day).",
        )
        parser.add_argument(
            "--date-order",
            choices=sorted(DATE_ORDERS),
            help="How the file writes dates, when every date in it could be either "
            "(day: 06/10/2025 is 6 October; month: it is 10 June).",
        )
        parser.add_argument(
            "--minimum-minutes",
            type=int,
            default=DEFAULT_MINIMUM_MINUTES,
            help="Leave out people in the meeting for less than this (default "
            f"{DEFAULT_MINIMUM_MINUTES}; 0 counts everyone).",
        )
        parser.add_argument("--event-title", help="The session's title, instead of the file's.")
        parser.add_argument(
            "--event-date", help="The session's date (YYYY-MM-DD), instead of the file's."
        )

    def handle(
        self, *args, file, dry_run, session, new_session, date_order, minimum_minutes,
        event_title, event_date, **options,
    ):  # fmt: skip
        if session is not None and new_session:
            raise CommandError("Give --session or --new-session, not both.")
        if minimum_minutes < 0:
            raise CommandError("--minimum-minutes cannot be negative.")
        choices = AttendanceChoices(
            session=str(session) if session is not None else NEW_SESSION if new_session else None,
            date_order=date_order,
            minimum_minutes=minimum_minutes,
            title=event_title or "",
            date=_iso_date(event_date) if event_date else None,
        )
        run_import(self, file, kind="attendance", dry_run=dry_run, choices=choices)
