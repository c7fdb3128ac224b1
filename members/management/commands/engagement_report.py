import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from members.selectors.dashboard import PROTECTED, Period, engagement, period_shown


class Command(BaseCommand):
    help = (
        "Print the engagement figures (the same as the dashboard's): members, organisations, "
        "attendance per event, how often members came, and more. All time unless --from/--to, "
        "which are widened to whole calendar months. Anyone with a shell can run this, so it "
        "always prints the protected figures: caucus sessions only all together."
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
        if start and end and end < start:
            raise CommandError("The end date must be the same as or after the start date.")
        period, widened_note = period_shown(Period(start, end), PROTECTED)
        figures = {
            "period": {
                "from": period.start.isoformat() if period.start else None,
                "to": period.end.isoformat() if period.end else None,
            },
            **engagement(period, PROTECTED),
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        if widened_note:
            self.stderr.write(widened_note)
        self._tables(figures)

    def _tables(self, figures):
        out = self.stdout.write
        out(f"Members: {figures['members']}")
        out(f"Attendances: {figures['attendances']}")
        out(f"Came only once (of those who came): {figures['attended_once_share']:.0%}")
        caucus = figures["caucus_sessions"]
        out(f"Caucus sessions (all together): {caucus['sessions']}; attendance not shown")
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
