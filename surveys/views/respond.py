"""Members answering surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cop_portal.web.forms import KEPT_TOKEN_PLACEHOLDER

from ..caching import AnsweringPage, answering_page_kept
from ..forms.respond import ResponseForm
from ..models import SHORT_CODE_LETTERS, SHORT_CODE_MAX, Survey
from ..selectors.respond import (
    invitation_link_by_pk,
    invitation_link_for_token,
    minutes_to_answer,
    questions_of,
    survey_answered_by_link,
    survey_for_member,
    surveys_waiting,
)
from ..services.respond import response_submit


@require_GET
def waiting(request):
    return render(
        request,
        "surveys/waiting.html",
        {"surveys": surveys_waiting(member=request.user)},
    )


@require_GET
def short_link(request, code):
    """The short link shown on a slide (/q/<code>/): for signed-in members only (anyone else is
    asked to sign in first, and comes back here), so a visitor learns nothing of any survey;
    the survey page then decides who may answer."""
    # Typed from a slide: capitals are forgiven; anything outside the codes' letters (a NUL
    # byte, which the database would refuse) is no survey's code.
    code = code.lower()
    if len(code) > SHORT_CODE_MAX or not set(code) <= set(SHORT_CODE_LETTERS):
        raise Http404("No survey has this code.")
    survey = get_object_or_404(Survey.objects.only("slug"), short_code=code)
    return redirect("surveys:respond", slug=survey.slug)


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def respond(request, slug):
    if request.method == "GET":
        kept = answering_page_kept(
            slug=slug,
            member_pk=request.user.pk,
            now=timezone.now(),
            survey_get=lambda: survey_for_member(slug=slug, member=request.user),
            page_build=_answering_page,
        )
        if kept is not None:
            # One token for the page's forms (the header's sign-out form uses it too).
            token = get_token(request)
            context = {"title": kept.title, "kept": kept.html_with(token), "csrf_token": token}
            return render(request, "surveys/respond.html", context)
    survey = survey_for_member(slug=slug, member=request.user)
    if survey is None:
        raise Http404("No such survey.")
    if not survey.invited:
        raise PermissionDenied("This survey is for the people it was sent to.")
    problem = _problem(survey, answered=survey.answered)
    questions = questions_of(survey=survey)
    form = ResponseForm(request.POST or None, questions=questions)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            response_submit(survey=survey, member=request.user, answers=form.answers())
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            return redirect("surveys:thanks", slug=survey.slug)
    elif request.method == "POST" and problem is None:
        messages.error(request, "Some answers need another look: see the messages below.")
    return render(
        request,
        "surveys/respond.html",
        {
            "survey": survey,
            "form": form,
            "problem": problem,
            "minutes": minutes_to_answer(questions),
        },
    )


def _answering_page(survey) -> AnsweringPage:
    """The page as every member invited sees it with nothing typed yet, kept (surveys.caching)
    with a placeholder for the CSRF token."""
    questions = questions_of(survey=survey)
    context = {
        "survey": survey,
        "form": ResponseForm(questions=questions),
        "minutes": minutes_to_answer(questions),
        "csrf_token": KEPT_TOKEN_PLACEHOLDER,
    }
    return AnsweringPage(
        survey_id=survey.pk,
        title=survey.title,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        html=render_to_string("surveys/respond.html#page", context),
    )


def _problem(survey, *, answered: bool) -> str | None:
    """Why the survey cannot be answered now, in the member's words; None when it can."""
    now = timezone.now()
    if answered:
        return "You have already answered this survey. Thank you."
    if survey.opens_at > now:
        return f"This survey opens on {timezone.localtime(survey.opens_at):%-d %B %Y at %H:%M}."
    if survey.closes_at <= now:
        return "This survey has closed."
    return None


@require_GET
def thanks(request, slug):
    survey = survey_for_member(slug=slug, member=request.user)
    if survey is None or not survey.answered:
        raise Http404("No such survey.")
    return render(request, "surveys/thanks.html", {"survey": survey})


# Answering from the personal link in an email, without signing in -----------------------------

# The session holds the link's id (never its token) between following it and answering.
LINK_SESSION_KEY = "survey_link"
# The thanks page learns which survey was answered from a short-lived signed cookie, not the
# session: the session is ended when the answer is taken, so nothing of it is left on the server.
THANKS_COOKIE = "survey_answered"
THANKS_SALT = "surveys.link_thanks"


def _link_refused(request, status=404):
    """One page, one status, for a token that never existed, has expired, was used, or whose
    survey has closed: the page does not tell them apart, so it says nothing about a token
    to whoever holds it."""
    request.session.pop(LINK_SESSION_KEY, None)
    return render(request, "surveys/link_invalid.html", status=status)


def _link_not_yours(request):
    return render(request, "surveys/link_not_yours.html", status=403)


@login_not_required
@never_cache
@require_GET
def link_open(request, token):
    """The address in the email. Opening it only checks the token and remembers the link in
    this browser's session, then moves to an address without the token, so the token leaves
    the address bar and history at once. Opening it uses nothing up, so a mail scanner that
    fetches links first does no harm: only sending the answers does."""
    link = invitation_link_for_token(token)
    if link is None:
        response = _link_refused(request)
    elif request.user.is_authenticated and request.user.pk != link.invitation.member_id:
        # Answering as someone else while signed in as oneself is never what is meant.
        response = _link_not_yours(request)
    elif request.user.is_authenticated:
        response = redirect("surveys:respond", slug=link.invitation.survey.slug)
    else:
        # A session of its own for the link (a new key), which signs nobody in.
        request.session.cycle_key()
        request.session[LINK_SESSION_KEY] = link.pk
        response = redirect("surveys:link_respond")
    # The token is in this address: no page or redirect from it may pass it on.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def link_respond(request):
    """The survey, answered through the link remembered in the session, with the same form and
    the same service as signed in: anonymous answers are sealed exactly as then."""
    link = invitation_link_by_pk(request.session.get(LINK_SESSION_KEY))
    if link is None:
        return _link_refused(request)
    invitation = link.invitation
    if request.user.is_authenticated:
        if request.user.pk != invitation.member_id:
            return _link_not_yours(request)
        request.session.pop(LINK_SESSION_KEY, None)
        return redirect("surveys:respond", slug=invitation.survey.slug)
    survey = invitation.survey
    problem = _problem(survey, answered=False)
    questions = questions_of(survey=survey)
    form = ResponseForm(request.POST or None, questions=questions)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            response_submit(survey=survey, member=invitation.member, answers=form.answers())
        except (ValidationError, PermissionDenied):
            # Answered meanwhile (in another window, or signed in), or closed: the link no
            # longer works, and the page says so as for any used link.
            return _link_refused(request)
        # The session existed only for this link: ended, and its row deleted, so no session
        # is left holding the link (and so the invitation) once the answer is in.
        request.session.flush()
        response = redirect("surveys:link_thanks")
        response.set_signed_cookie(
            THANKS_COOKIE,
            survey.pk,
            salt=THANKS_SALT,
            max_age=600,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    if request.method == "POST" and problem is None:
        messages.error(request, "Some answers need another look: see the messages below.")
    return render(
        request,
        "surveys/respond.html",
        {
            "survey": survey,
            "form": form,
            "problem": problem,
            "minutes": minutes_to_answer(questions),
            "by_link": True,
        },
    )


@login_not_required
@never_cache
@require_GET
def link_thanks(request):
    try:
        survey_id = int(request.get_signed_cookie(THANKS_COOKIE, salt=THANKS_SALT, max_age=600))
    except (KeyError, ValueError, signing.BadSignature):
        survey_id = None
    survey = survey_answered_by_link(survey_id)
    response = render(request, "surveys/link_thanks.html", {"survey": survey})
    # Shown once: the next person at a shared computer does not learn what was answered.
    response.delete_cookie(THANKS_COOKIE, samesite="Lax")
    return response
