"""Members answering surveys."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from ..forms.respond import ResponseForm
from ..selectors.respond import (
    minutes_to_answer,
    questions_of,
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


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def respond(request, slug):
    survey = survey_for_member(slug=slug, member=request.user)
    if survey is None:
        raise Http404("No such survey.")
    if not survey.invited:
        raise PermissionDenied("This survey is for the people it was sent to.")
    now = timezone.now()
    problem = None
    if survey.answered:
        problem = "You have already answered this survey. Thank you."
    elif survey.opens_at > now:
        problem = f"This survey opens on {timezone.localtime(survey.opens_at):%-d %B %Y at %H:%M}."
    elif survey.closes_at <= now:
        problem = "This survey has closed."
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


@require_GET
def thanks(request, slug):
    survey = survey_for_member(slug=slug, member=request.user)
    if survey is None or not survey.answered:
        raise Http404("No such survey.")
    return render(request, "surveys/thanks.html", {"survey": survey})
