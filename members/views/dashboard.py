"""The engagement and impact dashboard for organisers and the steering group, its CSV, and the
termly report with the organisers' value-creation stories.

Every figure comes from members/selectors/dashboard.py, where each is a fixed number of queries,
so the page costs the same whatever the size of the CoP. These views only choose the period, let
the selectors decide what the viewer may see, and lay the figures out: bar geometry for the
charts, rows for the tables and the CSV. What a viewer may see follows the rules in
cop_portal/web/disclosure.py: a protected viewer (anyone without surveys.view_unsuppressed_results)
gets whole calendar months, no caucus session on its own, and small counts hidden; anyone else
sees everything, and each look is written to the audit trail.

The page below the header is kept whole for each kind of viewer and dates asked for, as long as
the figures it shows (members.caching.dashboard_page_kept): warm, a view draws only the site's
layout around it, and puts the kept bytes in as they are."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from cop_portal.web.charts import BLUE, GREEN, bar_chart
from cop_portal.web.downloads import csv_download
from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormView
from cop_portal.web.pages import render_around

from ..caching import dashboard_page_kept
from ..forms.dashboard import PeriodForm, ValueStoryForm
from ..models import ValueCycle, ValueStory
from ..selectors.dashboard import (
    ACTED,
    Period,
    Viewer,
    dashboard_figures,
    period_shown,
    response_rates_note,
    value_stories,
    viewer_of,
)
from ..services import dashboard as services
from ..services.dashboard import unsuppressed_view_record

REPORTS = "members.view_reports"


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
# The most rows a table on the page shows of a list that grows with the CoP (its sessions,
# surveys, questions and organisations): the page stays readable, and as quick to serve, however
# long the CoP has run. The rest are in the CSV download, which has every row.
SHOWN_MOST = 24


# The period ------------------------------------------------------------------------------------


def _period(request, viewer: Viewer) -> tuple[PeriodForm, Period, str]:
    """The form, the period the viewer is shown (whole months for protected viewers), and the
    note that says so when that differs from the dates asked for."""
    form = PeriodForm(request.GET)
    shown, note = period_shown(form.period(), viewer)
    return form, shown, note


def _dates(period: Period) -> dict[str, str]:
    """The period's dates as the form sends them."""
    dates = {"start": period.start, "end": period.end}
    return {name: day.isoformat() for name, day in dates.items() if day}


def _query(period: Period) -> str:
    """The period as a query string, so links keep the filter."""
    return urlencode(_dates(period))


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


def _latest(rows: list) -> dict:
    """The last SHOWN_MOST of `rows` (oldest first, so the latest), and how many earlier rows
    are left to the CSV download."""
    left_out = max(len(rows) - SHOWN_MOST, 0)
    return {"rows": rows[left_out:], "left_out": left_out}


def _largest(rows: list) -> dict:
    """The first SHOWN_MOST of `rows` (largest first), and how many are left to the CSV."""
    return {"rows": rows[:SHOWN_MOST], "left_out": max(len(rows) - SHOWN_MOST, 0)}


def _charts(shown: dict, figures: dict, frequency: list[tuple[int, int]]) -> dict:
    """The bar charts, each of the rows its table shows."""
    same = "The table beside it has the same numbers."
    joiners = [(r["month"], [r["joined"]], r["joined"]) for r in figures["new_joiners_by_month"]]
    events = [
        (f"{r['date']} {r['title']}", [r["attendance"]], r["attendance"])
        for r in shown["events"]["rows"]
    ]
    times = [(_events_label(times), [members], members) for times, members in frequency]
    rates = [
        (r["title"], [100 * (r["rate"] or 0)], _rate_text(r, "no one invited"))
        for r in shown["response_rates"]["rows"]
    ]
    sessions = [
        (f"{r['date']} {r['title']}", [100 * (r["rate"] or 0)], _rate_text(r, "nobody came"))
        for r in shown["session_rates"]["rows"]
    ]
    levels = [
        (r["level"], [r["recorded"], r["done"]], f"{r['recorded']} recorded, {r['done']} completed")
        for r in figures["actions_by_level"]
    ]
    return {
        "joiners": bar_chart(
            "joiners",
            "New joiners per month",
            f"One bar per month: how many people joined. {same}",
            joiners,
        ),
        "attendance": bar_chart(
            "attendance",
            "Attendance per event",
            f"One bar per event, oldest first: how many members came. {same}",
            events,
        ),
        "frequency": bar_chart(
            "frequency",
            "How many events members came to",
            f"One bar per number of events: how many members came to that many. {same}",
            times,
        ),
        "rates": bar_chart(
            "rates",
            "Response rate per survey",
            "One bar per survey, oldest first: the share of those invited who answered, on a "
            f"scale from 0 to 100%. {same}",
            rates,
            peak=100,
        ),
        "sessions": bar_chart(
            "sessions",
            "Survey response rate after each session",
            "One bar per session with a survey after it, oldest first: the share of those who "
            f"came who answered, on a scale from 0 to 100%. {same}",
            sessions,
            peak=100,
        ),
        "actions": bar_chart(
            "actions",
            "Actions by level",
            "For each level, the upper bar is the actions members recorded and the lower bar "
            f"those they completed. {same}",
            levels,
            series=(("Recorded", BLUE), ("Completed", GREEN)),
        ),
    }


def _rate_text(row: dict, nobody: str) -> str:
    if row["hidden"]:
        return "hidden"
    return _percent(row["rate"]) or nobody


def _latest_stages(table) -> dict:
    """Members at each stage by their latest check-in: the check-in table's column totals,
    shown again as a list. The same numbers, hidden the same way, so nothing new is published."""
    return {
        "columns": ["Members"],
        "rows": [
            {"name": stage, "cells": [table.column_totals[stage]], "total": None}
            for stage in table.columns
        ],
        "column_totals": [table.total],
        "total": table.total,
        "notes": table.notes,
        "several_columns": False,
    }


def _disclosure_table(table) -> dict:
    """A cop_portal.web.disclosure.Table ready for the template: a hidden count is None."""
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


def _shares(table, column: str) -> list[dict]:
    """For each row of a comparison table, the share in `column`: shown only when the count
    and the row's total both are (a share made from a hidden count would give it back)."""
    shares = []
    for name in table.rows:
        n, total = table.cells[(name, column)], table.row_totals[name]
        shown = n is not None and total is not None
        shares.append(
            {"name": name, "hidden": not shown, "percent": _percent(n / total) if shown and total
             else ""}
        )  # fmt: skip
    return shares


def _caucus_left_out_note(figures: dict) -> str:
    """Why caucus sessions are missing from the sessions' survey table, for viewers who may not
    see them one by one."""
    left_out = figures["session_survey_rates"]["caucus_left_out"]
    if not left_out:
        return ""
    sessions = "caucus session" if left_out == 1 else "caucus sessions"
    return (
        f"{left_out} {sessions} with a survey after it {'is' if left_out == 1 else 'are'} left "
        "out here and in the comparisons below, so that nobody can work out who chose a caucus."
    )


FOLLOW_UPS_EXPLAINED = (
    "These set what members did after the emails that follow a session and an action against "
    "what they did without them. The emails were not handed out at random: the first sessions "
    "came before them, and some members turn them off. So a difference here is an association, "
    "not proof that the email made it."
)


# The page --------------------------------------------------------------------------------------


@permission_required(REPORTS, raise_exception=True)
@require_GET
def dashboard(request):
    viewer = viewer_of(request.user)
    form, period, widened_note = _period(request, viewer)
    # Every look, even at a kept page: the audit trail records who saw what, not what was drawn.
    unsuppressed_view_record(viewer=viewer, period=period, what="dashboard", request=request)
    surveys_link = request.user.has_perm("surveys.view_survey")
    if form.is_valid():
        asked = form.period()
        # The form drawn from the dates as understood, not as typed, so the page depends on the
        # request only through what is in its key.
        content = dashboard_page_kept(
            period,
            viewer=viewer,
            variant=(asked.start, asked.end, surveys_link),
            now=timezone.now(),
            build=lambda: _content(
                PeriodForm(_dates(asked)), period, widened_note, viewer, surveys_link
            ),
        )
    else:
        # Dates that could not be used are shown back with what was wrong: drawn every time.
        content, _ = _content(form, period, widened_note, viewer, surveys_link)
    return render_around(
        request, "members/dashboard/dashboard.html", {"form": form}, name="content", kept=content
    )


def _content(form, period: Period, widened_note: str, viewer: Viewer, surveys_link: bool):
    """The page below the header (UTF-8) and when its figures were worked out."""
    figures = dashboard_figures(period, viewer=viewer)
    query = _query(period)
    context = {
        **_layout(figures),
        "form": form,
        "period": period,
        "widened_note": widened_note,
        "csv_url": reverse("members:dashboard_csv") + (f"?{query}" if query else ""),
        "report_url": reverse("members:termly_report") + (f"?{query}" if query else ""),
        "surveys_link": surveys_link,
    }
    content = render_to_string("members/dashboard/dashboard.html#content", context)
    return content.encode(), figures["worked_out_at"]


def _agreement_left_out_note(figures: dict) -> str:
    left_out = figures["agreement_over_time"]["left_out"]
    if not left_out:
        return ""
    questions = "question is" if left_out == 1 else "questions are"
    return (
        f"{left_out} {questions} left out because fewer than {figures['threshold']} people "
        "answered, or fewer than that gave one of the answers: the mean could then point to "
        "the people who gave them. They count nowhere on this page, not even in the "
        "value-creation cycles."
    )


def _caucus_line(figures: dict) -> str:
    """All caucus sessions together, for viewers who may not see them one by one."""
    found = figures["caucus_sessions"]
    if found is None:
        return ""
    sessions = found["sessions"]
    if not sessions:
        return "No caucus sessions took place in this period."
    took_place = "caucus session" if sessions == 1 else "caucus sessions"
    return (
        f"{sessions} {took_place} took place in this period; how many came is not shown. "
        "Caucus sessions "
        "are counted together and left out of every other attendance figure, so that nobody "
        "can work out who chose a caucus."
    )


def _headline_text(value, kind: str) -> str:
    if value is None:
        return "None yet"
    return _percent(value) if kind == "share" else str(value)


def _change_text(change, kind: str) -> str:
    """In words, not signs: "up 3", "down 4 points" (a leading + or − would be read as a
    formula by a spreadsheet)."""
    if change is None:
        return ""
    amount = round(change * 100) if kind == "share" else change
    if amount == 0:
        return "no change"
    unit = " points" if kind == "share" else ""
    return f"{'up' if amount > 0 else 'down'} {abs(amount)}{unit}"


def headline_rows(headlines: dict) -> list[dict]:
    """The headline figures in words, with the period before (when there is one) and the
    change."""
    before = headlines["previous_start"] is not None
    return [
        {
            "label": row["label"],
            "value": _headline_text(row["value"], row["kind"]),
            "previous": _headline_text(row["previous"], row["kind"]) if before else "",
            "change": _change_text(row["change"], row["kind"]),
        }
        for row in headlines["rows"]
    ]


def _layout(figures: dict) -> dict:
    frequency = _frequency_rows(figures["attendance_frequency"])
    stages = figures["check_in_stages"]
    shown = {
        "organisations": _largest(_organisation_rows(figures["organisations"])),
        "events": _latest(figures["events"]),
        "returning_members": _latest(figures["returning_members"]),
        "response_rates": _latest(
            [{**row, "percent": _rate_text(row, "")} for row in figures["response_rates"]]
        ),
        "session_rates": _latest(
            [
                {**row, "percent": _rate_text(row, "")}
                for row in figures["session_survey_rates"]["rows"]
            ]
        ),
        "agreement_rows": _latest(figures["agreement_over_time"]["rows"]),
    }
    return {
        **shown,
        "figures": figures,
        "shown_most": SHOWN_MOST,
        "headlines": headline_rows(figures["headlines"]),
        "headlines_before": figures["headlines"],
        "frequency": [(_events_label(times), members) for times, members in frequency],
        "attended_once_percent": _percent(figures["attended_once_share"]),
        "caucus_line": _caucus_line(figures),
        "rates_note": response_rates_note(figures),
        "value_cycles": [
            {**row, "explained": CYCLES_EXPLAINED[row["cycle"]]} for row in figures["value_cycles"]
        ],
        "session_rates_note": _caucus_left_out_note(figures),
        "answers_by_email": [
            {**row, "percent": _percent(row["rate"])} for row in figures["answers_by_email"]
        ],
        "follow_ups_explained": FOLLOW_UPS_EXPLAINED,
        "actions_after_sessions": _disclosure_table(figures["actions_after_sessions"]),
        "acted_shares": _shares(figures["actions_after_sessions"], ACTED),
        "action_follow_ups": _disclosure_table(figures["action_follow_ups"]),
        "check_in_movement": _disclosure_table(stages),
        "check_in_latest": _latest_stages(stages),
        "agreement_left_out": _agreement_left_out_note(figures),
        "charts": _charts(shown, figures, frequency),
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


def _latest_rows(table) -> list[list]:
    """The latest-stage list: the check-in table's column totals, as in `_latest_stages`."""
    rows = [["Stage", "Members"]]
    rows += [[stage, _hidden(table.column_totals[stage])] for stage in table.columns]
    rows.append(["Total", _hidden(table.total)])
    return rows + [["Note", note] for note in table.notes]


def _caucus_rows(figures: dict) -> list[list]:
    found = figures["caucus_sessions"]
    return [["Sessions", "Attendances"], [found["sessions"], "not shown"]]


def _agreement_rows(figures: dict) -> list[list]:
    rows = [["Opened", "Survey", "Question", "Answers", "Mean agreement (1 to 5)"]]
    rows += [
        [row["date"], row["survey"], row["question"], row["answers"], row["mean"]]
        for row in figures["agreement_over_time"]["rows"]
    ]
    note = _agreement_left_out_note(figures)
    return rows + ([["Note", note]] if note else [])


def _rates_rows(figures: dict) -> list[list]:
    rows = [["Opened", "Survey", "Invited", "Responded", "Response rate"]]
    rows += [
        [row["date"], row["title"], _hidden(row["invited"]), _hidden(row["responded"]),
         _rate_text(row, "")]
        for row in figures["response_rates"]
    ]  # fmt: skip
    if note := response_rates_note(figures):
        rows.append(["Note", note])
    return rows


def _session_rates_rows(figures: dict) -> list[list]:
    rows = [["Date", "Session", "After-session email", "Came", "Answered", "Response rate",
             "Survey still open"]]  # fmt: skip
    rows += [
        [row["date"], row["title"], "yes" if row["emailed"] else "no", _hidden(row["came"]),
         _hidden(row["answered"]), _rate_text(row, ""), "yes" if row["open"] else "no"]
        for row in figures["session_survey_rates"]["rows"]
    ]  # fmt: skip
    if note := _caucus_left_out_note(figures):
        rows.append(["Note", note])
    return rows


def _answers_by_email_rows(figures: dict) -> list[list]:
    rows = [["Sessions", "Number", "Came", "Answered", "Response rate"]]
    rows += [
        [row["group"], row["sessions"], row["came"], row["answered"], _percent(row["rate"])]
        for row in figures["answers_by_email"]
    ]
    return rows


def _csv_blocks(figures: dict) -> list[tuple[str, list[list]]]:
    """One block per figure: its heading, then its rows (a header row first)."""
    senior = figures["senior_leaders"]
    return [
        ("Headline figures", [
            ["Figure", "This period", "The period before", "Change"],
            *([row["label"], row["value"], row["previous"], row["change"]]
              for row in headline_rows(figures["headlines"])),
        ]),
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
        *([("Caucus sessions, all together", _caucus_rows(figures))]
          if figures["caucus_sessions"] is not None else []),
        ("How many events members came to", [
            ["Events attended", "Members"],
            *(list(row) for row in _frequency_rows(figures["attendance_frequency"])),
        ]),
        ("Returning members", [
            ["Date", "Event", "Also at the event before"],
            *([row["date"], row["title"], row["returning"]]
              for row in figures["returning_members"]),
        ]),
        ("Coming back, by joining month", [
            ["Joined", "Members", "Came", "Back within 3 months", "Back within 6 months",
             "3 months still open", "6 months still open"],
            *([row["month"], row["joined"], row["came"], row["back_3"], row["back_6"],
               "yes" if row["open_3"] else "no", "yes" if row["open_6"] else "no"]
              for row in figures["retention_cohorts"]),
        ]),
        ("Came only once, at the end of each month", [
            ["Month", "Had come", "Only once"],
            *([row["month"], row["came"], row["once"]] for row in figures["once_only_over_time"]),
        ]),
        ("Senior leaders and executives", [
            ["Members", "Came", "Attendances"],
            [senior["members"], senior["people"], senior["attendances"]],
        ]),
        ("Senior-leader attendance by quarter", [
            ["Quarter", "Guests who came", "Senior members who came", "Together"],
            *([row["quarter"], _hidden(row["guests"]), _hidden(row["members"]),
               _hidden(row["together"])] for row in figures["senior_leader_attendance"]),
        ]),
        ("Sector mix", [
            ["Sector", "Members", "Attendances"],
            *([row["sector"], row["members"], row["attendances"]]
              for row in figures["sector_mix"]),
        ]),
        ("Survey response rates", _rates_rows(figures)),
        ("Survey response rate after each session", _session_rates_rows(figures)),
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
         _table_rows(figures["check_in_stages"], "First stage / latest stage")),
        ("Members at each stage by their latest check-in",
         _latest_rows(figures["check_in_stages"])),
        ("Agreement over time", _agreement_rows(figures)),
        ("Follow-up emails", [["Note", FOLLOW_UPS_EXPLAINED]]),
        ("Survey answers with and without the after-session email",
         _answers_by_email_rows(figures)),
        ("Actions recorded within 30 days of a session, with and without the after-session "
         "email", _table_rows(figures["actions_after_sessions"], "Attendances")),
        ("Actions still open after three months, with and without the follow-up: the next "
         "30 days", _table_rows(figures["action_follow_ups"], "Actions")),
    ]  # fmt: skip


def _csv_filename(period: Period) -> str:
    if period.start is None and period.end is None:
        return "cop-dashboard-all-time.csv"
    start = period.start.isoformat() if period.start else "beginning"
    end = period.end.isoformat() if period.end else "today"
    return f"cop-dashboard-{start}-{end}.csv"


@permission_required(REPORTS, raise_exception=True)
@require_GET
def dashboard_csv(request):
    viewer = viewer_of(request.user)
    _, period, widened_note = _period(request, viewer)
    unsuppressed_view_record(viewer=viewer, period=period, what="dashboard CSV", request=request)
    figures = dashboard_figures(period, viewer=viewer)
    response, write = csv_download(_csv_filename(period))
    start = period.start.isoformat() if period.start else ""
    end = period.end.isoformat() if period.end else ""
    write("CoP Portal engagement and impact figures")
    write("From", start or "the beginning")
    write("To", end or "today")
    if widened_note:
        write("Note", widened_note)
    for heading, rows in _csv_blocks(figures):
        write()
        write(heading)
        for row in rows:
            write(*row)
    return response


# The termly report, and the stories it tells ------------------------------------------------


@permission_required("members.view_reports", raise_exception=True)
@require_GET
def termly_report(request):
    """The figures a board needs on a page or two of A4 (the browser prints it, by the print
    stylesheet): the headline figures, then each value-creation cycle with its figures and the
    organisers' stories beside them, then the sessions held. Through the same disclosure rules
    as the dashboard."""
    viewer = viewer_of(request.user)
    form, period, widened_note = _period(request, viewer)
    unsuppressed_view_record(viewer=viewer, period=period, what="termly report", request=request)
    figures = dashboard_figures(period, viewer=viewer)
    stories = list(value_stories(period))
    cycles = [
        {
            **row,
            "explained": CYCLES_EXPLAINED[row["cycle"]],
            "stories": [story for story in stories if story.cycle == row["cycle"]],
        }
        for row in figures["value_cycles"]
    ]
    return render(
        request,
        "members/dashboard/report.html",
        {
            "form": form,
            "period": period,
            "widened_note": widened_note,
            "figures": figures,
            "headlines": headline_rows(figures["headlines"]),
            "headlines_before": figures["headlines"],
            "cycles": cycles,
            "caucus_line": _caucus_line(figures),
            "attended_once_percent": _percent(figures["attended_once_share"]),
        },
    )


class StoriesPage:
    back_url = "members:value_stories"
    back_label = "Back to the stories"


@permission_required("members.view_reports", raise_exception=True)
@require_GET
def stories(request):
    return render(request, "members/dashboard/stories.html", {"stories": list(value_stories())})


class ValueStoryEdit(StoriesPage, OrganiserFormView):
    model = ValueStory
    form_class = ValueStoryForm
    intro = (
        "A story of value the CoP created, in your own words, on the cycle it belongs to. The "
        "termly report prints it beside that cycle's figures. Do not name members or anything "
        "that would identify one, nor anyone's caucus."
    )

    def title_for(self, story):
        return "Add a story" if self.creating else f"Edit “{story.title}”"

    def save(self, form):
        return services.value_story_save(
            value_story=None if self.creating else self.object,
            user=self.request.user,
            **form.cleaned_data,
        )


class ValueStoryDelete(StoriesPage, OrganiserDeleteView):
    model = ValueStory
    permission_required = "members.delete_valuestory"

    def delete(self, story):
        services.value_story_delete(story=story)
