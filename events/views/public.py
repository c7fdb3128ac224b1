"""What members and visitors see of the programme: events, registration, calendars, caucuses
and suggestions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cop_portal.web.forms import KEPT_TOKEN_PLACEHOLDER, kept_forms_with_token

from .. import caching
from ..calendar import ics_calendar
from ..forms.public import CaucusJoinForm, SuggestionForm
from ..models import CAUCUS_CHOICE_PERMISSION, Registration
from ..selectors import organise as organise_selectors
from ..selectors import public as selectors
from ..services import public as services

PAST_PAGE_SIZE = 20


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _event_or_404(slug, member):
    view = selectors.event_get(slug=slug, member=member)
    if view is None:
        raise Http404("No such event.")
    return view


@login_not_required
@require_GET
def programme(request):
    caucus_seen = selectors.caucus_ids_seen(request.user)
    now = timezone.now()
    member = request.user
    listing, statuses = caching.programme_listing_cached(
        audience=caucus_seen,
        now=now,
        build=lambda: _programme_listing(caucus_seen, now),
        member_pk=member.pk if member.is_authenticated else None,
        statuses=lambda ids: selectors.member_registrations(member=member, events=ids),
    )
    return render(
        request,
        "events/programme.html",
        {
            "programmes_html": listing.programmes_html,
            "sessions_html": listing.sessions_for(statuses),
        },
    )


def _programme_listing(caucus_seen, now) -> caching.ProgrammeListing:
    page = selectors.programme_page(now=now)
    context = {"page": page, "caucus_seen": caucus_seen}
    return caching.ProgrammeListing(
        programmes_html=render_to_string("events/programme.html#programmes", context),
        sessions_html=render_to_string("events/programme.html#sessions", context),
        upcoming_ids=tuple(event.pk for _month, events in page.months for event in events),
        valid_until=page.valid_until,
    )


@login_not_required
@require_GET
def past(request):
    page = Paginator(selectors.past_events(), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/past.html",
        {"page": page, "caucus_seen": selectors.caucus_ids_seen(request.user)},
    )


@login_not_required
@require_GET
def detail(request, slug):
    if request.user.is_authenticated:
        return _member_detail(request, slug)
    now = timezone.now()
    page = caching.session_page_cached(
        slug=slug,
        audience=caching.session_audience(
            signed_in=False, can_see_inside=False, can_see_materials=False
        ),
        now=now,
        fetch=lambda: selectors.event_shown(slug=slug),
        build=lambda event: _session_parts(event, False, event.caucus_id is None, None, now),
    )
    if page is None:
        raise Http404("No such event.")
    return render(request, "events/detail.html", _page_context(page.parts))


def _member_detail(request, slug):
    """A session's page for a signed-in member: the parts everyone in their audience sees and
    their own place, each kept (events.caching) and, warm, read in one round trip. What they
    may see is decided by who is asking: their caucus is kept under its own generation, and
    whether they are trusted with caucus choices is read for this request."""
    member = request.user
    trusted = member.has_perm(CAUCUS_CHOICE_PERMISSION)
    now = timezone.now()
    page = caching.member_session_page_cached(
        slug=slug,
        member_pk=member.pk,
        trusted=trusted,
        now=now,
        fetch=lambda: selectors.event_shown(slug=slug),
        place_build=lambda event: _member_place(member, event, trusted, now),
        build=lambda event, place: _session_parts(
            event, True, place.can_see_inside, place.in_caucus, now
        ),
    )
    if page is None:
        raise Http404("No such event.")
    parts, place = page.parts, page.place
    selectors.member_caucus_known(member, place.member_caucus_id)
    token = get_token(request)
    context = _page_context(parts)
    context.update(
        links_html=mark_safe(place.links_html),  # noqa: S308 - drawn from the template
        place_html=kept_forms_with_token(place.place_html, token),
        actions=_session_actions(request, parts, context["event"], place.can_see_inside),
        csrf_token=token,
    )
    return render(request, "events/detail.html", context)


def _page_context(parts) -> dict:
    # The session as far as what is drawn around its kept parts needs it (its resources).
    event = selectors.event_known(pk=parts.event_id, slug=parts.slug, caucus_id=parts.caucus_id)
    return {"parts": parts, "event": event}


def _member_place(member, event, trusted, now) -> caching.MemberPlace | None:
    """What `member` alone sees of `event` (their place, its forms, what to do after it), to
    be kept for them: drawn with a placeholder for the CSRF token. None if there is no such
    session for them (it became a draft since it was read)."""
    mine = selectors.member_at_event(slug=event.slug, member=member)
    if mine is None or mine.event_id != event.pk:
        return None
    view = selectors.event_view(event=event, mine=mine)
    context = {"view": view, "event": event, "csrf_token": KEPT_TOKEN_PLACEHOLDER}
    return caching.MemberPlace(
        member_pk=member.pk,
        event_id=event.pk,
        member_caucus_id=mine.member_caucus_id,
        in_caucus=mine.in_caucus,
        trusted=trusted,
        links_html=render_to_string("events/detail.html#links", context),
        place_html=render_to_string("events/detail.html#place", context),
        valid_until=selectors.event_booking_changes_at(event, now),
    )


def _session_parts(event, signed_in, can_see_inside, can_see_materials, now):
    """The parts of a session's page kept for an audience: given only what the audience
    decides, never the member's own view (their place, whether they came)."""
    context = {
        "event": event,
        "signed_in": signed_in,
        "can_see_inside": can_see_inside,
        "can_see_materials": can_see_materials,
    }
    return caching.SessionParts(
        event_id=event.pk,
        slug=event.slug,
        caucus_id=event.caucus_id,
        starts_at=event.starts_at,
        title=event.title,
        meta_description=truncatewords(event.summary, 30),
        head_html=render_to_string("events/detail.html#head", context),
        about_html=render_to_string("events/detail.html#about", context),
        summary_html=render_to_string("events/detail.html#summary", context),
        valid_until=event.ends_at if event.ends_at > now else None,
    )


def _session_actions(request, parts, event, can_see_inside):
    """The session's action counts, for organisers who publish summaries only, once it has
    started, and for a caucus session only if they may see inside it. Members do not see them:
    actions are private, and on a small session (a caucus one above all) "1 action, not
    followed up" beside a short list of who came says something about one person."""
    if (
        not request.user.has_perm("events.publish_summary")
        or not can_see_inside
        or parts.starts_at > timezone.now()
    ):
        return None
    return organise_selectors.event_action_counts(event=event)


@login_not_required
@require_GET
def event_ics(request, slug):
    view = _event_or_404(slug, request.user)
    links_for = frozenset({view.event.id}) if view.can_see_joining_link else frozenset()
    content = ics_calendar([view.event], name=view.event.title, joining_links_for=links_for)
    return _ics_response(content, f"{view.event.slug}.ics")


@login_not_required
@require_GET
@cache_control(max_age=900, public=True)
def programme_feed(request):
    content = ics_calendar(selectors.feed_programme_events(), name="CoP programme")
    return _ics_response(content, "cop-programme.ics")


@login_not_required
@require_GET
@cache_control(private=True, no_store=True)
def personal_feed(request, token):
    # The secret address is the authorisation: calendar apps fetch it without signing in.
    feed = selectors.feed_by_token(token=token)
    if feed is None or not feed.member.is_active:
        raise Http404("This calendar address is not valid: it may have been reset.")
    events = list(selectors.member_feed_events(member=feed.member))
    # Every event here is one the member holds a place at, so its joining link is theirs.
    content = ics_calendar(
        events, name="My CoP sessions", joining_links_for=frozenset(e.id for e in events)
    )
    return _ics_response(content, "my-cop-sessions.ics")


@require_POST
def register(request, slug):
    view = _event_or_404(slug, request.user)
    # A caucus session refused to a non-member raises PermissionDenied: a 403.
    try:
        registration = services.registration_create(event=view.event, member=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(
                request, "You are registered. We have emailed you the details and a calendar file."
            )
        else:
            messages.info(
                request,
                "The event is full, so you are on the waiting list. If a place comes free it "
                "is yours, and we will email you.",
            )
    return redirect(view.event)


@require_POST
def cancel_registration(request, slug):
    view = _event_or_404(slug, request.user)
    if view.registration is None:
        messages.error(request, "You are not registered for this event.")
        return redirect(view.event)
    was_waiting = view.registration.status == Registration.Status.WAITLISTED
    try:
        services.registration_cancel(registration=view.registration)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "You have left the waiting list."
            if was_waiting
            else "Your place is cancelled. Thank you for letting us know: it can go to "
            "someone else.",
        )
    return redirect(view.event)


@require_GET
def mine(request):
    feed = services.calendar_feed_get_or_create(member=request.user)
    return render(
        request,
        "events/mine.html",
        {
            "upcoming": selectors.member_upcoming(member=request.user),
            "attended": selectors.member_attendance_history(member=request.user),
            "feed_url": request.build_absolute_uri(
                reverse("events:personal_feed", kwargs={"token": feed.token})
            ),
        },
    )


@require_POST
def feed_reset(request):
    services.calendar_feed_reset(member=request.user)
    messages.success(
        request,
        "Your calendar address is reset: the old one no longer works. Subscribe to the new one "
        "below.",
    )
    return redirect("events:mine")


# A caucus choice is special category data: kept out of error reports (the POST and the
# variables holding it) and never logged.
@sensitive_post_parameters("caucus", "consent")
@sensitive_variables("membership", "form", "chosen", "text")
@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def caucus(request):
    membership = selectors.caucus_membership_of(member=request.user)
    form = CaucusJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["caucus"]
        services.caucus_join(member=request.user, caucus=chosen, consent=True)
        text = f"You have joined the {chosen} caucus."
        if membership is not None and membership.caucus_id != chosen.pk:
            text += " Your places at your previous caucus's sessions to come are cancelled."
        messages.success(request, text)
        return redirect("events:caucus")
    return render(
        request,
        "events/caucus.html",
        {"membership": membership, "form": form, "consent_text": services.CAUCUS_CONSENT_TEXT},
    )


@sensitive_variables("given_up")
@require_POST
@cache_control(private=True, no_store=True)
def caucus_withdraw(request):
    given_up = services.caucus_withdraw(member=request.user)
    text = "Your caucus choice is deleted."
    if given_up:
        text += f" Your place at {given_up} caucus session(s) is cancelled."
    messages.success(request, text)
    return redirect("events:caucus")


@require_http_methods(["GET", "POST"])
def suggestions(request):
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.suggestion_create(member=request.user, **form.cleaned_data)
        messages.success(request, "Thank you: organisers read every suggestion when planning.")
        return redirect("events:suggestions")
    return render(
        request,
        "events/suggestions.html",
        {
            "form": form,
            "mine": selectors.suggestions_of(member=request.user),
            "became_sessions": selectors.suggestions_that_became_sessions()[:20],
        },
    )
