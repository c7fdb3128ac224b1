"""Senior leaders invited as guests to one session: the organisers' guest list (invite, send
again, withdraw, who came, the briefing) and the guest's own page, opened by the personal link
in their invitation with no sign-in. The rules live in events/services/guests.py."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.selectors.onboarding import ground_rules_current

from ..briefing import FILENAME, briefing_pdf
from ..calendar import ics_calendar
from ..forms.guests import GuestAttendanceForm, GuestFormSet, GuestRowsHelper
from ..models import Event, Guest
from ..selectors import guests as selectors
from ..services import guests as services

GUEST_SESSION_KEY = "events_guest"


# Organisers ------------------------------------------------------------------------------------


def _guests_page(request, event, *, formset=None, status=200):
    guests = list(selectors.event_guests(event=event))
    try:
        services.guests_may_be_invited(event)
    except ValidationError as error:
        refused = error.messages[0]
    else:
        refused = ""
    active = [g for g in guests if g.withdrawn_at is None]
    return render(
        request,
        "events/organise/guests.html",
        {
            "event": event,
            "guests": guests,
            "refused": refused,
            "formset": formset or GuestFormSet(prefix="guests"),
            "formset_helper": GuestRowsHelper(),
            "started": event.starts_at <= timezone.now(),
            "attendance_form": GuestAttendanceForm(
                guests=active, initial={"present": [g.pk for g in active if g.attended]}
            ),
        },
        status=status,
    )


@permission_required("events.change_event", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_guests(request, pk):
    event = get_object_or_404(Event, pk=pk)
    if request.method == "GET":
        services.guest_list_viewed(event=event, request=request)
        return _guests_page(request, event)
    formset = GuestFormSet(request.POST, prefix="guests")
    if not formset.is_valid():
        messages.error(request, "Some details need another look: see the messages below.")
        return _guests_page(request, event, formset=formset, status=400)
    details = [services.GuestDetails(**form.cleaned_data) for form in formset if form.cleaned_data]
    try:
        invited = services.guests_invite(event=event, guests=details, invited_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _guests_page(request, event, formset=formset, status=400)
    people = "person is" if len(invited) == 1 else "people are"
    messages.success(
        request, f"{len(invited)} {people} invited: the invitations go within minutes."
    )
    return redirect("events:event_guests", pk=event.pk)


def _guest_of(event_pk, guest_pk) -> Guest:
    return get_object_or_404(Guest.objects.select_related("event"), pk=guest_pk, event_id=event_pk)


@permission_required("events.change_event", raise_exception=True)
@require_POST
def guest_resend(request, pk, guest_id):
    guest = _guest_of(pk, guest_id)
    try:
        services.guest_invitation_resend(guest=guest)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The invitation to {guest.name} goes again, with a new link.")
    return redirect("events:event_guests", pk=pk)


@permission_required("events.change_event", raise_exception=True)
@require_POST
def guest_withdraw(request, pk, guest_id):
    guest = _guest_of(pk, guest_id)
    try:
        services.guest_withdraw(guest=guest)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The invitation to {guest.name} is withdrawn.")
    return redirect("events:event_guests", pk=pk)


@permission_required("events.manage_attendance", raise_exception=True)
@require_POST
def guest_attendance(request, pk):
    event = get_object_or_404(Event, pk=pk)
    form = GuestAttendanceForm(request.POST)
    form.is_valid()  # Never invalid: ids that are not whole numbers are dropped.
    try:
        came = services.guest_attendance_record(
            event=event,
            present_ids=form.cleaned_data["present"],
            recorded_by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Guests' attendance is saved: {came} came.")
    return redirect("events:event_guests", pk=event.pk)


@permission_required("events.change_event", raise_exception=True)
@require_GET
def guest_briefing(request, pk):
    get_object_or_404(Event, pk=pk)
    response = HttpResponse(briefing_pdf(selectors.briefing_figures()), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response


# The guest's own page ---------------------------------------------------------------------------

PROBLEMS = {
    selectors.LinkProblem.UNKNOWN: (
        "This link does not work",
        "It may have been copied only in part, or replaced by a newer invitation: the most "
        "recent email from the organisers has the link that works.",
    ),
    selectors.LinkProblem.WITHDRAWN: (
        "This invitation has been withdrawn",
        "The organisers have withdrawn this invitation, or the session has been cancelled. "
        "Please contact them if you think this is a mistake.",
    ),
    selectors.LinkProblem.EXPIRED: (
        "This invitation has ended",
        "Invitation links work until a month after the session.",
    ),
    selectors.LinkProblem.JOINED: (
        "You have joined the CoP",
        "You are now a member, so this link is no longer needed: sign in to see the session "
        "and everything else.",
    ),
}


def _refused(request, problem: str):
    title, detail = PROBLEMS[problem]
    status = 404 if problem == selectors.LinkProblem.UNKNOWN else 410
    response = render(
        request,
        "events/guest_refused.html",
        {"title": title, "detail": detail, "problem": problem},
        status=status,
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_GET
def guest_link(request, token):
    """The address in the invitation. Opening it only checks the token and remembers the guest
    in this browser's session, then moves to an address without the token, so it leaves the
    address bar and history at once. It changes nothing, so a mail scanner that fetches links
    first does no harm."""
    guest = selectors.guest_for_token(token)
    problem = selectors.guest_link_problem(guest)
    if problem is not None:
        return _refused(request, problem)
    if not request.user.is_authenticated:
        request.session.cycle_key()
    request.session[GUEST_SESSION_KEY] = guest.pk
    response = redirect("events:guest_page")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _session_guest(request) -> tuple[Guest | None, str | None]:
    guest = selectors.guest_by_pk(request.session.get(GUEST_SESSION_KEY))
    return guest, selectors.guest_link_problem(guest)


@login_not_required
@never_cache
@require_GET
def guest_page(request):
    guest, problem = _session_guest(request)
    if problem is not None:
        return _refused(request, problem)
    event = guest.event
    return render(
        request,
        "events/guest.html",
        {
            "guest": guest,
            "event": event,
            "started": event.starts_at <= timezone.now(),
            "ground_rules": ground_rules_current(),
            "account_exists": selectors.member_with_email_exists(guest.email),
        },
    )


@login_not_required
@require_POST
def guest_reply(request):
    guest, problem = _session_guest(request)
    if problem is not None:
        return _refused(request, problem)
    coming = request.POST.get("answer") == "yes"
    try:
        services.guest_reply(guest=guest, coming=coming)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if coming:
            messages.success(request, "Thank you: we look forward to seeing you.")
        else:
            messages.success(request, "Thank you for letting us know.")
    return redirect("events:guest_page")


@login_not_required
@never_cache
@require_GET
def guest_ics(request):
    guest, problem = _session_guest(request)
    if problem is not None:
        return _refused(request, problem)
    if guest.registered_at is None:
        messages.error(request, "Say that you will come first: then the calendar file is here.")
        return redirect("events:guest_page")
    event = guest.event
    content = ics_calendar([event], name=event.title, joining_links_for=frozenset({event.pk}))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@login_not_required
@require_POST
def guest_join(request):
    """One click: an account for the guest, signed in, sent to the first step of joining. Never
    signs anyone in to an account that exists already."""
    guest, problem = _session_guest(request)
    if problem is not None:
        return _refused(request, problem)
    if request.user.is_authenticated:
        messages.error(request, "You are signed in already: sign out first to join as a guest.")
        return redirect("events:guest_page")
    try:
        member = services.guest_join(guest=guest)
    except services.MemberAlreadyExists as error:
        messages.error(request, error.messages[0])
        return redirect("events:guest_page")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("events:guest_page")
    request.session.pop(GUEST_SESSION_KEY, None)
    auth_login(request, member, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        "Welcome to the CoP. A few steps to finish joining: your profile, the introduction "
        "and the ground rules. To sign in again later, choose a password "
        "under Account, Password.",
    )
    return redirect("members:profile_edit")
