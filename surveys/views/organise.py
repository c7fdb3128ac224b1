"""The organisers' survey builder: the list of surveys, a survey's settings and questions, a
preview, publishing and inviting. Each view checks one permission, calls one service or
selector, and renders or redirects; the rules live in surveys/services/organise.py."""

import copy
from datetime import timedelta

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from qrcode.image.svg import SvgPathImage

from cop_portal.web.disclosure import audience_counts, count_shown
from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormView
from cop_portal.web.portal_address import absolute_url
from events.selectors import CAUCUS_CHOICE_PERMISSION

from ..forms.organise import QuestionForm, StandardSurveyForm, SurveyCopyForm, SurveyForm
from ..forms.respond import ResponseForm
from ..models import Question, Survey
from ..selectors.organise import (
    audience_from_caucus,
    standard_survey_session,
    survey_templates,
    survey_with_rates,
    surveys_with_rates,
)
from ..selectors.respond import minutes_to_answer, questions_of
from ..services import organise as services
from ..services import reuse

SURVEYS_PAGE_SIZE = 50
CAUCUS_COUNTS_HIDDEN = (
    "This survey’s audience comes from a caucus, so small numbers are hidden: they would tell "
    "how many people chose it."
)


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _counts_shown(survey, *, sees_caucus_choice: bool) -> None:
    """Put the invited and responded counts (from `surveys_with_rates`) this viewer
    may see on the survey for its template (cop_portal.web.disclosure.audience_counts)."""
    counts = audience_counts(
        survey.invited,
        survey.responded,
        from_caucus=audience_from_caucus(survey),
        may_see_caucus=sees_caucus_choice,
        threshold=settings.SURVEY_SUPPRESSION_THRESHOLD,
    )
    survey.invited_shown, survey.responded_shown = counts.invited, counts.responded
    survey.counts_hidden = counts.hidden
    survey.rate_percent = None if counts.rate is None else counts.rate * 100


# Surveys ---------------------------------------------------------------------------------------


@permission_required("surveys.view_survey", raise_exception=True)
@require_GET
def surveys(request):
    page = Paginator(
        surveys_with_rates().order_by("-created_at", "-pk"), SURVEYS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    sees_caucus_choice = request.user.has_perm(CAUCUS_CHOICE_PERMISSION)
    for survey in page:
        _counts_shown(survey, sees_caucus_choice=sees_caucus_choice)
    return render(
        request,
        "surveys/organise/surveys.html",
        {
            "page": page,
            "templates": survey_templates(),
            "now": timezone.now(),
            "hidden_title": CAUCUS_COUNTS_HIDDEN,
        },
    )


class SurveyPage:
    """What the builder's create, edit and delete pages share: the way back to the survey and to
    the list (surveys/organise/_back.html), and the survey's page once the write is done."""

    back_url = "surveys:organise"
    back_label = "Back to surveys"

    def survey_of(self, obj) -> Survey:
        return obj

    def get_context_data(self, **context):
        return super().get_context_data(survey=self.survey_of(self.object), **context)

    def success_url_for(self, obj) -> str:
        return reverse("surveys:survey_detail", args=[self.survey_of(obj).pk])


class SurveyEdit(SurveyPage, OrganiserFormView):
    """A new survey, or an existing one's settings. The service's refusals (who it is for cannot
    change once invitations have gone, say) are shown as a message above the form."""

    model = Survey
    form_class = SurveyForm
    template_name = "surveys/organise/survey_form.html"

    def get_form_kwargs(self):
        # The form writes what was typed onto its instance while validating; the service needs
        # the stored values to tell whether anonymity or the audience would change, so the form
        # gets a copy.
        return super().get_form_kwargs() | {"instance": copy.copy(self.object)}

    def title_for(self, survey):
        if self.creating:
            return "New survey"
        if survey.is_template:
            return f"Edit the template “{survey.title}”"
        return f"Edit “{survey.title}”"

    def get_context_data(self, **context):
        if self.creating:
            context["templates"] = survey_templates()
        return super().get_context_data(**context)

    def save(self, form):
        return services.survey_save(survey=self.object, user=self.request.user, **form.cleaned_data)

    def refused(self, form, error):
        messages.error(self.request, error.messages[0])

    def success_message(self, survey):
        if survey.is_template:
            return f"The template “{survey.title}” is saved."
        draft = (
            " as a draft: add its questions, then publish it"
            if survey.status == Survey.Status.DRAFT
            else ""
        )
        return f"“{survey.title}” is saved{draft}."


# Reusing surveys -------------------------------------------------------------------------------


def _on_the_hour(moment):
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)


class SurveyCopy(SurveyPage, OrganiserFormView):
    """A new draft from a template or an earlier survey: its questions, introduction, kind and
    anonymity are copied; the organiser says who it is for and when it is open. Nothing of the
    people asked or their answers is copied (surveys.services.reuse.survey_copy)."""

    model = Survey
    permission_required = "surveys.add_survey"
    form_class = SurveyCopyForm
    template_name = "surveys/organise/survey_copy.html"

    def get_form_kwargs(self):
        source = self.object
        if self.request.method == "POST":
            return {"kind": source.kind, "data": self.request.POST}
        opens_at = _on_the_hour(timezone.now()) + timedelta(hours=1)
        open_for = (
            reuse.TEMPLATE_OPEN_FOR if source.is_template else source.closes_at - source.opens_at
        )
        title = source.title if source.is_template else f"{source.title} (copy)"
        return {
            "kind": source.kind,
            "initial": {
                "title": title[:200],
                "opens_at": opens_at,
                "closes_at": opens_at + open_for,
            },
        }

    def title_for(self, source):
        if source.is_template:
            return f"Start a survey from the template “{source.title}”"
        return f"Copy “{source.title}”"

    def intro_for(self, source):
        return (
            f"{source.get_kind_display()}, {'anonymous' if source.is_anonymous else 'named'}. "
            "The new survey gets the same introduction and questions, and opens as a draft to "
            "check and change before you publish it. No invitations or answers are copied."
        )

    def save(self, form):
        return reuse.survey_copy(self.object, by=self.request.user, **form.cleaned_data)

    def success_message(self, survey):
        return (
            f"“{survey.title}” is made as a draft: check its questions and dates, then publish it."
        )


class StandardSurveyEdit(OrganiserFormView):
    """The survey sent after a session: a template for after a session, made into the
    session's survey when it ends (surveys.services.reuse.standard_surveys_make)."""

    permission_required = "surveys.add_survey"
    form_class = StandardSurveyForm
    template_name = "surveys/organise/standard_survey.html"
    lookup_kwarg = "event_id"
    back_url = "events:organise_programme"
    back_label = "Back to the programme"

    def get_object(self):
        event = standard_survey_session(event_id=self.kwargs["event_id"])
        if event is None:
            raise Http404("No such session.")
        return event

    def get_form_kwargs(self):
        if self.request.method == "POST":
            return {"data": self.request.POST}
        choice = self.object.standard_choice
        return {"initial": {"template": choice.template if choice else None}}

    def title_for(self, event):
        return f"Survey after “{event.title}”"

    def save(self, form):
        self.chosen = form.cleaned_data["template"]
        reuse.standard_survey_choose(event=self.object, template=self.chosen, by=self.request.user)
        return self.object

    def success_message(self, event):
        if self.chosen is None:
            return f"No survey will be sent after “{event.title}”."
        return f"“{self.chosen.title}” will be sent after “{event.title}” ends."


@permission_required("surveys.view_survey", raise_exception=True)
@require_GET
def survey_detail(request, pk):
    survey = survey_with_rates(pk=pk)
    if survey is None:
        raise Http404("No such survey.")
    _counts_shown(survey, sees_caucus_choice=request.user.has_perm(CAUCUS_CHOICE_PERMISSION))
    questions = questions_of(survey=survey)
    now = timezone.now()
    return render(
        request,
        "surveys/organise/survey_detail.html",
        {
            "survey": survey,
            "questions": questions,
            "minutes": minutes_to_answer(questions),
            "is_open": survey.is_open(now),
            "has_closed": survey.closes_at <= now,
            "threshold": settings.SURVEY_SUPPRESSION_THRESHOLD,
            "hidden_reason": CAUCUS_COUNTS_HIDDEN,
            **({} if survey.is_template else _short_link(survey)),
        },
    )


def _short_link(survey) -> dict:
    """The survey's short link and its QR code (SVG, drawn here: no image to store or serve),
    for a slide at the end of a session."""
    address = absolute_url(reverse("surveys:short", kwargs={"code": survey.short_code}))
    code = qrcode.make(address, image_factory=SvgPathImage, box_size=20, border=2)
    # The SVG is the library's own drawing of our address: no outside text is in it.
    return {"short_link": address, "short_link_qr": mark_safe(code.to_string(encoding="unicode"))}  # noqa: S308


@permission_required("surveys.view_survey", raise_exception=True)
@require_GET
def preview(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("event", "caucus"), pk=pk)
    questions = questions_of(survey=survey)
    return render(
        request,
        "surveys/organise/preview.html",
        {
            "survey": survey,
            "form": ResponseForm(questions=questions),
            "minutes": minutes_to_answer(questions),
        },
    )


@permission_required("surveys.change_survey", raise_exception=True)
@require_POST
def publish(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    try:
        services.survey_publish(survey=survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"“{survey.title}” is published. Invite people when you are ready."
        )
    return redirect("surveys:survey_detail", pk=survey.pk)


@permission_required("surveys.change_survey", raise_exception=True)
@require_POST
def invite(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    try:
        invited = services.survey_invite(survey=survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        hidden = (
            audience_from_caucus(survey)
            and not request.user.has_perm(CAUCUS_CHOICE_PERMISSION)
            and count_shown(invited, settings.SURVEY_SUPPRESSION_THRESHOLD) is None
        )
        # A handful invited from a caucus would tell how many chose it: say only that it went.
        messages.success(request, "Invitations sent." if hidden else f"{_people(invited)} invited.")
    return redirect("surveys:survey_detail", pk=survey.pk)


# Questions -------------------------------------------------------------------------------------


def _question(pk, question_id):
    """The question, if it belongs to this survey: another survey's question is not found."""
    return get_object_or_404(
        Question.objects.select_related("survey"), pk=question_id, survey_id=pk
    )


class QuestionPage(SurveyPage):
    """A question of the survey named in the URL: a new one belongs to that survey, and another
    survey's question is not found."""

    model = Question
    lookup_kwarg = "question_id"
    permission_required = "surveys.change_survey"

    def get_object(self):
        if self.lookup_kwarg not in self.kwargs:
            return Question(survey=get_object_or_404(Survey, pk=self.kwargs["pk"]))
        return _question(self.kwargs["pk"], self.kwargs[self.lookup_kwarg])

    def survey_of(self, question) -> Survey:
        return question.survey


class QuestionEdit(QuestionPage, OrganiserFormView):
    form_class = QuestionForm
    template_name = "surveys/organise/question_form.html"

    def title_for(self, question):
        return "Add a question" if self.creating else "Edit a question"

    def intro_for(self, question):
        return f"For “{question.survey.title}”. Questions cannot change once anyone has answered."

    def save(self, form):
        return services.question_save(question=self.object, **form.cleaned_data)

    def success_message(self, question):
        return "The question is saved."


class QuestionDelete(QuestionPage, OrganiserDeleteView):
    template_name = "surveys/organise/question_delete.html"
    delete_label = "Delete the question"
    keep_label = "Keep it"

    def title_for(self, question):
        return "Delete this question?"

    def consequence_for(self, question):
        return f"“{question.text}”, from “{question.survey.title}”."

    def keep_url_for(self, question):
        return self.success_url_for(question)

    def delete(self, question):
        services.question_delete(question=question)

    def success_message(self, question):
        return f"The question “{question.text}” is deleted."


@permission_required("surveys.change_survey", raise_exception=True)
@require_POST
def question_move(request, pk, question_id):
    question = _question(pk, question_id)
    direction = request.POST.get("direction")
    if direction not in {"-1", "1", "+1"}:
        messages.error(request, "A question can only move up or down one place.")
        return redirect("surveys:survey_detail", pk=pk)
    try:
        services.question_move(question=question, direction=int(direction))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        where = "up" if int(direction) < 0 else "down"
        messages.success(request, f"“{question.text}” moved {where}.")
    return redirect("surveys:survey_detail", pk=pk)
