"""The organisers' side of the resource hub: resources and their files, learning pathways,
moderating case studies, the initiatives directory and the topics. Each view checks one
permission, calls one service or selector, and renders or redirects; the rules live in
resources/services/. Create, edit and delete pages come from the generic organiser pages
(cop_portal/web/organise.py)."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormsetView, OrganiserFormView

from .. import services
from ..forms.organise import (
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
from ..selectors import community
from ..selectors import organise as selectors

PAGE_SIZE = 50


class HubAdminPage:
    """Every page here leads back to the resource hub admin."""

    back_url = "resources:organise_resources"
    back_label = "Back to the resource hub admin"


# Resources -------------------------------------------------------------------------------------


@permission_required("resources.change_resource", raise_exception=True)
@require_GET
def resources(request):
    form = ResourceFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.resources_for_organisers(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "resources/organise/resources.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


class ResourceEdit(HubAdminPage, OrganiserFormView):
    """A resource's details and its file. The service checks a file by its content before it
    stores it; a file it refuses is shown beside the upload field."""

    model = Resource
    form_class = ResourceForm
    template_name = "resources/organise/resource_form.html"
    errors_renamed = {"file": "upload"}

    def title_for(self, resource):
        return "Add a resource" if self.creating else f"Edit “{resource.title}”"

    def save(self, form):
        fields = dict(form.cleaned_data)
        return services.resource_save(
            resource=self.object,
            upload=fields.pop("upload") or None,
            remove_file=fields.pop("remove_file", False),
            user=self.request.user,
            **fields,
        )

    def success_message(self, resource):
        if resource.status == Resource.Status.DRAFT:
            return f"“{resource.title}” is saved as a draft: members see it once it is published."
        return f"“{resource.title}” is saved."


class ResourceDelete(HubAdminPage, OrganiserDeleteView):
    """A resource that is a step in a pathway is not deleted: the page lists those pathways."""

    model = Resource
    permission_required = "resources.delete_resource"
    template_name = "resources/organise/resource_delete.html"
    delete_label = "Delete the resource"
    keep_label = "Keep the resource"

    def get_context_data(self, **context):
        return super().get_context_data(
            pathways=selectors.pathways_using(resource=self.object), **context
        )

    def consequence_for(self, resource):
        file = ", and its file deleted" if resource.file else ""
        return f"It will be removed from the resource hub{file}. This cannot be undone."

    def keep_url_for(self, resource):
        return reverse("resources:resource_edit", args=[resource.pk])

    def delete(self, resource):
        services.resource_delete(resource=resource)


# Learning pathways -----------------------------------------------------------------------------


@permission_required("resources.change_learningpathway", raise_exception=True)
@require_GET
def pathways(request):
    return render(
        request,
        "resources/organise/pathways.html",
        {"pathways": selectors.pathways_with_step_counts()},
    )


class PathwayEdit(OrganiserFormsetView):
    """A pathway and its steps, saved together."""

    model = LearningPathway
    form_class = PathwayForm
    template_name = "resources/organise/pathway_form.html"
    back_url = "resources:organise_pathways"
    back_label = "Back to the learning pathways"
    formset_class = PathwayStepFormSet
    formset_prefix = "steps"
    formset_helper_class = PathwayStepFormSetHelper
    formset_heading = "Steps"
    formset_intro = (
        "Choose a published resource for each step. Steps are shown lowest number first; steps "
        "with the same number keep the order they were added in. Save to get more blank steps."
    )
    submit_label = "Save pathway"

    def get_formset_kwargs(self):
        return super().get_formset_kwargs() | {
            "queryset": selectors.pathway_steps(pathway=self.object)
        }

    def title_for(self, pathway):
        return "Add a learning pathway" if self.creating else f"Edit “{pathway.title}”"

    def save(self, form):
        return services.pathway_save(pathway=self.object, steps=self.formset, **form.cleaned_data)

    def success_message(self, pathway):
        draft = "" if pathway.is_published else " as a draft: members see it once published"
        return f"“{pathway.title}” is saved{draft}."


# Case studies ----------------------------------------------------------------------------------


@permission_required("resources.moderate_casestudy", raise_exception=True)
@require_GET
def case_studies(request):
    if "status" in request.GET:
        form = CaseStudyFilterForm(request.GET)
        status = form.cleaned_data["status"] if form.is_valid() else CaseStudy.Status.SUBMITTED
    else:
        form = CaseStudyFilterForm(initial={"status": CaseStudy.Status.SUBMITTED})
        status = CaseStudy.Status.SUBMITTED
    page = Paginator(selectors.case_studies_for_moderation(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "resources/organise/case_studies.html",
        {"form": form, "page": page, "status": status},
    )


class CaseStudyReview(OrganiserFormView):
    model = CaseStudy
    form_class = ModerationForm
    permission_required = "resources.moderate_casestudy"
    template_name = "resources/organise/case_study_review.html"
    back_url = "resources:moderation"
    back_label = "Back to the case studies to review"

    def get_queryset(self):
        return selectors.case_study_for_review()

    def title_for(self, case_study):
        return f"Review “{case_study.title}”"

    def save(self, form):
        return services.case_study_moderate(case_study=self.object, **form.cleaned_data)

    def success_message(self, case_study):
        if case_study.status == CaseStudy.Status.PUBLISHED:
            return f"“{case_study.title}” is published."
        return f"“{case_study.title}” is returned to its author with your comments."


# Initiatives -----------------------------------------------------------------------------------


@permission_required("resources.change_initiative", raise_exception=True)
@require_GET
def initiatives(request):
    return render(
        request,
        "resources/organise/initiatives.html",
        {"initiatives": community.initiatives()},
    )


class InitiativeEdit(HubAdminPage, OrganiserFormView):
    model = Initiative
    form_class = InitiativeForm
    intro = (
        "The initiatives directory shows members the anti-racist and equity work among "
        "partners, so that work joins up rather than duplicates."
    )

    def title_for(self, initiative):
        return "Add an initiative" if self.creating else f"Edit “{initiative.name}”"

    def save(self, form):
        return services.initiative_save(initiative=self.object, **form.cleaned_data)

    def success_url_for(self, initiative):
        return reverse("resources:organise_initiatives")


# Topics ----------------------------------------------------------------------------------------


@permission_required("resources.change_topic", raise_exception=True)
@require_GET
def topics(request):
    return render(
        request, "resources/organise/topics.html", {"topics": selectors.topics_with_counts()}
    )


class TopicEdit(HubAdminPage, OrganiserFormView):
    model = Topic
    form_class = TopicForm
    intro = (
        "Topics tag resources, case studies and initiatives, and are the areas of interest "
        "members choose in their profiles."
    )

    def title_for(self, topic):
        return "Add a topic" if self.creating else f"Edit “{topic.name}”"

    def save(self, form):
        return services.topic_save(topic=self.object, **form.cleaned_data)

    def success_url_for(self, topic):
        return reverse("resources:topics")
