"""Writes for the dashboard: every look at figures with small numbers shown goes in the audit
trail (disclosure rule 6 in cop_portal/web/disclosure.py)."""

from .audit import Action, audit_record


def unsuppressed_view_record(*, viewer, period, what: str, request) -> None:
    """Record that `request`'s member saw `what` ("dashboard", "dashboard CSV") for `period`
    unsuppressed; a protected viewer's look is not recorded."""
    if viewer.see_everything:
        start = period.start.isoformat() if period.start else "beginning"
        end = period.end.isoformat() if period.end else "today"
        audit_record(
            request, Action.UNSUPPRESSED_FIGURES_VIEWED, detail=f"{what}, {start} to {end}"
        )
