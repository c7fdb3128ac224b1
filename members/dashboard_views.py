"""The engagement and impact dashboard for organisers and the steering group, and its CSV.

Every figure comes from members.reports, where each is a fixed number of queries, so the page
costs the same whatever the size of the CoP. These views only choose the period, decide what
the viewer may see (small check-in counts are hidden unless they may see everything) and lay
the figures out: bar geometry for the charts, rows for the tables and the CSV."""

import csv
import datetime

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from . import reports
from .forms import PortalFormHelper
from .models import ValueCycle
from .spreadsheets import spreadsheet_cell

REPORTS = "members.view_reports"
UNSUPPRESSED = "surveys.view_unsuppressed_results"

# Dates outside this range are typing mistakes, and the far end would overflow date arithmetic.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2999, 12, 31)

# The horizontal bar charts, in SVG user units: a label line above each bar (or group of bars).
CHART_WIDTH = 480
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 2
ROW_GAP = 10
LEGEND_HEIGHT = 22
LABEL_CHARS = 50
# Both colours have at least 3:1 contrast with white, as WCAG asks of graphics.
BLUE = "#005eb8"
GREEN = "#00703c"

CYCLES_EXPLAINED = {
    ValueCycle.IMMEDIATE: (
        "What happens in the moment: a session or a conversation was worth the time, people "
        "felt heard, met others and joined in."
    ),
    ValueCycle.POTENTIAL: (
        "What people take away for later: knowledge, skills, confidence, contacts or a new way "
        "of looking at things, not yet put to use."
    ),
    ValueCycle.APPLIED: (
        "What people do differently: trying an idea at work, using a resource, speaking up or "
        "changing a process."
    ),
    ValueCycle.REALISED: (
        "What difference those changes make: better results for patients, service users, staff "
        "or the organisation."
    ),
    ValueCycle.TRANSFORMATIVE: (
        "When the change reaches what counts as success: strategies, policies, measures and how "
        "people define good care."
    ),
}
NOT_STATED = "Not stated"


# The period ------------------------------------------------------------------------------------


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()},
            format="%Y-%m-%d",
        ),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )


class PeriodForm(forms.Form):
    """The UK dates to report on; either end may be left open.
    (Kept beside its views while members/forms.py is being rewritten.)"""

    start = _date_field("From")
    end = _date_field("To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Show the figures")
        self.helper.form_method = "get"
        self.helper.form_id = "period-form"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date.")
        return cleaned

    def period(self) -> reports.Period:
        """The period asked for, or all time when the dates are not valid."""
        if not self.is_valid():
            return reports.Period()
        return reports.Period(self.cleaned_data["start"], self.cleaned_data["end"])


def _period(request) -> tuple[PeriodForm, reports.Period]:
    form = PeriodForm(request.GET)
    return form, form.period()


def _query(period: reports.Period) -> str:
    """The period as a query string, so links keep the filter."""
    dates = {"start": period.start, "end": period.end}
    return urlencode({name: day.isoformat() for name, day in dates.items() if day})


# Working the figures out reads every attendance and response in the period; they are kept this
# long and shared by everyone looking at the same period (the page says when they were worked out).
FIGURES_TIMEOUT = 10 * 60


def figures_cache_key(period: reports.Period, *, see_everything: bool) -> str:
    return f"members:dashboard:{period.start}:{period.end}:{int(see_everything)}"


def _figures_html_key(period: reports.Period, *, see_everything: bool) -> str:
    return figures_cache_key(period, see_everything=see_everything) + ":html"


def figures_forget(period: reports.Period, *, see_everything: bool) -> None:
    """Drop the kept figures and the page's rendering of them for this period and viewer."""
    cache.delete_many(
        [
            figures_cache_key(period, see_everything=see_everything),
            _figures_html_key(period, see_everything=see_everything),
        ]
    )


def _figures(period: reports.Period, *, see_everything: bool) -> dict:
    """Every figure on the dashboard and in its CSV, each fetched once, from the cache when
    someone has asked for the same period in the last ten minutes."""
    key = figures_cache_key(period, see_everything=see_everything)
    figures = cache.get(key)
    if figures is None:
        figures = _figures_worked_out(period, see_everything=see_everything)
        cache.set(key, figures, FIGURES_TIMEOUT)
    return figures


def _figures_worked_out(period: reports.Period, *, see_everything: bool) -> dict:
    return {
        "worked_out_at": timezone.now(),
        **reports.engagement(period),
        "response_rates": reports.survey_response_rates(period),
        "value_cycles": reports.value_cycles(period),
        "actions_by_level": reports.actions_by_level(period),
        "check_in_movement": reports.check_in_movement(period, see_everything=see_everything),
        "check_in_latest": reports.check_in_latest_stages(period, see_everything=see_everything),
        "agreement_over_time": reports.agreement_over_time(period),
    }


# Laying the figures out ------------------------------------------------------------------------


def _percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{fraction:.0%}"


def _frequency_rows(frequency: dict[str, int]) -> list[tuple[int, int]]:
    """(events attended, members) from 0 up, with a row for every number of events, even when
    nobody came exactly that often."""
    most = max((int(times) for times in frequency), default=0)
    return [(times, frequency.get(str(times), 0)) for times in range(most + 1)]


def _events_label(times: int) -> str:
    return f"{times} event" if times == 1 else f"{times} events"


def _organisation_rows(organisations: list[dict]) -> list[tuple[str, int]]:
    return [(row["name"] or NOT_STATED, row["members"]) for row in organisations]


def _width(value, peak) -> str:
    """A bar's width as a percentage of the chart's: a value above zero always shows."""
    if not value or not peak:
        return "0"
    return f"{max(100 * value / peak, 0.5):.1f}"


def _chart(key, title, description, rows, *, series=(("", BLUE),), peak=None) -> dict:
    """A horizontal bar chart for members/dashboard/_bars.html.

    `rows` are (label, values, text): one value per series, and the text said after the label.
    Widths are percentages of the largest value (or of `peak`, when the scale has a fixed top)."""
    if peak is None:
        peak = max((v for _, values, _ in rows for v in values if v), default=0)
    legend = []
    y = 0
    if len(series) > 1:
        x = 0
        for name, fill in series:
            legend.append({"name": name, "fill": fill, "x": x, "text_x": x + 16})
            x += 16 + 8 * len(name) + 16
        y = LEGEND_HEIGHT
    drawn = []
    for label, values, text in rows:
        bars = []
        for index, ((_, fill), value) in enumerate(zip(series, values, strict=True)):
            bar_y = y + LABEL_HEIGHT + index * (BAR_HEIGHT + BAR_GAP)
            bars.append({"y": bar_y, "width": _width(value, peak), "fill": fill})
        shown = f"{Truncator(label).chars(LABEL_CHARS)}: {text}"
        drawn.append({"label": shown, "text_y": y + 13, "bars": bars})
        y += LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return {
        "id": f"chart-{key}",
        "title": title,
        "description": description,
        "legend": legend,
        "rows": drawn,
        "width": CHART_WIDTH,
        "height": max(y, 1),
        "bar_height": BAR_HEIGHT,
    }


def _charts(figures: dict, frequency: list[tuple[int, int]]) -> dict:
    same = "The table beside it has the same numbers."
    joiners = [(r["month"], [r["joined"]], r["joined"]) for r in figures["new_joiners_by_month"]]
    events = [
        (f"{r['date']} {r['title']}", [r["attendance"]], r["attendance"]) for r in figures["events"]
    ]
    times = [(_events_label(times), [members], members) for times, members in frequency]
    rates = [
        (r["title"], [100 * (r["rate"] or 0)], _percent(r["rate"]) or "no one invited")
        for r in figures["response_rates"]
    ]
    levels = [
        (r["level"], [r["recorded"], r["done"]], f"{r['recorded']} recorded, {r['done']} completed")
        for r in figures["actions_by_level"]
    ]
    return {
        "joiners": _chart(
            "joiners",
            "New joiners per month",
            f"One bar per month: how many people joined. {same}",
            joiners,
        ),
        "attendance": _chart(
            "attendance",
            "Attendance per event",
            f"One bar per event, oldest first: how many members came. {same}",
            events,
        ),
        "frequency": _chart(
            "frequency",
            "How many events members came to",
            f"One bar per number of events: how many members came to that many. {same}",
            times,
        ),
        "rates": _chart(
            "rates",
            "Response rate per survey",
            "One bar per survey, oldest first: the share of those invited who answered, on a "
            f"scale from 0 to 100%. {same}",
            rates,
            peak=100,
        ),
        "actions": _chart(
            "actions",
            "Actions by level",
            "For each level, the upper bar is the actions members recorded and the lower bar "
            f"those they completed. {same}",
            levels,
            series=(("Recorded", BLUE), ("Completed", GREEN)),
        ),
    }


def _disclosure_table(table) -> dict:
    """A surveys.disclosure.Table ready for the template: a hidden count is None."""
    return {
        "columns": table.columns,
        "rows": [
            {"name": name, "cells": table.row(name), "total": table.row_totals[name]}
            for name in table.rows
        ],
        "column_totals": [table.column_totals[column] for column in table.columns],
        "total": table.total,
        "notes": table.notes,
        "several_columns": len(table.columns) > 1,
    }


# The page --------------------------------------------------------------------------------------


@permission_required(REPORTS, raise_exception=True)
@require_GET
def dashboard(request):
    form, period = _period(request)
    see_everything = request.user.has_perm(UNSUPPRESSED)
    query = _query(period)
    csv_url = reverse("members:dashboard_csv") + (f"?{query}" if query else "")
    return render(
        request,
        "members/dashboard/dashboard.html",
        {
            "form": form,
            "period": period,
            "csv_url": csv_url,
            "figures_html": _figures_html(period, see_everything=see_everything),
        },
    )


def _figures_html(period: reports.Period, *, see_everything: bool) -> str:
    """The page's figures, laid out and rendered, kept as long as the figures themselves."""
    key = _figures_html_key(period, see_everything=see_everything)
    html = cache.get(key)
    if html is None:
        figures = _figures(period, see_everything=see_everything)
        html = render_to_string("members/dashboard/_figures.html", _layout(figures))
        cache.set(key, html, FIGURES_TIMEOUT)
    return html


def _layout(figures: dict) -> dict:
    frequency = _frequency_rows(figures["attendance_frequency"])
    return {
        "figures": figures,
        "organisations": _organisation_rows(figures["organisations"]),
        "frequency": [(_events_label(times), members) for times, members in frequency],
        "attended_once_percent": _percent(figures["attended_once_share"]),
        "response_rates": [
            {**row, "percent": _percent(row["rate"])} for row in figures["response_rates"]
        ],
        "value_cycles": [
            {**row, "explained": CYCLES_EXPLAINED[row["cycle"]]} for row in figures["value_cycles"]
        ],
        "check_in_movement": _disclosure_table(figures["check_in_movement"]),
        "check_in_latest": _disclosure_table(figures["check_in_latest"]),
        "charts": _charts(figures, frequency),
    }


# The CSV download ------------------------------------------------------------------------------


def _hidden(n):
    return "hidden" if n is None else n


def _table_rows(table, corner: str) -> list[list]:
    """A disclosure table as CSV rows: a header, a row per group, the totals, then its notes."""
    several = len(table.columns) > 1
    rows = [[corner, *table.columns, *(["Total"] if several else [])]]
    for name in table.rows:
        totals = [_hidden(table.row_totals[name])] if several else []
        rows.append([name, *(_hidden(n) for n in table.row(name)), *totals])
    column_totals = [_hidden(table.column_totals[c]) for c in table.columns] if several else []
    rows.append(["Total", *column_totals, _hidden(table.total)])
    rows += [["Note", note] for note in table.notes]
    return rows


def _csv_blocks(figures: dict) -> list[tuple[str, list[list]]]:
    """One block per figure: its heading, then its rows (a header row first)."""
    senior = figures["senior_leaders"]
    return [
        ("Summary", [
            ["Figure", "Value"],
            ["Members", figures["members"]],
            ["Attendances", figures["attendances"]],
            ["Events", len(figures["events"])],
            ["Came only once (of those who came)", _percent(figures["attended_once_share"])],
        ]),
        ("New joiners per month", [
            ["Month", "Joined"],
            *([row["month"], row["joined"]] for row in figures["new_joiners_by_month"]),
        ]),
        ("Organisations", [
            ["Organisation", "Members"],
            *(list(row) for row in _organisation_rows(figures["organisations"])),
        ]),
        ("Attendance per event", [
            ["Date", "Event", "Attendance"],
            *([row["date"], row["title"], row["attendance"]] for row in figures["events"]),
        ]),
        ("How many events members came to", [
            ["Events attended", "Members"],
            *(list(row) for row in _frequency_rows(figures["attendance_frequency"])),
        ]),
        ("Returning members", [
            ["Date", "Event", "Also at the event before"],
            *([row["date"], row["title"], row["returning"]]
              for row in figures["returning_members"]),
        ]),
        ("Senior leaders and executives", [
            ["Members", "Came", "Attendances"],
            [senior["members"], senior["people"], senior["attendances"]],
        ]),
        ("Sector mix", [
            ["Sector", "Members", "Attendances"],
            *([row["sector"], row["members"], row["attendances"]]
              for row in figures["sector_mix"]),
        ]),
        ("Survey response rates", [
            ["Opened", "Survey", "Invited", "Responded", "Response rate"],
            *([row["date"], row["title"], row["invited"], row["responded"],
               _percent(row["rate"])] for row in figures["response_rates"]),
        ]),
        ("Value-creation cycles", [
            ["Cycle", "Completed actions", "Survey questions", "Answers",
             "Mean agreement (1 to 5)"],
            *([row["label"], row["actions_done"], row["survey_questions"], row["answers"],
               row["mean_agreement"]] for row in figures["value_cycles"]),
        ]),
        ("Actions by level", [
            ["Level", "Recorded", "Completed"],
            *([row["level"], row["recorded"], row["done"]]
              for row in figures["actions_by_level"]),
        ]),
        ("Check-in movement: first stage to latest stage",
         _table_rows(figures["check_in_movement"], "First stage / latest stage")),
        ("Members at each stage by their latest check-in",
         _table_rows(figures["check_in_latest"], "Stage")),
        ("Agreement over time", [
            ["Opened", "Survey", "Question", "Answers", "Mean agreement (1 to 5)"],
            *([row["date"], row["survey"], row["question"], row["answers"], row["mean"]]
              for row in figures["agreement_over_time"]),
        ]),
    ]  # fmt: skip


def _csv_filename(period: reports.Period) -> str:
    if period.start is None and period.end is None:
        return "cop-dashboard-all-time.csv"
    start = period.start.isoformat() if period.start else "beginning"
    end = period.end.isoformat() if period.end else "today"
    return f"cop-dashboard-{start}-{end}.csv"


@permission_required(REPORTS, raise_exception=True)
@require_GET
def dashboard_csv(request):
    _, period = _period(request)
    figures = _figures(period, see_everything=request.user.has_perm(UNSUPPRESSED))
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_csv_filename(period)}"'},
    )
    # A byte order mark, so that Excel reads the file as UTF-8 and names keep their accents.
    response.write("\ufeff")
    writer = csv.writer(response)
    start = period.start.isoformat() if period.start else ""
    end = period.end.isoformat() if period.end else ""
    writer.writerow(["CoP Portal engagement and impact figures"])
    writer.writerow(["From", start or "the beginning"])
    writer.writerow(["To", end or "today"])
    for heading, rows in _csv_blocks(figures):
        writer.writerow([])
        writer.writerow([heading])
        writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return response
