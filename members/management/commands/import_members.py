from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from members.selectors.imports import NEW_SESSION
from members.services.imports import describe_created, import_apply, import_check
from members.spreadsheets import ImportFileError


def run_import(command, path: str, *, kind: str, dry_run: bool, **plan_options) -> None:
    """Read, plan, print and (unless a dry run) apply an import: what both commands do. Both
    write the same lines in the audit trail as the upload page, with no one named as actor."""
    if not Path(path).is_file():
        raise CommandError(f"No such file: {path}")
    try:
        plan = import_check(path, Path(path).name, kind=kind, **plan_options)
    except ImportFileError as error:
        raise CommandError(str(error)) from error
    if plan.source != "table":
        command.stdout.write(f"Read as a {plan.source}.")
    if plan.kind == "attendance":
        _attendance_choices(plan)
        if plan.new_events:
            command.stdout.write(f"New past session: {plan.session_label}.")
        elif plan.session is not None:
            command.stdout.write(f"Session: {plan.session_label}.")
    for row in plan.rows:
        command.stdout.write(row.describe(dry_run=dry_run))
    command.stdout.write(plan.summary_text(dry_run=dry_run))
    if plan.new_organisations:
        command.stdout.write(f"New organisations: {', '.join(plan.new_organisations)}")
    if dry_run:
        command.stdout.write("Dry run: nothing was saved.")
        return
    try:
        created = import_apply(plan)
    except ValidationError as error:
        raise CommandError(f"Nothing was saved: {' '.join(error.messages)}") from error
    command.stdout.write(command.style.SUCCESS(f"Saved: {describe_created(created)}."))


def _attendance_choices(plan) -> None:
    """Refuse an attendance file whose session or date order is not chosen, saying what to
    give."""
    if plan.needs_date_order:
        raise CommandError(
            "Every date in this file could be day first or month first: give --date-order "
            "day or --date-order month."
        )
    if plan.needs_session:
        existing = [o for o in plan.session_options if o.value.isdigit()]
        options = [f"--session {option.value}: {option.label}" for option in existing]
        if any(o.value == NEW_SESSION for o in plan.session_options):
            options.append(f"--new-session: add “{plan.file_title}” on {plan.file_date_label}")
        listed = "\n".join(f"  {option}" for option in options) or "  (no session near its date)"
        raise CommandError(f"Choose the session this file belongs to:\n{listed}")


class Command(BaseCommand):
    help = (
        "Import members from a spreadsheet (CSV, TSV or XLSX) with the columns Email, First "
        "name, Last name, Organisation, Role and Joined. Members already here are left as they "
        "are, so importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The spreadsheet to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; save nothing."
        )

    def handle(self, *args, file, dry_run, **options):
        run_import(self, file, kind="members", dry_run=dry_run)
