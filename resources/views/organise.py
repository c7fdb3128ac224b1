"""The organisers' side of the resource hub: resources and their files, learning pathways,
moderating case studies, the initiatives directory and the topics. Each view checks one
permission, calls one service or selector, and renders or redirects; the rules live in
resources/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import (
    CaseStudyFilterForm,
    InitiativeForm,
    ModerationForm,
    PathwayForm,
    PathwayStepFormSet,
    PathwayStepFormSetHelper,
    ResourceFilterForm,
    ResourceForm,
    TopicForm,
)
from ..models import CaseStudy, Initiative, LearningPathway, Resource, Topic
from ..uploads import ALLOWED_TYPES

PAGE_SIZE = 50
# "application/pdf" → "PDF": the kind of file as organisers name it (the first extension
# listed for a type wins, so image/jpeg is "JPG").
FILE_LABELS = {
    content_type: extension.lstrip(".").upper()
    for extension, content_type in reversed(ALLOWED_TYPES.items())
}


def _form_page(request, form, *, title, intro=""):
    return render(
        request,
        "resources/organise/form.html",
        {"form": form, "title": title, "intro": intro},
    )


# Resources -------------------------------------------------------------------------------------


@permission_required("resources.change_resource", raise_exception=True)
@require_GET
def resources(request):
    form = ResourceFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    # Every resource, drafts included: organisers see what members cannot yet.
    rows = Resource.objects.filter(**filters).select_related("event").order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for resource in page:
        resource.file_label = FILE_LABELS.get(resource.file_type, resource.file_type)
    return render(
        request,
        "resources/organise/resources.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


@permission_required("resources.add_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_new(request):
    return _resource_form(request, Resource(), title="Add a resource")


@permission_required("resources.change_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    resource = get_object_or_404(Resource, pk=pk)
    return _resource_form(request, resource, title=f"Edit “{resource.title}”")


def _resource_form(request, resource, *, title):
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, instance=resource)
    else:
        form = ResourceForm(instance=resource)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        topics = fields.pop("topics")
        remove_file = fields.pop("remove_file", False)
        del fields["upload"]
        upload = request.FILES.get("upload") or None
        try:
            resource = services.resource_save(
                resource=resource,
                topics=topics,
                upload=upload,
                remove_file=remove_file,
                user=request.user,
                **fields,
            )
        except ValidationError as error:
            _show_errors(form, error, upload=upload)
        else:
            draft = ""
            if resource.status == Resource.Status.DRAFT:
                draft = " as a draft: members see it once it is published"
            messages.success(request, f"“{resource.title}” is saved{draft}.")
            return redirect("resources:organise_resources")
    return render(
        request,
        "resources/organise/resource_form.html",
        {"form": form, "title": title, "resource": resource},
    )


def _show_errors(form, error, *, upload):
    """Put the service's reasons on the form. A plain error while a file was sent is the file
    being refused; the model's own checks name their fields."""
    if not hasattr(error, "error_dict"):
        form.add_error("upload" if upload is not None else None, error.messages)
        return
    for field, reasons in error.message_dict.items():
        if field == "file":
            field = "upload"
        elif field == NON_FIELD_ERRORS or field not in form.fields:
            field = None
        form.add_error(field, reasons)


@permission_required("resources.delete_resource", raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_delete(request, pk):
    resource = get_object_or_404(Resource, pk=pk)
    if request.method == "POST":
        try:
            services.resource_delete(resource=resource)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{resource.title}” is deleted.")
        return redirect("resources:organise_resources")
    pathways = LearningPathway.objects.filter(steps__resource=resource).distinct()
    return render(
        request,
        "resources/organise/resource_delete.html",
        {"resource": resource, "pathways": pathways},
    )


# Learning pathways -----------------------------------------------------------------------------


@permission_required("resources.change_learningpathway", raise_exception=True)
@require_GET
def pathways(request):
    rows = LearningPathway.objects.annotate(step_count=Count("steps")).order_by("title", "pk")
    return render(request, "resources/organise/pathways.html", {"pathways": rows})


@permission_required("resources.add_learningpathway", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pathway_new(request):
    return _pathway_form(request, LearningPathway(), title="Add a learning pathway")


@permission_required("resources.change_learningpathway", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pathway_edit(request, pk):
    pathway = get_object_or_404(LearningPathway, pk=pk)
    return _pathway_form(request, pathway, title=f"Edit “{pathway.title}”")


def _pathway_form(request, pathway, *, title):
    data = request.POST if request.method == "POST" else None
    form = PathwayForm(data, instance=pathway)
    # Steps sharing a number keep the order they were added in, as members see them.
    steps = PathwayStepFormSet(
        data,
        instance=pathway,
        prefix="steps",
        queryset=pathway.steps.select_related("resource").order_by("order", "pk")
        if pathway.pk
        else None,
    )
    if data is not None and form.is_valid() and steps.is_valid():
        try:
            # The pathway and its steps are saved together, or not at all.
            with transaction.atomic():
                pathway = services.pathway_save(pathway=pathway, **form.cleaned_data)
                steps.instance = pathway
                steps.save()
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            draft = "" if pathway.is_published else " as a draft: members see it once published"
            messages.success(request, f"“{pathway.title}” is saved{draft}.")
            return redirect("resources:organise_pathways")
    return render(
        request,
        "resources/organise/pathway_form.html",
        {
            "form": form,
            "steps": steps,
            "steps_helper": PathwayStepFormSetHelper(),
            "title": title,
        },
    )


# Case studies ----------------------------------------------------------------------------------


def _moderated():
    # A draft is still its author's own: organisers see a case study once it is submitted.
    return CaseStudy.objects.exclude(status=CaseStudy.Status.DRAFT)


@permission_required("resources.moderate_casestudy", raise_exception=True)
@require_GET
def case_studies(request):
    if "status" in request.GET:
        form = CaseStudyFilterForm(request.GET)
        status = form.cleaned_data["status"] if form.is_valid() else CaseStudy.Status.SUBMITTED
    else:
        form = CaseStudyFilterForm(initial={"status": CaseStudy.Status.SUBMITTED})
        status = CaseStudy.Status.SUBMITTED
    rows = selectors.case_studies_for_moderation(status=status).exclude(
        status=CaseStudy.Status.DRAFT
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "resources/organise/case_studies.html",
        {"form": form, "page": page, "status": status},
    )


@permission_required("resources.moderate_casestudy", raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_study_review(request, pk):
    case_study = get_object_or_404(
        _moderated().select_related("author").prefetch_related("topics"), pk=pk
    )
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_study = services.case_study_moderate(
                case_study=case_study,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            if case_study.status == CaseStudy.Status.PUBLISHED:
                done = f"“{case_study.title}” is published."
            else:
                done = f"“{case_study.title}” is returned to its author with your comments."
            messages.success(request, done)
            return redirect("resources:moderation")
    return render(
        request,
        "resources/organise/case_study_review.html",
        {"case_study": case_study, "form": form},
    )


# Initiatives -----------------------------------------------------------------------------------


@permission_required("resources.change_initiative", raise_exception=True)
@require_GET
def initiatives(request):
    return render(
        request,
        "resources/organise/initiatives.html",
        {"initiatives": selectors.initiatives()},
    )


@permission_required("resources.add_initiative", raise_exception=True)
@require_http_methods(["GET", "POST"])
def initiative_new(request):
    return _initiative_form(request, Initiative(), title="Add an initiative")


@permission_required("resources.change_initiative", raise_exception=True)
@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    initiative = get_object_or_404(Initiative, pk=pk)
    return _initiative_form(request, initiative, title=f"Edit “{initiative.name}”")


def _initiative_form(request, initiative, *, title):
    form = InitiativeForm(request.POST or None, instance=initiative)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        topics = fields.pop("topics")
        try:
            initiative = services.initiative_save(initiative=initiative, topics=topics, **fields)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{initiative.name}” is saved.")
            return redirect("resources:organise_initiatives")
    return _form_page(
        request,
        form,
        title=title,
        intro="The initiatives directory shows members the anti-racist and equity work among "
        "partners, so that work joins up rather than duplicates.",
    )


# Topics ----------------------------------------------------------------------------------------


@permission_required("resources.change_topic", raise_exception=True)
@require_GET
def topics(request):
    rows = Topic.objects.annotate(resource_count=Count("resources"))
    return render(request, "resources/organise/topics.html", {"topics": rows})


@permission_required("resources.add_topic", raise_exception=True)
@require_http_methods(["GET", "POST"])
def topic_new(request):
    return _topic_form(request, Topic(), title="Add a topic")


@permission_required("resources.change_topic", raise_exception=True)
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    return _topic_form(request, topic, title=f"Edit “{topic.name}”")


def _topic_form(request, topic, *, title):
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        # A name and the slug made from it: too small a change for a service of its own.
        topic = form.save()
        messages.success(request, f"“{topic.name}” is saved.")
        return redirect("resources:topics")
    return _form_page(
        request,
        form,
        title=title,
        intro="Topics tag resources, case studies and initiatives, and are the areas of "
        "interest members choose in their profiles.",
    )
