"""Reads for the organisers' side of the resource hub: every resource, drafts included, the
pathways and their steps, case studies to moderate, topics, and the sessions a resource can
come from."""

from django.db.models import Count, Q

from events.models import Event

from ..models import CaseStudy, LearningPathway, Resource, Topic


def resources_for_organisers(**filters):
    """Every resource, drafts included: organisers see what members cannot yet."""
    return Resource.objects.filter(**filters).select_related("event").order_by("-created_at", "-pk")


def sessions_for_resource(*, resource: Resource):
    """The sessions a resource can be linked to: any but drafts, and the one it already is."""
    sessions = ~Q(status=Event.Status.DRAFT)
    if resource.event_id:
        sessions |= Q(pk=resource.event_id)
    return Event.objects.filter(sessions).order_by("-starts_at")


def pathways_with_step_counts():
    return LearningPathway.objects.annotate(step_count=Count("steps")).order_by("title", "pk")


def pathways_using(*, resource: Resource):
    return LearningPathway.objects.filter(steps__resource=resource).distinct()


def pathway_steps(*, pathway: LearningPathway):
    """A pathway's steps as organisers edit them: steps sharing a number keep the order they
    were added in, as members see them. None for a pathway not saved yet."""
    if pathway.pk is None:
        return None
    return pathway.steps.select_related("resource").order_by("order", "pk")


def case_studies_moderated():
    """A draft is still its author's own: organisers see a case study once it is submitted."""
    return CaseStudy.objects.exclude(status=CaseStudy.Status.DRAFT)


def case_studies_for_moderation(*, status: str = CaseStudy.Status.SUBMITTED):
    studies = case_studies_moderated().select_related("author")
    if status:
        studies = studies.filter(status=status)
    return studies.order_by("submitted_at", "pk")


def case_study_for_review():
    return case_studies_moderated().select_related("author").prefetch_related("topics")


def topics_with_counts():
    return Topic.objects.annotate(resource_count=Count("resources"))


def case_studies_waiting_count() -> int:
    """Case studies their authors have sent for review and nobody has reviewed yet."""
    return CaseStudy.objects.filter(status=CaseStudy.Status.SUBMITTED).count()
