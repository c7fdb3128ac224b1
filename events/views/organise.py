"""The organisers' side of the programme: programmes, events, speakers, attendance, summaries
and members' suggestions. Each view checks one permission, calls one service or selector, and
renders or redirects; the rules live in events/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.services import AuditAction as Action
from members.services import audit_record

from .. import selectors, services
from ..forms import (
    AttendanceForm,
    EventForm,
    EventSummaryForm,
    ProgrammeForm,
    SpeakerFormSet,
    SpeakerFormSetHelper,
    SuggestionFilterForm,
    SuggestionTriageForm,
    WalkInForm,
)
from ..models import CAUCUS_CHOICE_PERMISSION, Event, Programme, Suggestion

EVENTS_PAGE_SIZE = 50
SUGGESTIONS_PAGE_SIZE = 50


def _members(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


def _form_page(request, form, *, title, intro=""):
    return render(
        request,
        "events/organise/form.html",
        {"form": form, "title": title, "intro": intro},
    )


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
            "programmes": Programme.objects.order_by("-starts_on"),
            "page": events,
        },
    )


@permission_required("events.add_programme", raise_exception=True)
@require_http_methods(["GET", "POST"])
def programme_new(request):
    return _programme_form(request, Programme(), title="Add a programme")


@permission_required("events.change_programme", raise_exception=True)
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    return _programme_form(request, programme, title=f"Edit “{programme.title}”")


def _programme_form(request, programme, *, title):
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_save(programme=programme, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{programme.title}” is saved.")
            return redirect("events:organise_programme")
    return _form_page(
        request,
        form,
        title=title,
        intro="A programme groups the sessions of a period. Publishing it publishes its draft "
        "events and emails the members who asked to hear about new programmes.",
    )


@permission_required("events.change_programme", raise_exception=True)
@require_POST
def programme_publish(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
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


@permission_required("events.add_event", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_new(request):
    return _event_form(request, Event(), title="Add an event")


@permission_required("events.change_event", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = get_object_or_404(Event, pk=pk)
    return _event_form(request, event, title=f"Edit “{event.title}”")


def _event_form(request, event, *, title):
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, instance=event)
    speakers = SpeakerFormSet(data, instance=event, prefix="speakers")
    if data is not None and form.is_valid() and speakers.is_valid():
        fields = dict(form.cleaned_data)
        goals = fields.pop("goals")
        try:
            # The event and its speakers are saved together, or not at all.
            with transaction.atomic():
                event = services.event_save(event=event, goals=goals, **fields)
                speakers.instance = event
                speakers.save()
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            draft = (
                " as a draft: publish it when it is ready"
                if event.status == Event.Status.DRAFT
                else ""
            )
            messages.success(request, f"“{event.title}” is saved{draft}.")
            return redirect("events:organise_programme")
    return render(
        request,
        "events/organise/event_form.html",
        {
            "form": form,
            "speakers": speakers,
            "speakers_helper": SpeakerFormSetHelper(),
            "title": title,
        },
    )


@permission_required("events.change_event", raise_exception=True)
@require_POST
def event_publish(request, pk):
    event = get_object_or_404(Event, pk=pk)
    try:
        services.event_publish(event=event)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{event.title}” is published: members can now register.")
    return redirect("events:organise_programme")


@permission_required("events.change_event", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_cancel(request, pk):
    if request.method == "POST":
        event = get_object_or_404(Event, pk=pk)
        try:
            told = services.event_cancel(event=event)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"“{event.title}” is cancelled. {_members(told)} with a place or on the "
                "waiting list will be told by email.",
            )
        return redirect("events:organise_programme")
    event = get_object_or_404(selectors.organiser_events(), pk=pk)
    return render(
        request,
        "events/organise/event_cancel.html",
        {"event": event, "to_tell": event.confirmed_count + event.waitlisted_count},
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
        # Who booked and who came is personal data; for a caucus session, special category.
        viewed = Action.CAUCUS_REGISTER_VIEWED if event.caucus_id else Action.REGISTER_VIEWED
        audit_record(request, viewed, target=event)
        return _attendance_page(request, event)
    form = AttendanceForm(request.POST)
    form.is_valid()  # Never invalid: ids that are not whole numbers are dropped.
    try:
        present, absent = services.attendance_record(
            event=event,
            present_ids=form.cleaned_data["present"],
            recorded_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        audit_record(
            request,
            Action.ATTENDANCE_MARKED,
            target=event,
            detail=f"{present} marked present, {absent} unmarked",
        )
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
        services.attendance_add_walk_in(event=event, member=member, recorded_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        audit_record(
            request, Action.ATTENDANCE_MARKED, target=event, detail=f"walk-in user #{member.pk}"
        )
        messages.success(request, f"{member} is added to the attendance list.")
    return redirect("events:event_attendance", pk=event.pk)


# After the event -------------------------------------------------------------------------------


@permission_required("events.publish_summary", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_summary(request, pk):
    event = get_object_or_404(Event, pk=pk)
    form = EventSummaryForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.event_summary_publish(
                event=event, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"The summary of “{event.title}” is published. {_catch_up(sent)}",
            )
            return redirect("events:organise_programme")
    return render(
        request,
        "events/organise/event_summary.html",
        {
            "event": event,
            "form": form,
            "taken_place": event.starts_at <= timezone.now(),
        },
    )


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


@permission_required("events.triage_suggestion", raise_exception=True)
@require_http_methods(["GET", "POST"])
def suggestion_edit(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.select_related("member", "event"), pk=pk)
    form = SuggestionTriageForm(
        request.POST or None,
        initial={
            "status": suggestion.status,
            "organiser_note": suggestion.organiser_note,
            "event": suggestion.event_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_triage(suggestion=suggestion, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{suggestion.topic}” is updated.")
            return redirect(reverse("events:suggestions_triage"))
    return render(
        request,
        "events/organise/suggestion_edit.html",
        {"suggestion": suggestion, "form": form},
    )
