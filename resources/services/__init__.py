"""Writes for the resource hub: resources and their search index, pathways with their steps
and progress, private reflections, case studies and their moderation (with the email telling the
author what was decided), the initiatives directory and the topics."""

import secrets

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import slugify

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import request_address, request_address_carried
from cop_portal.web.slugs import unique_slug
from members.services import member_email_send

from ..caching import resources_changed
from ..models import (
    CaseStudy,
    Initiative,
    LearningPathway,
    PathwayStep,
    Reflection,
    Resource,
    StepProgress,
    Topic,
)
from ..uploads import upload_validate

SEARCH_CONFIG = "english"


# Slugs that would collide with a fixed address beside the <slug> routes in resources/urls.py.
RESERVED_SLUGS = {
    "Resource": {"search", "catch-up"},
    "CaseStudy": {"new", "mine"},
}


def _unique_slug(model, text: str, *, exclude_pk=None) -> str:
    return unique_slug(
        model, text, exclude_pk=exclude_pk, reserved=RESERVED_SLUGS.get(model.__name__, set())
    )


def _private_slug(model, text: str) -> str:
    """A slug for something that starts private (a member's draft case study): the title and a
    random tail. A title-only slug gets "-2" when another row has the title, so a member who
    typed the same title as someone's unpublished draft would learn that the draft exists."""
    field = model._meta.get_field("slug")
    base = slugify(text)[: field.max_length - 7].strip("-") or model._meta.model_name
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if not model.objects.filter(slug=slug).exists():  # 1 in 16 million: try again
            return slug


def _vector(*weighted):
    vector = None
    for field, weight in weighted:
        part = SearchVector(field, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


RESOURCE_VECTOR = (
    ("title", "A"),
    ("key_takeaways", "B"),
    ("description", "C"),
    ("transcript", "D"),
)
CASE_STUDY_VECTOR = (
    ("title", "A"),
    ("what_changed", "B"),
    ("what_we_did", "C"),
    ("context", "C"),
    ("to_share", "D"),
)


def search_vectors_update(model, pks=None) -> None:
    """Recompute stored search vectors (PostgreSQL only; the SQLite demo searches plainly)."""
    if connection.vendor != "postgresql":
        return
    weighted = RESOURCE_VECTOR if model is Resource else CASE_STUDY_VECTOR
    rows = model.objects.all() if pks is None else model.objects.filter(pk__in=pks)
    rows.update(search_vector=_vector(*weighted))


@transaction.atomic
def resource_save(
    *,
    resource: Resource | None = None,
    topics=None,
    upload=None,
    remove_file=False,
    user=None,
    **fields,
):
    """Create a resource (no `resource` given) or change one. A new file is checked by its
    content before it is stored; if it is refused, nothing already stored changes. A replaced
    file is deleted afterwards."""
    resource = resource or Resource()
    old_name = resource.file.name if resource.pk and resource.file else None
    for name, value in fields.items():
        setattr(resource, name, value)
    if upload is not None:
        try:
            resource.file_type = upload_validate(upload)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        resource.file_size = upload.size
        resource.file = upload
    elif remove_file:
        resource.file = ""
    if not resource.slug:
        resource.slug = _unique_slug(Resource, resource.title)
    if resource.pk is None and user is not None:
        resource.created_by = user
    if not resource.file:
        resource.file_type, resource.file_size = "", None
    resource.full_clean()
    resource.save()
    if topics is not None:
        resource.topics.set(topics)
    search_vectors_update(Resource, [resource.pk])
    resources_changed()
    if old_name and old_name != resource.file.name:
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return resource


def resource_delete(*, resource: Resource) -> None:
    if resource.pathway_steps.exists():
        raise ValidationError(
            "This resource is a step in a learning pathway: remove it there first."
        )
    stored = resource.file.name if resource.file else None
    storage = resource.file.storage if resource.file else None
    resource.delete()
    resources_changed()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


# Pathways ------------------------------------------------------------------------------------


@transaction.atomic
def pathway_save(
    *, pathway: LearningPathway | None = None, steps=None, **fields
) -> LearningPathway:
    """Create a pathway (no `pathway` given) or change one, with its steps when `steps` (a
    valid, bound PathwayStepFormSet) is given."""
    pathway = pathway or LearningPathway()
    for name, value in fields.items():
        setattr(pathway, name, value)
    if not pathway.slug:
        pathway.slug = _unique_slug(LearningPathway, pathway.title)
    pathway.full_clean()
    pathway.save()
    if steps is not None:
        steps.instance = pathway
        steps.save()
    return pathway


@transaction.atomic
def pathway_step_create(*, pathway: LearningPathway, resource: Resource, **fields) -> PathwayStep:
    step = PathwayStep(pathway=pathway, resource=resource, **fields)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def pathway_step_done(*, member, step: PathwayStep, done: bool = True) -> None:
    if done:
        StepProgress.objects.get_or_create(member=member, step=step)
    else:
        StepProgress.objects.filter(member=member, step=step).delete()


@transaction.atomic
def reflection_save(*, member, step: PathwayStep, text: str) -> Reflection | None:
    """Keep the member's private notes on a step; empty text deletes them."""
    text = text.strip()
    if not text:
        Reflection.objects.filter(member=member, step=step).delete()
        return None
    reflection, _ = Reflection.objects.update_or_create(
        member=member, step=step, defaults={"text": text}
    )
    return reflection


# Case studies --------------------------------------------------------------------------------


@transaction.atomic
def case_study_save(
    *, case_study: CaseStudy | None = None, author, topics=None, **fields
) -> CaseStudy:
    """Create a member's case study (no `case_study` given) or edit one. Only a draft or a
    returned one can be edited."""
    case_study = case_study or CaseStudy()
    if case_study.pk and case_study.status in (
        CaseStudy.Status.SUBMITTED,
        CaseStudy.Status.PUBLISHED,
    ):
        raise ValidationError(
            "This case study is with the organisers, so it cannot be changed now."
        )
    for name, value in fields.items():
        setattr(case_study, name, value)
    if case_study.pk is None:
        case_study.author = author
    if not case_study.slug:
        case_study.slug = _private_slug(CaseStudy, case_study.title)
    case_study.full_clean()
    case_study.save()
    if topics is not None:
        case_study.topics.set(topics)
    return case_study


@transaction.atomic
def case_study_submit(*, case_study: CaseStudy) -> CaseStudy:
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if case_study.status == CaseStudy.Status.SUBMITTED:
        raise ValidationError(
            "You have already submitted this case study: it is waiting for review."
        )
    if case_study.status == CaseStudy.Status.PUBLISHED:
        raise ValidationError("This case study is already published.")
    case_study.status = CaseStudy.Status.SUBMITTED
    case_study.submitted_at = timezone.now()
    case_study.save(update_fields=["status", "submitted_at", "updated_at"])
    return case_study


@transaction.atomic
def case_study_moderate(*, case_study: CaseStudy, decision: str, comment: str = "") -> CaseStudy:
    """Publish a submitted case study, or return it to its author with comments, and queue the
    email that tells the author what was decided."""
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if case_study.status != CaseStudy.Status.SUBMITTED:
        raise ValidationError("Only a case study waiting for review can be published or returned.")
    if decision == CaseStudy.Status.PUBLISHED:
        case_study.status = CaseStudy.Status.PUBLISHED
        case_study.published_at = timezone.now()
    elif decision == CaseStudy.Status.RETURNED:
        if not comment.strip():
            raise ValidationError("Say what the author should change when returning it.")
        case_study.status = CaseStudy.Status.RETURNED
    else:
        raise ValidationError("Choose to publish the case study or return it.")
    case_study.moderator_comment = comment.strip()
    case_study.save()
    search_vectors_update(CaseStudy, [case_study.pk])
    resources_changed()
    # Queued in this transaction: a decision that is rolled back tells the author nothing.
    case_study_decision_email_send.enqueue(
        case_study.pk, _decision_round(case_study), portal_base=request_address()
    )
    return case_study


def _decision_round(case_study: CaseStudy) -> str:
    """What names one round of review: each submission is decided once, and a resubmission
    after a return starts a new round with a new submitted_at."""
    return case_study.submitted_at.isoformat()


@task
@request_address_carried
@transaction.atomic
def case_study_decision_email_send(case_study_id: int, decision_round: str) -> bool:
    """Tell the author what was decided about their case study in review round
    `decision_round`: essential, as it is about their own submission. Nothing goes when the
    case study has moved on since (its author has already resubmitted it), or to an author
    who has left or been erased. Returns whether it was queued."""
    case_study = CaseStudy.objects.select_related("author").filter(pk=case_study_id).first()
    if case_study is None or case_study.status not in (
        CaseStudy.Status.RETURNED,
        CaseStudy.Status.PUBLISHED,
    ):
        return False
    if case_study.submitted_at is None or _decision_round(case_study) != decision_round:
        return False
    author = case_study.author
    if author is None or author.erased_at is not None or not author.is_active:
        return False
    published = case_study.status == CaseStudy.Status.PUBLISHED
    with outbox_collecting():
        return member_email_send(
            member=author,
            subject=(
                f"Your case study is published: {case_study.title}"
                if published
                else f"Your case study is returned with comments: {case_study.title}"
            ),
            template="resources/email/case_study_decision.txt",
            context={"case_study": case_study, "published": published},
            key=f"case-study-decision:{case_study.pk}:{decision_round}",
        )


# Initiatives ---------------------------------------------------------------------------------


@transaction.atomic
def initiative_save(*, initiative: Initiative | None = None, topics=None, **fields) -> Initiative:
    """Create an initiative (no `initiative` given) or change one."""
    initiative = initiative or Initiative()
    for name, value in fields.items():
        setattr(initiative, name, value)
    if not initiative.slug:
        initiative.slug = _unique_slug(Initiative, initiative.name)
    initiative.full_clean()
    initiative.save()
    if topics is not None:
        initiative.topics.set(topics)
    resources_changed()
    return initiative


# Topics --------------------------------------------------------------------------------------


@transaction.atomic
def topic_save(*, topic: Topic | None = None, name: str) -> Topic:
    """Create a topic (no `topic` given) or rename one: its slug follows its name."""
    topic = topic or Topic()
    topic.name = name
    topic.slug = slugify(name)
    topic.full_clean()
    topic.save()
    resources_changed()
    return topic
