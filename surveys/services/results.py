"""Reading a survey's results: a write as well as a read, because the final release of anonymous
answers happens first if it is due, every look at unsuppressed results goes in the audit trail,
and a large survey's protected results are queued to be prepared in the background."""

from members.services import AuditAction, audit_record

from ..caching import KeptResults, preparing_claim, preparing_release, results_key, results_store
from ..models import Survey
from ..selectors.results import (
    disclosed_results,
    responses_by_day,
    results_prepared_inline,
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
    kept = results_with_days(survey=survey, see_everything=see_everything, inline=False)
    if kept is not None and kept.current:
        return kept
    if results_prepared_inline(survey=survey, see_everything=see_everything):
        return results_with_days(survey=survey, see_everything=see_everything)
    results_prepare_soon(survey=survey, see_everything=see_everything)
    return kept


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
