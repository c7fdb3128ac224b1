"""Reads for what members see of learning pathways, case studies and the initiatives
directory. A pathway shows only the steps whose resource the member may see."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from members.models import Organisation

from ..models import CaseStudy, Initiative, LearningPathway, PathwayStep, Reflection, StepProgress
from .hub import resources_visible_to

# Pathways ------------------------------------------------------------------------------------


def pathways_published(*, user):
    """Published pathways with the number of steps this person can follow (a step whose
    resource they may not see is left out, as on the pathway's own page)."""
    visible = resources_visible_to(user).values("pk")
    return (
        LearningPathway.objects.filter(is_published=True)
        .annotate(step_count=Count("steps", filter=Q(steps__resource__in=visible)))
        .order_by("title")
    )


@dataclass
class PathwayView:
    pathway: LearningPathway
    steps: list  # each with .done and .reflection (the member's own text or "")
    done_count: int


def pathway_for(*, member, slug: str) -> PathwayView | None:
    pathway = LearningPathway.objects.filter(is_published=True, slug=slug).first()
    if pathway is None:
        return None
    visible_ids = resources_visible_to(member).values("pk")
    steps = list(
        PathwayStep.objects.filter(pathway=pathway, resource_id__in=visible_ids)
        .select_related("resource")
        .annotate(done=Exists(StepProgress.objects.filter(step=OuterRef("pk"), member=member)))
        .order_by("order", "pk")
    )
    notes = dict(
        Reflection.objects.filter(member=member, step__in=steps).values_list("step_id", "text")
    )
    for step in steps:
        step.reflection = notes.get(step.pk, "")
    return PathwayView(pathway, steps, sum(step.done for step in steps))


# Case studies and initiatives ----------------------------------------------------------------


def case_studies_published():
    return (
        CaseStudy.objects.filter(status=CaseStudy.Status.PUBLISHED)
        .select_related("author")
        .prefetch_related("topics")
        .order_by("-published_at")
    )


def case_study_for(*, member, slug: str) -> CaseStudy | None:
    """A case study this member may read: any published one, or their own at any stage."""
    return (
        CaseStudy.objects.filter(slug=slug)
        .filter(Q(status=CaseStudy.Status.PUBLISHED) | Q(author=member))
        .select_related("author")
        .prefetch_related("topics")
        .first()
    )


def case_studies_of(*, member):
    return CaseStudy.objects.filter(author=member).order_by("-updated_at")


def initiatives(*, organisation=None, topic=None, status: str = ""):
    rows = Initiative.objects.select_related("organisation").prefetch_related("topics")
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    if topic is not None:
        rows = rows.filter(topics=topic)
    if status:
        rows = rows.filter(status=status)
    return rows


def organisations_with_initiatives():
    return Organisation.objects.filter(initiatives__isnull=False).distinct()
