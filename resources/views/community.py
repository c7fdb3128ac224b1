"""What members see of learning pathways, case studies and the initiatives directory.

Progress and reflections are private: the services key them on the signed-in member, so no page
or form carries a member's id. Someone else's unpublished case study answers 404, so its
existence does not leak."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms.community import CaseStudyForm, InitiativeFilterForm, ReflectionForm, StepDoneForm
from ..models import CaseStudy
from ..selectors import community as selectors

CASE_STUDIES_PAGE_SIZE = 20
INITIATIVES_PAGE_SIZE = 25


# Learning pathways ---------------------------------------------------------------------------


def _pathway_or_404(member, slug):
    view = selectors.pathway_for(member=member, slug=slug)
    if view is None:
        raise Http404("No such pathway.")
    return view


def _step_or_404(view, step_id):
    """The step's number as the member sees it, and the step, if it is one they can see on
    this pathway."""
    for number, step in enumerate(view.steps, start=1):
        if step.pk == step_id:
            return number, step
    raise Http404("No such step in this pathway.")


def _step_url(view, step):
    return f"{view.pathway.get_absolute_url()}#step-{step.pk}"


def _reflection_form(view, number, step, data=None):
    return ReflectionForm(
        data,
        initial={"text": step.reflection},
        step_id=step.pk,
        step_number=number,
        action=reverse(
            "resources:reflection", kwargs={"slug": view.pathway.slug, "step_id": step.pk}
        ),
    )


def _pathway_page(request, view, refused=None):
    """The pathway page. `refused` maps a step's id to its reflection form that did not
    validate, shown in that step with the member's text and the error."""
    refused = refused or {}
    rows = [
        (
            number,
            step,
            refused[step.pk] if step.pk in refused else _reflection_form(view, number, step),
        )
        for number, step in enumerate(view.steps, start=1)
    ]
    return render(
        request,
        "resources/pathway.html",
        {"view": view, "pathway": view.pathway, "rows": rows},
    )


@require_GET
def pathways(request):
    pathways = selectors.pathways_published(user=request.user)
    return render(request, "resources/pathways.html", {"pathways": pathways})


@require_GET
@cache_control(private=True, no_store=True)
def pathway(request, slug):
    return _pathway_page(request, _pathway_or_404(request.user, slug))


@require_POST
def step_done(request, slug, step_id):
    view = _pathway_or_404(request.user, slug)
    number, step = _step_or_404(view, step_id)
    form = StepDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the step is done or not.")
        return redirect(_step_url(view, step))
    done = form.cleaned_data["done"] == "yes"
    services.pathway_step_done(member=request.user, step=step, done=done)
    messages.success(request, f"Step {number} is marked as {'done' if done else 'not done'}.")
    return redirect(_step_url(view, step))


@require_POST
@cache_control(private=True, no_store=True)
def reflection(request, slug, step_id):
    view = _pathway_or_404(request.user, slug)
    number, step = _step_or_404(view, step_id)
    form = _reflection_form(view, number, step, request.POST)
    if not form.is_valid():
        messages.error(request, f"Your reflection on step {number} is not saved yet: see below.")
        return _pathway_page(request, view, refused={step.pk: form})
    saved = services.reflection_save(member=request.user, step=step, text=form.cleaned_data["text"])
    messages.success(
        request,
        f"Your reflection on step {number} is saved."
        if saved
        else f"Your reflection on step {number} is cleared.",
    )
    return redirect(_step_url(view, step))


# Case studies --------------------------------------------------------------------------------


def _own_case_study_or_404(member, slug):
    return get_object_or_404(selectors.case_studies_of(member=member), slug=slug)


@require_GET
def case_studies(request):
    page = Paginator(selectors.case_studies_published(), CASE_STUDIES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "resources/case_studies.html", {"page": page})


@require_GET
def my_case_studies(request):
    return render(
        request,
        "resources/my_case_studies.html",
        {"case_studies": selectors.case_studies_of(member=request.user)},
    )


@require_GET
def case_study(request, slug):
    found = selectors.case_study_for(member=request.user, slug=slug)
    if found is None:
        raise Http404("No such case study.")
    return render(request, "resources/case_study.html", {"case_study": found})


def _case_study_form_page(request, case_study):
    # Read before the form binds: a ModelForm writes the posted values onto its instance.
    title = case_study.title
    form = CaseStudyForm(request.POST or None, instance=case_study)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        topics = fields.pop("topics")
        try:
            services.case_study_save(
                case_study=case_study, author=request.user, topics=topics, **fields
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                "Your case study is saved as a draft. Submit it for review when it is ready: "
                "nobody else sees it until the organisers publish it.",
            )
            return redirect("resources:my_case_studies")
    return render(
        request,
        "resources/case_study_form.html",
        {"form": form, "case_study": case_study, "title": title},
    )


@require_http_methods(["GET", "POST"])
def case_study_new(request):
    return _case_study_form_page(request, CaseStudy())


@require_http_methods(["GET", "POST"])
def case_study_edit(request, slug):
    return _case_study_form_page(request, _own_case_study_or_404(request.user, slug))


@require_POST
def case_study_submit(request, slug):
    found = _own_case_study_or_404(request.user, slug)
    try:
        services.case_study_submit(case_study=found)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "Thank you: your case study is submitted. The organisers will review it, and you "
            "will see their decision here.",
        )
    return redirect("resources:my_case_studies")


# Initiatives directory -----------------------------------------------------------------------


@require_GET
def initiatives(request):
    form = InitiativeFilterForm(request.GET or None)
    # A filter value that does not validate is dropped: the whole directory is shown instead.
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.initiatives(
        organisation=filters.get("organisation"),
        topic=filters.get("topic"),
        status=filters.get("status", ""),
    )
    page = Paginator(rows, INITIATIVES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "resources/initiatives.html", {"form": form, "page": page})


@require_GET
def initiative(request, slug):
    found = get_object_or_404(selectors.initiatives(), slug=slug)
    return render(request, "resources/initiative.html", {"initiative": found})
