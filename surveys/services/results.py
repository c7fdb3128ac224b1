"""Reading a survey's results: a write as well as a read, because the final release of anonymous
answers happens first if it is due, and every look at unsuppressed results goes in the audit
trail."""

from members.services import AuditAction, audit_record

from ..models import Survey
from ..selectors.results import Results, results_with_days
from .release import responses_release_final


def results_read(*, survey: Survey, see_everything: bool, request) -> tuple[Results, list]:
    """The results and responses by day this viewer may see (everything when `see_everything`,
    which the caller decides from the viewer's permission; that look is recorded in the audit
    trail with the request's user, path and address).

    Not one transaction: the final release of anonymous answers runs in a transaction of its
    own (surveys.services.release), and the audit line follows it."""
    responses_release_final(survey=survey)
    if see_everything:
        audit_record(request, AuditAction.UNSUPPRESSED_RESULTS_VIEWED, target=survey)
    return results_with_days(survey=survey, see_everything=see_everything)
