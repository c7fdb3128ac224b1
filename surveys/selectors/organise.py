"""Reads for the organisers' survey builder: the list of surveys with their response counts,
who a survey is for, and the sessions a survey may follow."""

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Q, When
from django.utils import timezone

from events.models import Event

from ..models import StandardSurvey, Survey


def _with_rates(surveys):
    return surveys.select_related("event", "caucus").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
    )


def surveys_with_rates():
    """Every survey with invited and responded counts, for the organisers' list: templates
    are not surveys anyone answers, so they are listed on their own (`survey_templates`)."""
    return _with_rates(Survey.objects.filter(is_template=False))


def survey_with_rates(*, pk):
    """One survey or template for its organiser's page, with its counts; None if there is
    none."""
    return _with_rates(Survey.objects.filter(pk=pk)).first()


def survey_templates():
    """The templates to start a survey from, in the order of the kinds (after a session
    first), with how many questions each has."""
    kinds = Case(*(When(kind=kind, then=n) for n, kind in enumerate(Survey.Kind.values)))
    return (
        Survey.objects.filter(is_template=True)
        .annotate(question_count=Count("questions"), kind_order=kinds)
        .order_by("kind_order", "title", "pk")
    )


def standard_survey_templates():
    """The templates a session's standard survey may be made from: those for after a
    session."""
    return Survey.objects.filter(is_template=True, kind=Survey.Kind.POST_EVENT).order_by(
        "title", "pk"
    )


def standard_survey_session(*, event_id) -> Event | None:
    """A session, with its standard survey's choice and the survey made from it (if either),
    for the page that sets it; None if there is no such session."""
    event = Event.objects.select_related("caucus").filter(pk=event_id).first()
    if event is None:
        return None
    event.standard_choice = (
        StandardSurvey.objects.select_related("template").filter(event=event).first()
    )
    event.standard_made = Survey.objects.filter(event=event, is_standard_for_event=True).first()
    return event


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
