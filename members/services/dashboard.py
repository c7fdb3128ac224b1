"""Writes for the dashboard: every look at figures with small numbers shown goes in the audit
trail (disclosure rule 6 in cop_portal/web/disclosure.py); the organisers' value-creation
stories, which the termly report sets beside the figures."""

from django.db import transaction

from ..models import ValueStory
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


@transaction.atomic
def value_story_save(*, value_story: ValueStory | None = None, user, **fields) -> ValueStory:
    """Write (no `value_story`) or change one of the organisers' value-creation stories."""
    value_story = value_story or ValueStory(written_by=user)
    for name, value in fields.items():
        setattr(value_story, name, value.strip() if isinstance(value, str) else value)
    value_story.full_clean()
    value_story.save()
    return value_story


@transaction.atomic
def value_story_delete(*, story: ValueStory) -> None:
    story.delete()
