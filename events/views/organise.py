"""The organisers' side of the programme: programmes, events, speakers, attendance, summaries
and members' suggestions. Each view checks one permission, calls one service or selector, and
renders or redirects; the rules live in events/services/organise.py. Create and edit pages
come from the generic organiser pages (cop_portal/web/organise.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormsetView, OrganiserFormView

from ..forms.organise import (
    AttendanceForm,
    CaucusForm,
    EventCopyForm,
    EventForm,
    EventKindForm,
    EventRepeatForm,
    EventSummaryForm,
    GoalForm,
    PlaceGiveForm,
    ProgrammeForm,
    SessionMessageForm,
    SpeakerFormSet,
    SpeakerFormSetHelper,
    SuggestionFilterForm,
    SuggestionTriageForm,
    WalkInForm,
)
from ..models import CAUCUS_CHOICE_PERMISSION, Caucus, Event, EventKind, Goal, Programme, Suggestion
from ..selectors import organise as selectors
from ..services import organise as services
from ..services import series

EVENTS_PAGE_SIZE = 50
SUGGESTIONS_PAGE_SIZE = 50


def _members(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


class ProgrammePage:
    """Every page here leads back to the programme."""

    back_url = "events:organise_programme"
    back_label = "Back to the programme"


# The programme ---------------------------------------------------------------------------------


@permission_required("events.change_event", raise_exception=True)
@require_GET
def programme(request):
    events = Paginator(selectors.organiser_events(), EVENTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/organise/programme.html",
        {
            "horizon": selectors.programme_horizon(),
            "programmes": selectors.programmes(),
            "page": events,
        },
    )


class ProgrammeEdit(ProgrammePage, OrganiserFormView):
    model = Programme
    form_class = ProgrammeForm
    intro = (
        "A programme groups the sessions of a period. Publishing it publishes its draft events "
        "and emails the members who asked to hear about new programmes."
    )

    def title_for(self, programme):
        return "Add a programme" if self.creating else f"Edit “{programme.title}”"

    def save(self, form):
        return services.programme_save(programme=self.object, **form.cleaned_data)


@permission_required("events.change_programme", raise_exception=True)
@require_http_methods(["GET", "POST"])
def programme_publish(request, pk):
    """A page that says what publishing will do (who is emailed), then the publishing."""
    programme = get_object_or_404(Programme, pk=pk)
    if request.method == "GET":
        return render(
            request,
            "events/organise/publish_confirm.html",
            {
                "title": f"Publish “{programme.title}”?",
                "what": selectors.programme_publish_preview(programme=programme),
                "action": reverse("events:programme_publish", args=[programme.pk]),
                "published": programme.published_at is not None,
            },
        )
    try:
        emailed = services.programme_publish(programme=programme)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"“{programme.title}” is published with its draft events. "
            f"{_members(emailed)} will be emailed about it.",
        )
    return redirect("events:organise_programme")


# Events ----------------------------------------------------------------------------------------


class EventEdit(ProgrammePage, OrganiserFormsetView):
    """An event and its speakers, saved together."""

    model = Event
    form_class = EventForm
    intro = (
        "Enter every date and time in UK time. A new event is saved as a draft: members see it "
        "once it is published."
    )
    formset_class = SpeakerFormSet
    formset_prefix = "speakers"
    formset_helper_class = SpeakerFormSetHelper
    formset_heading = "Speakers and facilitators"
    formset_intro = "Fill in a blank set for each new person. Save to get more blank sets."
    submit_label = "Save event"

    def title_for(self, event):
        return "Add an event" if self.creating else f"Edit “{event.title}”"

    def get_form_kwargs(self):
        later = 0 if self.creating else series.series_later(event=self.object).count()
        return {**super().get_form_kwargs(), "later_in_series": later}

    def save(self, form):
        fields = dict(form.cleaned_data)
        to_later = fields.pop("apply_to", "this") == "later"
        event = services.event_save(event=self.object, speakers=self.formset, **fields)
        self.carried = (
            series.series_change_carry(event=event, goals=fields.get("goals")) if to_later else 0
        )
        return event

    def success_message(self, event):
        also = (
            f" The {_sessions(self.carried)} after it in the series are changed too."
            if self.carried
            else ""
        )
        if event.status == Event.Status.DRAFT:
            return f"“{event.title}” is saved as a draft: publish it when it is ready.{also}"
        return f"“{event.title}” is saved.{also}"


def _sessions(n: int) -> str:
    return f"{n} session{'' if n == 1 else 's'}"


class EventCopy(ProgrammePage, OrganiserFormView):
    """A copy of a session on a new date, as a draft to check and publish."""

    model = Event
    form_class = EventCopyForm
    permission_required = "events.add_event"
    intro = (
        "The copy has this session's details, goals and speakers, and starts at the time you "
        "give (it lasts as long). Nothing that happened at this session is copied: bookings, "
        "attendance, its summary. The copy is a draft until you publish it."
    )

    def title_for(self, event):
        return f"Copy “{event.title}”"

    def save(self, form):
        return series.event_copy(source=self.object, starts_at=form.cleaned_data["starts_at"])

    def success_url_for(self, copy):
        return reverse("events:event_edit", args=[copy.pk])

    def success_message(self, copy):
        return f"The copy, on {copy.starts_at:%-d %B %Y}, is saved as a draft: check it here."


class EventRepeat(ProgrammePage, OrganiserFormView):
    """A session repeated as a series of drafts (say the first Tuesday of each month)."""

    model = Event
    form_class = EventRepeatForm
    permission_required = "events.add_event"
    intro = (
        "Each new session is a draft with this session's details, goals and speakers, at the "
        "same time of day (UK time). Later, a change to one session can be made to the later "
        "ones of the series too."
    )

    def title_for(self, event):
        return f"Repeat “{event.title}”"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "patterns": series.series_patterns(source=self.object),
        }

    def save(self, form):
        self.made = series.series_create(
            source=self.object,
            pattern=form.cleaned_data["pattern"],
            count=form.cleaned_data["count"],
        )
        return self.object

    def success_message(self, event):
        days = ", ".join(f"{e.starts_at:%-d %B %Y}" for e in self.made)
        return f"{_sessions(len(self.made))} added as drafts: {days}."


@permission_required("events.change_event", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_publish(request, pk):
    event = get_object_or_404(Event, pk=pk)
    if request.method == "GET":
        return render(
            request,
            "events/organise/publish_confirm.html",
            {
                "title": f"Publish “{event.title}”?",
                "what": [
                    f"It will be on the programme, {event.starts_at:%-d %B %Y}, and members "
                    + ("of its caucus can register." if event.caucus_id else "can register."),
                    "Nobody is emailed: members see it on the programme and in their calendar "
                    "feeds.",
                ],
                "action": reverse("events:event_publish", args=[event.pk]),
                "published": event.status != Event.Status.DRAFT,
            },
        )
    try:
        services.event_publish(event=event)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{event.title}” is published: members can now register.")
    return redirect("events:organise_programme")


class EventCancel(ProgrammePage, OrganiserDeleteView):
    """Cancelling is the events' delete: the page says who will be told before it happens."""

    model = Event
    permission_required = "events.change_event"
    template_name = "events/organise/event_cancel.html"
    delete_label = "Cancel the event"
    keep_label = "Keep the event"

    def get_queryset(self):
        return selectors.organiser_events()

    def title_for(self, event):
        return f"Cancel “{event.title}”?"

    def delete(self, event):
        self.told = services.event_cancel(event=event)

    def success_message(self, event):
        return (
            f"“{event.title}” is cancelled. {_members(self.told)} with a place or on the "
            "waiting list will be told by email."
        )


# Attendance ------------------------------------------------------------------------------------


def _check_caucus_access(request, event):
    # Who registered for a caucus session reveals their racial identity (special category
    # data), so its register is only for organisers trusted with caucus choices.
    if event.caucus_id is not None and not request.user.has_perm(CAUCUS_CHOICE_PERMISSION):
        raise PermissionDenied("Only organisers who may see caucus choices can take this register.")


def _attendance_page(request, event, *, form=None, walk_in_form=None, status=200):
    registrations, present, walk_ins = selectors.event_checkin(event=event)
    started = event.starts_at <= timezone.now()
    form = form or AttendanceForm(registrations=registrations, initial={"present": list(present)})
    return render(
        request,
        "events/organise/attendance.html",
        {
            "event": event,
            "started": started,
            "registrations": registrations,
            "present_count": len(present),
            "walk_ins": walk_ins,
            "form": form,
            "walk_in_form": walk_in_form
            or WalkInForm(action=reverse("events:event_walk_in", args=[event.pk])),
        },
        status=status,
    )


@permission_required("events.manage_attendance", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_attendance(request, pk):
    event = get_object_or_404(Event, pk=pk)
    _check_caucus_access(request, event)
    if request.method == "GET":
        services.attendance_register_viewed(event=event, request=request)
        return _attendance_page(request, event)
    form = AttendanceForm(request.POST)
    form.is_valid()  # Never invalid: ids that are not whole numbers are dropped.
    try:
        present, absent = services.attendance_record(
            event=event,
            present_ids=form.cleaned_data["present"],
            recorded_by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"Attendance is saved: {_members(present)} newly marked present, "
            f"{_members(absent)} marked absent.",
        )
    return redirect("events:event_attendance", pk=event.pk)


@permission_required("events.manage_attendance", raise_exception=True)
@require_POST
def event_walk_in(request, pk):
    event = get_object_or_404(Event, pk=pk)
    _check_caucus_access(request, event)
    form = WalkInForm(request.POST, action=reverse("events:event_walk_in", args=[event.pk]))
    if not form.is_valid():
        return _attendance_page(request, event, walk_in_form=form)
    member = form.cleaned_data["member"]
    try:
        services.attendance_add_walk_in(
            event=event, member=member, recorded_by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{member} is added to the attendance list.")
    return redirect("events:event_attendance", pk=event.pk)


# What sessions are described with: kinds, goals, caucuses --------------------------------------


@permission_required("events.change_eventkind", raise_exception=True)
@require_GET
def descriptions(request):
    """The kinds of session, the CoP's goals and the caucuses, each editable here."""
    return render(
        request,
        "events/organise/descriptions.html",
        {
            "kinds": selectors.event_kinds(),
            "goals": selectors.goals(),
            "caucuses": selectors.caucuses(),
        },
    )


class DescriptionsPage:
    back_url = "events:descriptions"
    back_label = "Back to kinds, goals and caucuses"


class EventKindEdit(DescriptionsPage, OrganiserFormView):
    model = EventKind
    form_class = EventKindForm

    def title_for(self, kind):
        return "Add a kind of session" if self.creating else f"Edit “{kind.name}”"

    def save(self, form):
        return services.event_kind_save(kind=self.object, **form.cleaned_data)


class EventKindDelete(DescriptionsPage, OrganiserDeleteView):
    model = EventKind
    permission_required = "events.delete_eventkind"
    consequence = "Only a kind no session is of can be deleted."

    def delete(self, kind):
        services.event_kind_delete(kind=kind)


class GoalEdit(DescriptionsPage, OrganiserFormView):
    model = Goal
    form_class = GoalForm

    def title_for(self, goal):
        return "Add a goal" if self.creating else f"Edit the goal “{goal.name}”"

    def save(self, form):
        return services.goal_save(goal=self.object, **form.cleaned_data)


class GoalDelete(DescriptionsPage, OrganiserDeleteView):
    model = Goal
    permission_required = "events.delete_goal"
    consequence = "Sessions that served this goal will no longer say so."

    def delete(self, goal):
        services.goal_delete(goal=goal)


class CaucusEdit(DescriptionsPage, OrganiserFormView):
    model = Caucus
    form_class = CaucusForm

    def title_for(self, caucus):
        return "Add a caucus" if self.creating else f"Edit the caucus “{caucus.name}”"

    def save(self, form):
        return services.caucus_save(caucus=self.object, **form.cleaned_data)


# Bookings: the places, the waiting list, messages to those booked -----------------------------


def _bookings_page(request, event, *, message_form=None, confirming=None, status=200):
    return render(
        request,
        "events/organise/bookings.html",
        {
            "event": event,
            "bookings": selectors.event_bookings(event=event),
            "message_form": message_form or SessionMessageForm(),
            "confirming": confirming,
        },
        status=status,
    )


@permission_required("events.manage_attendance", raise_exception=True)
@require_GET
def event_bookings(request, pk):
    event = get_object_or_404(Event, pk=pk)
    _check_caucus_access(request, event)
    services.attendance_register_viewed(event=event, request=request)
    return _bookings_page(request, event)


@permission_required("events.manage_attendance", raise_exception=True)
@require_POST
def event_place_give(request, pk):
    event = get_object_or_404(Event, pk=pk)
    _check_caucus_access(request, event)
    form = PlaceGiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That person is no longer on the waiting list.")
        return redirect("events:event_bookings", pk=event.pk)
    try:
        registration = services.waitlist_place_give(
            event=event,
            registration_id=form.cleaned_data["registration"],
            over_capacity=form.cleaned_data["over_capacity"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{registration.member} has a place and will be told by email.")
    return redirect("events:event_bookings", pk=event.pk)


@permission_required("events.manage_attendance", raise_exception=True)
@require_POST
def event_message(request, pk):
    """Two steps: the first post says how many the message would reach, the second sends it."""
    event = get_object_or_404(Event, pk=pk)
    _check_caucus_access(request, event)
    form = SessionMessageForm(request.POST)
    if not form.is_valid():
        return _bookings_page(request, event, message_form=form, status=400)
    data = form.cleaned_data
    if not data["confirmed"]:
        reach = selectors.message_audience_count(event=event, audience=data["audience"])
        return _bookings_page(request, event, message_form=form, confirming=reach)
    try:
        message = services.session_message_send(
            event=event,
            subject=data["subject"],
            body=data["body"],
            audience=data["audience"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _bookings_page(request, event, message_form=form, status=400)
    messages.success(request, f"Your message is on its way to {_members(message.recipients)}.")
    return redirect("events:event_bookings", pk=event.pk)


# After the event -------------------------------------------------------------------------------


class EventSummary(ProgrammePage, OrganiserFormView):
    model = Event
    form_class = EventSummaryForm
    permission_required = "events.publish_summary"
    template_name = "events/organise/event_summary.html"

    def title_for(self, event):
        return f"Summary of “{event.title}”"

    def get_context_data(self, **context):
        return super().get_context_data(
            taken_place=self.object.starts_at <= timezone.now(), **context
        )

    def save(self, form):
        self.sent = services.event_summary_publish(
            event=self.object, user=self.request.user, **form.cleaned_data
        )
        return self.object

    def success_message(self, event):
        return f"The summary of “{event.title}” is published. {_catch_up(self.sent)}"


def _catch_up(sent: int | None) -> str:
    if sent is None:
        return (
            "Catch-up emails wait until attendance is recorded, so nobody who came is told "
            "they missed it. Record attendance, then save the summary again to send them."
        )
    if sent == 0:
        return "No catch-up emails are due."
    email = "email goes" if sent == 1 else "emails go"
    return f"{sent} catch-up {email} to members who registered but did not come."


# Suggestions -----------------------------------------------------------------------------------


@permission_required("events.triage_suggestion", raise_exception=True)
@require_GET
def suggestions(request):
    form = SuggestionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(
        selectors.suggestions_for_triage(status=status), SUGGESTIONS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/organise/suggestions.html",
        {"form": form, "page": page, "query": query.urlencode(), "status": status},
    )


class SuggestionEdit(OrganiserFormView):
    model = Suggestion
    form_class = SuggestionTriageForm
    permission_required = "events.triage_suggestion"
    template_name = "events/organise/suggestion_edit.html"
    back_url = "events:suggestions_triage"
    back_label = "Back to the suggestions"

    def get_queryset(self):
        return selectors.suggestions_for_triage()

    def get_form_kwargs(self):
        # Not a ModelForm: the service, not the form, decides what a status change means.
        suggestion = self.object
        return super().get_form_kwargs() | {
            "initial": {
                "status": suggestion.status,
                "organiser_note": suggestion.organiser_note,
                "event": suggestion.event_id,
            }
        }

    def title_for(self, suggestion):
        return f"Respond to “{suggestion.topic}”"

    def save(self, form):
        return services.suggestion_triage(suggestion=self.object, **form.cleaned_data)

    def success_message(self, suggestion):
        return f"“{suggestion.topic}” is updated."
