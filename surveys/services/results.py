"""Reading a survey's results: a write as well as a read, because the final release of anonymous
answers happens first if it is due, every look at unsuppressed results goes in the audit trail,
and a large survey's protected results are queued to be prepared in the background."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from members.services import AuditAction, audit_record

from ..caching import (
    KeptResults,
    ResultsPage,
    preparing_claim,
    preparing_release,
    results_key,
    results_page_keep,
    results_page_kept,
    results_store,
    results_survey_keep,
)
from ..models import Survey
from ..selectors.results import (
    ResultsSurvey,
    disclosed_results,
    responses_by_day,
    results_prepared_inline,
    results_survey,
    results_with_days,
)
from .release import responses_release_final


def results_read(*, survey: Survey, see_everything: bool, request) -> KeptResults | None:
    """The results and responses by day this viewer may see (everything when `see_everything`,
    which the caller decides from the viewer's permission; that look is recorded in the audit
    trail with the request's user, path and address).

    A large survey's protected results are prepared by a worker (`results_prepare_soon`): until
    they are, this gives the latest prepared ones, not current, or None when there are none yet.

    Not one transaction: the final release of anonymous answers runs in a transaction of its
    own (surveys.services.release), and the audit line follows it."""
    responses_release_final(survey=survey)
    if see_everything:
        audit_record(request, AuditAction.UNSUPPRESSED_RESULTS_VIEWED, target=survey)
    return _results_for(survey, see_everything=see_everything, survey_get=lambda: survey)


def _results_for(survey, *, see_everything: bool, survey_get) -> KeptResults | None:
    """The kept results of `survey` (a Survey or a ResultsSurvey) for this kind of viewer, or,
    when they are not current, worked out now for a small survey (from the Survey that
    `survey_get()` reads) or queued for a large one."""
    kept = results_with_days(survey=survey, see_everything=see_everything, inline=False)
    if kept is not None and kept.current:
        return kept
    survey = survey_get()
    if results_prepared_inline(survey=survey, see_everything=see_everything):
        return results_with_days(survey=survey, see_everything=see_everything)
    results_prepare_soon(survey=survey, see_everything=see_everything)
    return kept


@dataclass(frozen=True)
class ResultsLook:
    """A look at a survey's results page: the survey as the page shows it, and the page's body
    as drawn for the viewer (None while nothing is prepared for them yet)."""

    survey: ResultsSurvey
    page: ResultsPage | None


def results_page_read(
    *,
    survey_id: int,
    see_everything: bool,
    audience: str,
    request,
    draw: Callable[[ResultsSurvey, KeptResults], str],
    keep: bool = True,
) -> ResultsLook | None:
    """`results_read` for the results page, which keeps its body: the survey and the body
    drawn by `draw(survey, kept_results)` for this kind of viewer and `audience` (everything
    else the body depends on about the viewer, such as whether they may see caucus choices),
    kept with the results (surveys.caching) unless `keep` is False (a body drawn for one
    request only). None when there is no such survey.

    What is decided for every look, never kept: the final release of anonymous answers if it is
    due, the audit line of a look at unsuppressed results, and, while the latest prepared
    results are not current, that newer ones are on their way."""
    found = results_page_kept(survey_id=survey_id, see_everything=see_everything, audience=audience)
    survey, page, stamp = found.survey, found.page, found.stamp
    if survey is None:
        survey = results_survey(survey_id=survey_id)
        if survey is None:
            return None
        results_survey_keep(survey, see_everything=see_everything, stamp=stamp)
    if survey.release_due(timezone.now()):
        responses_release_final(survey=Survey.objects.get(pk=survey_id))
        # The release moved the survey's generation on: nothing read before it is kept now.
        survey, page, stamp = results_survey(survey_id=survey_id), None, None
        if survey is None:
            return None
    if see_everything:
        # The survey named by its key, as the trail records it, without reading it again.
        target = Survey(pk=survey.pk)
        audit_record(request, AuditAction.UNSUPPRESSED_RESULTS_VIEWED, target=target)
    if page is not None and keep:
        if not page.current:
            results_prepare_soon(survey=survey, see_everything=see_everything)
        return ResultsLook(survey, page)

    def survey_get():
        return Survey.objects.get(pk=survey_id)

    kept = _results_for(survey, see_everything=see_everything, survey_get=survey_get)
    if kept is None:
        return ResultsLook(survey, None)
    html = draw(survey, kept)
    if not (keep and stamp):
        return ResultsLook(survey, ResultsPage(html, kept.key, kept.key, kept.current))
    page = results_page_keep(
        survey,
        see_everything=see_everything,
        audience=audience,
        stamp=stamp,
        kept=kept,
        html=html,
    )
    return ResultsLook(survey, page)


def results_prepare_soon(*, survey: Survey, see_everything: bool) -> bool:
    """Queue the preparation of these results unless one is already in hand; returns whether
    one was queued."""
    from ..tasks import results_prepare

    if not preparing_claim(survey, see_everything=see_everything):
        return False
    results_prepare.enqueue(survey.pk, see_everything)
    return True


def results_prepare(*, survey_id: int, see_everything: bool) -> bool:
    """Work out a survey's results for this kind of viewer and keep them, as the page would
    have (for surveys.tasks.results_prepare). Returns False when there is no such survey.
    The key is read first: answers stored meanwhile leave these results not current, and the
    next look queues another preparation."""
    survey = Survey.objects.filter(pk=survey_id, is_template=False).first()
    if survey is None:
        return False
    try:
        key = results_key(survey, see_everything)
        value = (
            disclosed_results(survey=survey, see_everything=see_everything),
            responses_by_day(survey=survey),
        )
        results_store(survey, see_everything=see_everything, key=key, value=value)
    finally:
        preparing_release(survey, see_everything=see_everything)
    return True
