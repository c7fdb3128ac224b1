"""Survey results for organisers and the steering group: the page and its CSV download.

Answers are counted by the selectors, in the database; these views only decide what the
viewer may see. Two rules protect the people who answered:

- a survey with fewer responses than SURVEY_SUPPRESSION_THRESHOLD shows no answers at all,
  because with a handful of respondents even overall counts and free text can point to people;
- every count about a question (its overall split, the chart, and the breakdowns, on the page
  and in the CSV) comes from one protected set worked out by cop_portal.web.disclosure, so that no
  figure on one surface gives away a count hidden on another. There is no breakdown by caucus:
  responses do not keep it, because members agreed to their caucus being used only for its
  sessions and materials.

Anonymous answers count only once released (surveys.services.release): in groups of
at least the threshold while the survey is open, all together when it closes.

Holders of surveys.view_unsuppressed_results see everything, and each time they do it is
recorded in the audit trail.

The page's body is drawn once for each kind of viewer and kept with the results it was drawn
from (surveys.services.results.results_page_read, surveys.caching): who may see what is
decided for every request from who is asking, and only then is a kept body chosen."""

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from cop_portal.web.charts import bar_chart
from cop_portal.web.disclosure import audience_counts
from cop_portal.web.downloads import csv_download
from events.selectors import CAUCUS_CHOICE_PERMISSION as CAUCUS_CHOICE

from ..caching import charts_kept
from ..forms.results import BreakdownForm
from ..models import Question, Survey
from ..selectors.organise import audience_from_caucus
from ..selectors.results import BREAKDOWNS, TEXT_ANSWERS_SHOWN
from ..services.results import results_page_read, results_read

UNSUPPRESSED = "surveys.view_unsuppressed_results"

NPS_EXPLAINED = (
    "The net promoter score is the percentage of promoters (who answered 9 or 10) minus the "
    "percentage of detractors (who answered 0 to 6), so it runs from −100 to 100."
)


def _tiny_survey_note(threshold: int) -> str:
    return (
        f"Results appear once there are at least {threshold} responses. With fewer, even the "
        "overall counts and free-text answers could identify the people who answered."
    )


def _waiting_note(waiting: int, threshold: int) -> str:
    answers = "answer is" if waiting == 1 else "answers are"
    return (
        f"{waiting} more {answers} waiting. Anonymous answers are added in groups of at least "
        f"{threshold}, or all together when the survey closes, so that no change in the "
        "results can be traced to the person who just answered."
    )


def _not_current_note(prepared_at) -> str:
    return (
        f"These results were worked out at {date_format(localtime(prepared_at), 'j F Y, H:i')} "
        "(UK time) and leave out answers given since: newer results are being prepared."
    )


def _sees_everything(user) -> bool:
    return user.has_perm(UNSUPPRESSED)


def _counts(found, *, from_caucus: bool, may_see_caucus: bool) -> dict:
    """The response and invitation counts this viewer may see (cop_portal.web.disclosure.
    audience_counts, as on the survey list). For a survey whose audience comes from a caucus,
    answers by day and how many wait are left out too for anyone who may not see caucus
    choices: small, they would tell how many chose it."""
    counts = audience_counts(
        found.invited,
        found.responses,
        from_caucus=from_caucus,
        may_see_caucus=may_see_caucus,
        threshold=settings.SURVEY_SUPPRESSION_THRESHOLD,
    )
    guarded = from_caucus and not may_see_caucus
    return {
        "responses_shown": counts.responded,
        "invited_shown": counts.invited,
        "rate_percent": None if counts.rate is None else f"{counts.rate:.0%}",
        "counts_hidden": counts.hidden,
        "by_day_shown": [] if guarded else None,
        "waiting_shown": 0 if guarded else found.waiting,
    }


def _column_label(question, column: str) -> str:
    if question.kind == Question.Kind.AGREEMENT:
        return f"{Question.AGREEMENT_LABELS[int(column)]} ({column})"
    return column


# The page -------------------------------------------------------------------------------------


def _chart(result) -> dict:
    """One question's figures for its chart and table. A hidden count (None) gets no bar and no
    share: either would give it away."""
    answered = result.answered
    question = result.question
    rows = [
        {
            "label": label,
            "count": count,
            "percent": None if count is None else round(100 * count / answered) if answered else 0,
        }
        for label, count in result.distribution
    ]
    chart = {
        "result": result,
        "question": question,
        "answered": answered,
        "rows": rows,
        "bars": bar_chart(
            question.pk,
            f"Bar chart of the answers to “{question.text}”",
            "How many people gave each answer. The table beside it has the same numbers.",
            [
                (
                    row["label"],
                    [row["count"] or 0],
                    "hidden" if row["count"] is None else row["count"],
                )
                for row in rows
            ],
        ),
        "is_scale": question.kind in Question.SCALE_KINDS,
        "is_text": question.kind == Question.Kind.TEXT,
    }
    if question.kind == Question.Kind.NPS:
        chart["promoters"] = result.promoters
        chart["detractors"] = result.detractors
    return chart


def _charts_html(found) -> str:
    return render_to_string(
        "surveys/organise/results.html#charts",
        {
            "charts": [_chart(result) for result in found.questions],
            "texts_shown": TEXT_ANSWERS_SHOWN,
            "nps_explained": NPS_EXPLAINED,
        },
    )


def _breakdown_table(table, question) -> dict:
    return {
        "columns": [_column_label(question, c) for c in table.columns],
        "rows": [
            {"name": name, "cells": table.row(name), "total": table.row_totals[name]}
            for name in table.rows
        ],
        "column_totals": [table.column_totals[c] for c in table.columns],
        "total": table.total,
        "notes": table.notes,
    }


def _breakdown(request, found, *, allowed: bool):
    """The breakdown the GET parameters ask for: (form, table or None, message or None)."""
    options = BREAKDOWNS
    questions = [r.question for r in found.questions]
    data = request.GET
    if not {"by", "question"} & set(data):
        return BreakdownForm(questions=questions, options=options), None, None
    form = BreakdownForm(data, questions=questions, options=options)
    if not allowed:
        return form, None, None
    if not form.is_valid():
        return form, None, "That breakdown cannot be shown: choose a grouping and a question."
    by, question_id = form.cleaned_data["by"], form.cleaned_data["question"]
    result = next(r for r in found.questions if r.question.pk == question_id)
    question = result.question
    if result.withheld:
        return form, None, result.notes[0]
    table = result.tables[by]
    return (
        form,
        {"question": question, "by": options[by], **_breakdown_table(table, question)},
        None,
    )


def _body(request, survey, kept, *, see_everything: bool, may_see_caucus: bool) -> str:
    """The page's body drawn from `kept` for this kind of viewer (kept with the results unless
    a breakdown is asked for: surveys.services.results.results_page_read). Drawn without the
    request's context: nothing in it is this viewer's own."""
    found, by_day = kept.value
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    hidden = found.responses < threshold and not see_everything
    charts_html = "" if hidden else charts_kept(kept, render=lambda: _charts_html(found))
    form, breakdown, breakdown_message = _breakdown(request, found, allowed=not hidden)
    counts = _counts(found, from_caucus=survey.from_caucus, may_see_caucus=may_see_caucus)
    if counts["by_day_shown"] is not None:
        by_day = counts["by_day_shown"]
    waiting = counts["waiting_shown"]
    return render_to_string(
        "surveys/organise/results.html#body",
        {
            "survey": survey,
            "results": found,
            **counts,
            "by_day": by_day,
            "hidden": hidden,
            "hidden_note": _tiny_survey_note(threshold),
            "waiting_note": _waiting_note(waiting, threshold) if waiting else None,
            "see_everything": see_everything,
            "threshold_below": threshold - 1,
            "charts_html": charts_html,
            "form": form if form.has_questions else None,
            "breakdown": breakdown,
            "breakdown_message": breakdown_message,
            "not_current_note": None if kept.current else _not_current_note(kept.prepared_at),
        },
    )


@permission_required("surveys.view_survey", raise_exception=True)
@require_GET
def results(request, pk):
    see_everything = _sees_everything(request.user)
    may_see_caucus = request.user.has_perm(CAUCUS_CHOICE)
    look = results_page_read(
        survey_id=pk,
        see_everything=see_everything,
        audience="caucus-choices" if may_see_caucus else "no-caucus-choices",
        request=request,
        draw=partial(_body, request, see_everything=see_everything, may_see_caucus=may_see_caucus),
        # A breakdown asked for is drawn for this request alone.
        keep=not {"by", "question"} & set(request.GET),
    )
    if look is None:
        raise Http404("No such survey.")
    if look.page is None:
        return render(request, "surveys/organise/results_preparing.html", {"survey": look.survey})
    return render(
        request, "surveys/organise/results.html", {"survey": look.survey, "body": look.page.html}
    )


# The CSV download -----------------------------------------------------------------------------


def _free_text_refusal(survey, user) -> str | None:
    if survey.is_anonymous:
        return "Free-text answers are not exported: this survey is anonymous."
    if not _sees_everything(user):
        return (
            "Free-text answers are not exported: they can identify the people who wrote them, "
            "so only people allowed to see unsuppressed results can download them."
        )
    return None


@permission_required("surveys.view_survey", raise_exception=True)
@require_GET
def results_csv(request, pk):
    survey = get_object_or_404(Survey, pk=pk, is_template=False)
    see_everything = _sees_everything(request.user)
    kept = results_read(survey=survey, see_everything=see_everything, request=request)
    if kept is None:
        # Nothing prepared yet: the results page says so, and when to come back.
        return redirect("surveys:results", survey.pk)
    found, _ = kept.value
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    response, write = csv_download(f"{survey.slug}-results.csv", missing="hidden")
    write("Survey", survey.title)
    if not kept.current:
        write("Note", _not_current_note(kept.prepared_at))
    counts = _counts(
        found,
        from_caucus=audience_from_caucus(survey),
        may_see_caucus=request.user.has_perm(CAUCUS_CHOICE),
    )
    write("Responses", counts["responses_shown"])
    write("Invited", counts["invited_shown"])
    if found.waiting:
        write("Waiting to be added", found.waiting)
        write("Note", _waiting_note(found.waiting, threshold))
    if found.responses < threshold and not see_everything:
        write("Note", _tiny_survey_note(threshold))
        return response

    refusal = _free_text_refusal(survey, request.user)
    write()
    write("Question", "Answer", "Count")
    for result in found.questions:
        question = result.question
        write(question.text, "Answered", result.answered)
        if question.kind == Question.Kind.TEXT:
            if refusal:
                write(question.text, refusal)
                continue
            for text in result.texts:
                write(question.text, text)
            if result.answered > len(result.texts):
                write(question.text, f"Only the first {len(result.texts)} answers are included.")
            continue
        for label, count in result.distribution:
            write(question.text, label, count)
        if question.kind in Question.SCALE_KINDS and result.mean is not None:
            write(question.text, "Mean", result.mean)
            write(question.text, "Median", result.median)
        if question.kind == Question.Kind.NPS and not result.withheld:
            write(question.text, "Promoters", result.promoters)
            write(question.text, "Detractors", result.detractors)
        if result.nps is not None:
            write(question.text, "Net promoter score", result.nps)
        for note in result.notes:
            write(question.text, note)

    options = BREAKDOWNS
    notes = []
    write()
    write("Breakdown by", "Question", "Group", "Answer", "Count")
    for result in found.questions:
        question = result.question
        if question.kind == Question.Kind.TEXT or result.withheld:
            continue
        for by, by_label in options.items():
            table = result.tables[by]
            labels = {column: _column_label(question, column) for column in table.columns}
            for row in table.rows:
                for column in table.columns:
                    write(by_label, question.text, row, labels[column], table.cells[(row, column)])
                write(by_label, question.text, row, "All answers", table.row_totals[row])
            for column in table.columns:
                count = table.column_totals[column]
                write(by_label, question.text, "All groups", labels[column], count)
            write(by_label, question.text, "All groups", "All answers", table.total)
            notes += [note for note in table.notes if note not in notes]
    if any(r.nps is not None for r in found.questions):
        write()
        write("Note", NPS_EXPLAINED)
    for note in notes:
        write("Note", note)
    return response
