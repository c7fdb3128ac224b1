"""Reads for the organisers' survey builder: the list of surveys with their response counts,
who a survey is for, and the sessions a survey may follow."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from events.models import Event

from ..models import Survey


def surveys_with_rates():
    """Every survey with invited and responded counts, for the organisers' list."""
    return Survey.objects.select_related("event", "caucus").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
    )


def audience_from_caucus(survey: Survey) -> bool:
    """A caucus survey, or a survey after a caucus session: the people invited are a caucus,
    or those of its members at the session, so their number is special category data."""
    return survey.kind == Survey.Kind.CAUCUS or (
        survey.event_id is not None and survey.event.caucus_id is not None
    )


def audience(survey: Survey):
    """Who a survey is for: a session's attendees, a caucus's members, or every member."""
    # Imported members who have not claimed their record are invited too: the personal link in
    # the invitation lets them answer without an account (surveys.links).
    members = get_user_model().objects.filter(is_active=True)
    if survey.kind == Survey.Kind.POST_EVENT:
        return members.filter(attendances__event=survey.event)
    if survey.kind == Survey.Kind.CAUCUS:
        return members.filter(caucus_membership__caucus=survey.caucus)
    return members


def survey_sessions(*, chosen_id: int | None = None):
    """The sessions a survey may follow, newest first: those that happened or are published,
    and the one already chosen; never a cancelled or draft session that is still to come."""
    sessions = Q(status=Event.Status.PUBLISHED) | (
        Q(starts_at__lte=timezone.now()) & ~Q(status=Event.Status.CANCELLED)
    )
    if chosen_id:
        sessions |= Q(pk=chosen_id)
    return Event.objects.filter(sessions).order_by("-starts_at")
