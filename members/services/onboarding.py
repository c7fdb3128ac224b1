"""Writes for joining and the content members read on the way: the introduction and other
pages, the ground rules (drafts, publishing, members agreeing) and the glossary."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cop_portal.web.slugs import unique_slug

from ..caching import glossary_changed, ground_rules_forget
from ..models import (
    ContentPage,
    ContentPageVersion,
    GlossaryTerm,
    GroundRules,
    GroundRulesAgreement,
    User,
)


def introduction_mark_read(*, user: User) -> User:
    if user.introduction_read_at is None:
        user.introduction_read_at = timezone.now()
        user.save(update_fields=["introduction_read_at"])
    return user


@transaction.atomic
def content_page_update(
    *, page: ContentPage, title: str, summary: str, body: str, user: User | None
) -> ContentPage:
    """Change a page's wording. A change makes a new version and keeps the one it replaces,
    word for word with the time it came in (ContentPageVersion); saving it unchanged does
    not."""
    current = ContentPage.objects.select_for_update().get(pk=page.pk)
    if (current.title, current.summary, current.body) == (title, summary, body):
        return current
    ContentPageVersion.objects.create(
        page=current,
        version=current.version,
        title=current.title,
        summary=current.summary,
        body=current.body,
        in_force_from=current.updated_at,
    )
    page.title, page.summary, page.body = title, summary, body
    page.version = current.version + 1
    page.updated_by = user
    page.full_clean()
    page.save()
    return page


def ground_rules_agree(*, user: User, ground_rules: GroundRules) -> GroundRulesAgreement:
    """Record that `user` agrees to this version. Agreeing twice keeps the first agreement."""
    current = GroundRules.objects.filter(published_at__isnull=False).order_by("-version").first()
    if current is None or current.pk != ground_rules.pk:
        raise ValidationError("These ground rules are no longer current: please read the new ones.")
    agreement, _ = GroundRulesAgreement.objects.get_or_create(
        member=user, ground_rules=ground_rules
    )
    return agreement


@transaction.atomic
def ground_rules_draft_create(*, body: str, change_summary: str, user: User) -> GroundRules:
    # Lock the newest version so two organisers cannot take the same number; the unique
    # constraint on `version` covers the very first one.
    latest = GroundRules.objects.select_for_update().order_by("-version").first()
    draft = GroundRules(
        version=latest.version + 1 if latest else 1,
        body=body,
        change_summary=change_summary,
        created_by=user,
    )
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def ground_rules_draft_update(*, draft: GroundRules, body: str, change_summary: str):
    if draft.is_published:
        raise ValidationError("A published version cannot be edited: start a new version instead.")
    draft.body = body
    draft.change_summary = change_summary
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def ground_rules_publish(*, draft: GroundRules, user: User) -> GroundRules:
    """Make the draft the current ground rules: every member is asked to agree again."""
    draft = GroundRules.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise ValidationError(f"Version {draft.version} is already published.")
    newer = GroundRules.objects.filter(published_at__isnull=False, version__gt=draft.version)
    if newer.exists():
        raise ValidationError("A newer version is already published.")
    draft.published_at = timezone.now()
    draft.published_by = user
    draft.save(update_fields=["published_at", "published_by"])
    ground_rules_forget()
    return draft


@transaction.atomic
def glossary_term_create(*, term: str, definition: str) -> GlossaryTerm:
    glossary_term = GlossaryTerm(term=term.strip(), definition=definition.strip())
    glossary_term.slug = unique_slug(GlossaryTerm, glossary_term.term)
    glossary_term.full_clean()
    glossary_term.save()
    glossary_changed()
    return glossary_term


@transaction.atomic
def glossary_term_update(*, glossary_term: GlossaryTerm, term: str, definition: str):
    glossary_term.term = term.strip()
    glossary_term.definition = definition.strip()
    glossary_term.slug = unique_slug(GlossaryTerm, glossary_term.term, exclude_pk=glossary_term.pk)
    glossary_term.full_clean()
    glossary_term.save()
    glossary_changed()
    return glossary_term


def glossary_term_delete(*, glossary_term: GlossaryTerm) -> None:
    glossary_term.delete()
    glossary_changed()
