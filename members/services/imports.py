"""Writes for importing the CoP's spreadsheets: the members, events and attendance a plan
(members/selectors/imports.py) creates, each import's lines in the audit trail, the uploads kept
between checking a file and confirming it, and the welcome that lets imported members claim
their record. The web page and the commands write through the same functions, so they audit
alike."""

import contextlib
import io
import json
import secrets
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import absolute_url, request_address, request_address_carried
from cop_portal.web.time import LONDON
from events.models import CAUCUS_CHOICE_PERMISSION, Attendance, Event, EventKind
from events.services import attendance_changed, caucus_attendance_check, event_save
from events.services.guests import guest_attendance_import

from ..models import Organisation, User
from ..selectors.accounts import member_has_claimed
from ..selectors.imports import (
    DEFAULT_MINIMUM_MINUTES,
    AttendanceChoices,
    Plan,
    events_on,
    members_by_email,
    plan_file,
)
from ..spreadsheets import header_key
from .accounts import WELCOME_DAYS, welcome_token
from .audit import Action, audit_record
from .emails import member_email_send
from .organisations import organisation_get_or_create

IMPORT_UPLOADS = "imports"
IMPORT_UPLOAD_LIFETIME = timedelta(hours=2)


@transaction.atomic
def member_import_create(
    *, email: str, name: str, organisation=None, job_role: str = "", joined=None
) -> User:
    """A member from an imported spreadsheet, who has not signed up: no usable password and no
    allauth email address. Signing up with this email later takes the record over
    (`AccountAdapter.save_user`). `joined` is a date: they joined at midnight UK time."""

    user = User(
        email=email.strip().lower(),
        name=" ".join(name.split()),
        organisation=organisation,
        job_role=" ".join(job_role.split()),
    )
    if joined is not None:
        user.date_joined = datetime.combine(joined, time.min, tzinfo=LONDON)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def imported_event_create(*, title: str, day):
    """A past session that an attendance register names but the portal does not have: a
    published webinar from 12:00 to 13:00 UK time that day (the real times are not known)."""

    kind = EventKind.objects.filter(name__iexact="Webinar").first() or EventKind.objects.first()
    if kind is None:
        kind = EventKind(name="Webinar", slug="webinar")
        kind.full_clean()
        kind.save()
    return event_save(
        event=Event(),
        title=" ".join(title.split()),
        summary="Imported from an attendance register.",
        kind=kind,
        format=Event.Format.ONLINE,
        status=Event.Status.PUBLISHED,
        starts_at=datetime.combine(day, time(12), tzinfo=LONDON),
        ends_at=datetime.combine(day, time(13), tzinfo=LONDON),
    )


def attendance_import_record(*, event, member, recorded_by=None):
    """Record, from an imported register, that a member was at an event: once per member and
    event. Someone who had not registered is a walk-in, as at the door. Returns (attendance,
    created). Nobody outside a caucus is recorded at one of its sessions (ValidationError)."""
    caucus_attendance_check(event=event, member=member)
    attendance, created = Attendance.objects.get_or_create(
        event=event,
        member=member,
        defaults={
            "walk_in": not event.registrations.filter(member=member).exists(),
            "recorded_by": recorded_by,
        },
    )
    if created:
        attendance_changed()
    return attendance, created


def _import_folder(token: str) -> str | None:
    """The storage folder of an upload, or None for anything that is not one of our tokens
    (which keeps a crafted token from naming any other path)."""
    valid = 20 <= len(token) <= 64 and token.isascii()
    if not valid or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return f"{IMPORT_UPLOADS}/{token}"


def choices_to_json(choices: AttendanceChoices) -> dict:
    return {
        "session": choices.session,
        "date_order": choices.date_order,
        "minimum_minutes": choices.minimum_minutes,
        "name_matches": {str(line): member for line, member in choices.name_matches.items()},
        "title": choices.title,
        "date": choices.date.isoformat() if choices.date else "",
    }


def choices_from_json(data: dict) -> AttendanceChoices:
    matches = data.get("name_matches", {})
    return AttendanceChoices(
        session=data.get("session"),
        date_order=data.get("date_order"),
        minimum_minutes=int(data.get("minimum_minutes", DEFAULT_MINIMUM_MINUTES)),
        name_matches={int(line): int(member) for line, member in matches.items()},
        title=data.get("title", ""),
        date=date.fromisoformat(data["date"]) if data.get("date") else None,
    )


def _meta_save(folder: str, meta: dict) -> None:
    default_storage.delete(f"{folder}/meta.json")  # save() would pick another name otherwise
    default_storage.save(f"{folder}/meta.json", ContentFile(json.dumps(meta).encode()))


def import_upload_store(*, upload, user, kind: str, choices: AttendanceChoices) -> str:
    """Keep an uploaded file, privately, until the organiser confirms its import. Returns the
    token that names it. Files under imports/ are never served: storage is private."""

    token = secrets.token_urlsafe(24)
    folder = _import_folder(token)
    upload.seek(0)
    default_storage.save(f"{folder}/upload", upload)
    meta = {
        "user": user.pk,
        "kind": kind,
        "filename": getattr(upload, "name", "") or "upload",
        "choices": choices_to_json(choices),
        "created": timezone.now().isoformat(),
    }
    _meta_save(folder, meta)
    return token


def import_upload_choose(*, token: str, meta: dict, choices: AttendanceChoices) -> dict:
    """Keep what the organiser chose about a kept upload (its session, date order, minimum
    time and name matches), so that its confirmation imports exactly the plan they saw."""
    meta = {**meta, "choices": choices_to_json(choices)}
    _meta_save(_import_folder(token), meta)
    return meta


def import_upload_read(*, token: str, user) -> tuple[bytes, dict] | None:
    """The stored file and what was chosen with it, or None when the token is unknown, belongs
    to someone else or has expired (an expired upload is deleted)."""

    folder = _import_folder(token or "")
    if folder is None:
        return None
    try:
        with default_storage.open(f"{folder}/meta.json") as stored:
            meta = json.loads(stored.read())
        if meta["user"] != user.pk:
            return None
        if timezone.now() - datetime.fromisoformat(meta["created"]) > IMPORT_UPLOAD_LIFETIME:
            import_upload_discard(token=token)
            return None
        with default_storage.open(f"{folder}/upload") as stored:
            return stored.read(), meta
    except (OSError, ValueError, KeyError, TypeError):
        return None


def import_upload_discard(*, token: str) -> None:

    folder = _import_folder(token or "")
    if folder is None:
        return
    for name in ("upload", "meta.json"):
        default_storage.delete(f"{folder}/{name}")
    with contextlib.suppress(OSError):
        default_storage.delete(folder)  # the empty folder, on a file system


def import_uploads_purge() -> int:
    """Delete uploads whose import was never confirmed, once expired: they hold personal data.
    Returns how many were deleted."""

    try:
        folders, _ = default_storage.listdir(IMPORT_UPLOADS)
    except (OSError, NotImplementedError):
        return 0
    purged = 0
    for token in folders:
        folder = f"{IMPORT_UPLOADS}/{token}"
        try:
            with default_storage.open(f"{folder}/meta.json") as stored:
                created = datetime.fromisoformat(json.loads(stored.read())["created"])
        except (OSError, ValueError, KeyError, TypeError):
            try:  # no description (yet): go by when the file was saved
                created = default_storage.get_modified_time(f"{folder}/upload")
            except (OSError, NotImplementedError):
                continue
        if timezone.now() - created > IMPORT_UPLOAD_LIFETIME:
            import_upload_discard(token=token)
            purged += 1
    return purged


# Applying a plan ---------------------------------------------------------------------------------


# How the audit trail names an import once it is written, by the kind of file.
IMPORTED = {"members": Action.MEMBERS_IMPORTED, "attendance": Action.ATTENDANCE_IMPORTED}


def import_check(
    source,
    filename: str,
    *,
    kind: str,
    choices: AttendanceChoices | None = None,
    may_see_caucus: bool = True,
    request=None,
) -> Plan:
    """Read a file and plan its import (`plan_file`), for the upload page's check and the
    commands alike. The plan shows the people in the file, a read of personal data, so it goes
    in the audit trail: `request` says who asked and from where (None from the command line)."""
    plan = plan_file(
        source,
        filename,
        kind=kind,
        choices=choices,
        may_see_caucus=may_see_caucus,
    )
    audit_record(request, Action.IMPORT_CHECKED, detail=f"{kind}: {len(plan.rows)} rows")
    return plan


@transaction.atomic
def import_apply(plan: Plan, *, request=None) -> dict[str, int]:
    """Write a plan, all of it or nothing, with its line in the audit trail. Whatever already
    exists by now (someone else's import, a member who signed up meanwhile) is used rather than
    created again. `request` is who asked: they are recorded as having taken the attendance,
    and named in the audit trail (None from the command line).

    Returns how many organisations, members, events and attendances were created."""
    recorded_by = request.user if request is not None else None
    created = Counter()
    organisations: dict[str, Organisation] = {}

    def organisation_for(name: str | None) -> Organisation | None:
        if name is None:
            return None
        key = header_key(name)
        if key not in organisations:
            organisations[key], made = organisation_get_or_create(name=name)
            created["organisations"] += made
        return organisations[key]

    for name in plan.new_organisations:
        organisation_for(name)
    members = members_by_email(new.email for new in plan.new_members)
    for new in plan.new_members:
        if new.email in members:
            continue
        members[new.email] = member_import_create(
            email=new.email,
            name=new.name,
            organisation=organisation_for(new.organisation),
            job_role=new.job_role,
            joined=new.joined,
        )
        created["members"] += 1

    new_session = None
    for ref in plan.new_events:
        # Someone may have made it since the plan: the same title on the same day is it.
        new_session = events_on(ref.date, {}).get(ref.key[1])
        if new_session is None:
            new_session = imported_event_create(title=ref.title, day=ref.date)
            created["events"] += 1
    emails = [email for email, _ in plan.new_attendances if isinstance(email, str)]
    members |= members_by_email(email for email in emails if email not in members)
    by_id = User.objects.in_bulk(
        [member for member, _ in plan.new_attendances if isinstance(member, int)]
    )
    events = Event.objects.in_bulk(
        [event for _, event in plan.new_attendances if isinstance(event, int)]
    )
    for member_ref, event_ref in plan.new_attendances:
        member = members.get(member_ref) if isinstance(member_ref, str) else by_id.get(member_ref)
        event = events.get(event_ref) if isinstance(event_ref, int) else new_session
        if member is None or event is None:
            raise ValidationError(
                "A member or session in this file was deleted while it was being imported: "
                "check the file again."
            )
        _, made = attendance_import_record(event=event, member=member, recorded_by=recorded_by)
        created["attendances"] += made
    guest_events = Event.objects.in_bulk([event_id for _, event_id in plan.guest_attendances])
    for email, event_id in plan.guest_attendances:
        if event_id in guest_events:  # else deleted since the plan was made
            created["attendances"] += guest_attendance_import(
                event=guest_events[event_id], email=email
            )
    created = {
        name: created[name] for name in ("organisations", "members", "events", "attendances")
    }
    audit_record(request, IMPORTED[plan.kind], detail=describe_created(created))
    return created


def describe_created(created: dict[str, int]) -> str:
    """E.g. "2 organisations, 3 members, 1 event and 7 attendances created", or "nothing new
    created"."""
    names = {
        "organisations": ("organisation", "organisations"),
        "members": ("member", "members"),
        "events": ("event", "events"),
        "attendances": ("attendance", "attendances"),
    }
    parts = [f"{count} {names[name][count != 1]}" for name, count in created.items() if count]
    if not parts:
        return "nothing new created"
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{text} created"


# The upload page: check a file, then confirm it ------------------------------------------------


def import_upload_check(
    *, upload, kind: str, choices: AttendanceChoices, request
) -> tuple[Plan, str]:
    """Step 1 of an import from the upload page: plan the file (audited, as `import_check`) and
    keep it, privately, until the organiser confirms. Returns the plan and the token that names
    the upload. Uploads never confirmed are purged first."""
    plan = import_check(
        upload,
        upload.name,
        kind=kind,
        choices=choices,
        may_see_caucus=request.user.has_perm(CAUCUS_CHOICE_PERMISSION),
        request=request,
    )
    import_uploads_purge()
    token = import_upload_store(upload=upload, user=request.user, kind=kind, choices=choices)
    return plan, token


def import_upload_recheck(*, content: bytes, meta: dict, request) -> Plan:
    """Step 2, as often as the organiser changes a choice: the kept upload planned again with
    what they chose (audited, as `import_check`)."""
    return import_check(
        io.BytesIO(content),
        meta["filename"],
        kind=meta["kind"],
        choices=choices_from_json(meta.get("choices", {})),
        may_see_caucus=request.user.has_perm(CAUCUS_CHOICE_PERMISSION),
        request=request,
    )


class ImportNotReady(Exception):
    """An attendance file whose session or date order is still to be chosen."""


def import_upload_confirm(*, token: str, content: bytes, meta: dict, request) -> tuple[Plan, dict]:
    """Step 3: plan the kept upload again with the choices made (the database may have
    changed since the check) and write it. Returns the plan and what was created. The upload
    is deleted once imported or when it cannot be (ImportFileError or ValidationError: nothing
    was imported); it is kept when a choice is still missing (ImportNotReady)."""
    try:
        plan = plan_file(
            io.BytesIO(content),
            meta["filename"],
            kind=meta["kind"],
            choices=choices_from_json(meta.get("choices", {})),
            may_see_caucus=request.user.has_perm(CAUCUS_CHOICE_PERMISSION),
        )
    except Exception:
        import_upload_discard(token=token)
        raise
    if not plan.ready:
        raise ImportNotReady
    try:
        return plan, import_apply(plan, request=request)
    finally:
        import_upload_discard(token=token)


# Welcoming imported members ---------------------------------------------------------------------


@transaction.atomic
def members_welcome(*, members) -> int:
    """Send each imported member who has not claimed their record a welcome: what the CoP is,
    how to join, and a link that lets them claim the record in one step. A new welcome makes
    the one before void. Returns how many were sent."""
    waiting = [m for m in members if m.is_active and not member_has_claimed(m)]
    now = timezone.now()
    for member in waiting:
        member.welcomed_at = now
        member.save(update_fields=["welcomed_at"])
    welcome_email_send.enqueue([m.pk for m in waiting], portal_base=request_address())
    return len(waiting)


@task
@request_address_carried
@transaction.atomic
def welcome_email_send(member_ids: list[int]) -> int:
    """Queue each member's welcome, with a link made from their latest welcome (a later one
    voids it), unless they have claimed their record meanwhile."""
    queued = 0
    with outbox_collecting():
        for member in User.objects.filter(pk__in=member_ids).order_by("pk"):
            if member_has_claimed(member) or member.welcomed_at is None:
                continue
            link = absolute_url(
                reverse("members:claim", kwargs={"token": welcome_token(member=member)})
            )
            queued += member_email_send(
                member=member,
                subject="You are invited to the CoP Portal",
                template="members/email/welcome.txt",
                context={"link": link, "days": WELCOME_DAYS},
                key=f"welcome:{member.pk}:{member.welcomed_at.timestamp()}",
            )
    return queued
