import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from members.reports import Period, engagement


class Command(BaseCommand):
    help = (
        "Print the engagement figures (the same as the dashboard's): members, organisations, "
        "attendance per event, how often members came, and more. All time unless --from/--to."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            start = parse_date(options["start"]) if options["start"] else None
            end = parse_date(options["end"]) if options["end"] else None
        except ValueError as error:
            raise CommandError(f"Dates are YYYY-MM-DD: {error}") from error
        if (options["start"] and start is None) or (options["end"] and end is None):
            raise CommandError("Dates are YYYY-MM-DD.")
        figures = engagement(Period(start, end))
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        self._tables(figures)

    def _tables(self, figures):
        out = self.stdout.write
        out(f"Members: {figures['members']}")
        out(f"Attendances: {figures['attendances']}")
        out(f"Came only once (of those who came): {figures['attended_once_share']:.0%}")
        out("")
        out("Organisation                                   Members")
        for row in figures["organisations"]:
            out(f"{(row['name'] or 'Not stated')[:45]:<45}  {row['members']:>8}")
        out("")
        out("Date        Event                                  Attendance")
        for row in figures["events"]:
            out(f"{row['date']}  {row['title'][:37]:<37}  {row['attendance']:>10}")
        out("")
        out("Events attended   Members")
        for times, members in figures["attendance_frequency"].items():
            out(f"{times:>15}   {members:>7}")
