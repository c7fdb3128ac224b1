"""Writes for organisations: adding and renaming them, and merging duplicates."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

from ..caching import members_forget, organisations_changed
from ..models import Organisation, User
from .audit import Action, audit_record

# Sent inside `organisation_merge`'s transaction, once every relation to the duplicates has
# moved, with `merged_ids` (the duplicates' ids) and `into` (the kept one's id). An app that
# keeps an organisation where no relation reaches it (surveys' sealed answers) moves it then.
# A signal because members sits below the apps that need it and must not call them.
organisations_merged = Signal()


@transaction.atomic
def organisation_save(*, organisation: Organisation, name: str, sector: str) -> Organisation:
    organisation.name = " ".join(name.split())
    organisation.sector = sector
    organisation.full_clean()
    organisation.save()
    organisations_changed()
    return organisation


def organisation_get_or_create(*, name: str) -> tuple[Organisation, bool]:
    """The organisation with this name, ignoring case and spacing, or a new one."""
    key = " ".join(name.split()).casefold()
    for organisation in Organisation.objects.only("pk", "name"):
        if " ".join(organisation.name.split()).casefold() == key:
            return organisation, False
    return organisation_save(organisation=Organisation(), name=name, sector=""), True


@transaction.atomic
def organisation_merge(*, keep: Organisation, duplicates, request=None) -> int:
    """Move everything that points at the duplicates to `keep`, then delete the duplicates, in
    one transaction, with a line in the audit trail (`request`: who asked, and from where).
    Returns how many members moved.

    "Everything" is every relation to Organisation, hidden ones included (a survey response's
    organisation has no reverse name), found by walking the models, so a relation added later
    moves too; and, through `organisations_merged`, the organisation inside anonymous answers
    still sealed for release."""
    duplicate_ids = [org.pk for org in duplicates if org.pk != keep.pk]
    if not duplicate_ids:
        raise ValidationError("Choose at least one organisation other than the one to keep.")
    moved = 0
    for relation in Organisation._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue  # Organisation's own fields
        if relation.many_to_many or relation.one_to_one:
            raise NotImplementedError(f"Merging does not yet move {relation.related_model}.")
        field = relation.field.name
        rows = relation.related_model._base_manager.filter(**{f"{field}__in": duplicate_ids})
        count = rows.update(**{field: keep})
        if relation.related_model is User:
            moved = count
    organisations_merged.send(sender=Organisation, merged_ids=duplicate_ids, into=keep.pk)
    if not keep.sector:
        sector = (
            Organisation.objects.filter(pk__in=duplicate_ids)
            .exclude(sector="")
            .values_list("sector", flat=True)
            .first()
        )
        if sector:
            keep.sector = sector
            keep.save(update_fields=["sector"])
    Organisation.objects.filter(pk__in=duplicate_ids).delete()
    # Members moved with an UPDATE: a kept copy of any of them would name a deleted organisation.
    members_forget()
    organisations_changed()
    audit_record(
        request,
        Action.ORGANISATIONS_MERGED,
        target=keep,
        detail=f"{len(duplicate_ids)} merged in, {moved} member(s) moved",
    )
    return moved
