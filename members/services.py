"""Writes for the members app: accounts, profiles, onboarding content, organisations and roles."""

import contextlib
import json
import secrets
from datetime import datetime, time, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify

from cop_portal.web.portal_address import absolute_url
from cop_portal.web.slugs import unique_slug
from cop_portal.web.time import LONDON
from events.models import Attendance, Event, EventKind
from events.services import caucus_attendance_check, event_save
from resources.models import Topic
from surveys.services import sealed_responses_regroup

# Other apps write audit lines and send members email through these.
from .audit import Action as AuditAction  # noqa: F401 - for other apps' audit lines
from .audit import audit_record as audit_record
from .emails import CATEGORIES, member_has_claimed
from .emails import member_email_send as member_email_send
from .models import (
    Action,
    ActionUpdate,
    CheckIn,
    ContentPage,
    GlossaryTerm,
    GroundRules,
    GroundRulesAgreement,
    JourneyStage,
    Organisation,
    User,
)
from .roles import ORGANISERS, ROLE_PERMISSIONS


def roles_sync(*, using="default"):
    """Create the role groups and give each exactly the permissions `ROLE_PERMISSIONS` lists."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for group_name, dotted in ROLE_PERMISSIONS.items():
        wanted = Q(pk__in=[])
        for name in dotted:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.using(using).filter(wanted))
        if len(permissions) != len(dotted):
            found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
            raise LookupError(f"Unknown permissions for {group_name}: {set(dotted) - found}")
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        group.permissions.set(permissions)


@transaction.atomic
def profile_update(*, user: User, **fields) -> User:
    """Save a member's own profile. The first save marks the profile step of joining as done."""
    interests = fields.pop("interests", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.profile_completed_at is None:
        user.profile_completed_at = timezone.now()
    user.full_clean()
    user.save()
    if interests is not None:
        user.interests.set(interests)
    return user


@transaction.atomic
def member_account_save(*, email: str, password: str, organiser: bool = False) -> User:
    """The member with this email, made if missing, able to sign in at once: this password,
    the address verified and primary, and in the organisers' group if `organiser`."""
    user = User.objects.filter(email=email).first() or User(email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if organiser:
        user.groups.add(Group.objects.get(name=ORGANISERS))
    return user


def introduction_mark_read(*, user: User) -> User:
    if user.introduction_read_at is None:
        user.introduction_read_at = timezone.now()
        user.save(update_fields=["introduction_read_at"])
    return user


@transaction.atomic
def content_page_update(*, page: ContentPage, title: str, summary: str, body: str, user: User):
    page.title = title
    page.summary = summary
    page.body = body
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
    return draft


@transaction.atomic
def glossary_term_create(*, term: str, definition: str) -> GlossaryTerm:
    glossary_term = GlossaryTerm(term=term.strip(), definition=definition.strip())
    glossary_term.slug = unique_slug(GlossaryTerm, glossary_term.term)
    glossary_term.full_clean()
    glossary_term.save()
    return glossary_term


@transaction.atomic
def glossary_term_update(*, glossary_term: GlossaryTerm, term: str, definition: str):
    glossary_term.term = term.strip()
    glossary_term.definition = definition.strip()
    glossary_term.slug = unique_slug(GlossaryTerm, glossary_term.term, exclude_pk=glossary_term.pk)
    glossary_term.full_clean()
    glossary_term.save()
    return glossary_term


def glossary_term_delete(*, glossary_term: GlossaryTerm) -> None:
    glossary_term.delete()


@transaction.atomic
def organisation_save(*, organisation: Organisation, name: str, sector: str) -> Organisation:
    organisation.name = " ".join(name.split())
    organisation.sector = sector
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_merge(*, keep: Organisation, duplicates) -> int:
    """Move everything that points at the duplicates to `keep`, then delete the duplicates, in
    one transaction. Returns how many members moved.

    "Everything" is every relation to Organisation, hidden ones included (a survey response's
    organisation has no reverse name), found by walking the models, so a relation added later
    moves too; and the organisation inside anonymous answers still sealed for release."""
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
    sealed_responses_regroup(organisation_ids=duplicate_ids, into=keep.pk)
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
    return moved


STARTER_DIR = Path(__file__).resolve().parent / "starter"
# Public pages every portal starts with: (slug, title, summary, file in starter/).
STARTER_PAGES = [
    (
        "accessibility",
        "Accessibility statement",
        "How accessible the portal is, what we know is not yet, and how to tell us.",
        "accessibility.md",
    ),
    (
        "privacy",
        "Privacy notice",
        "What the portal keeps about you, why, for how long, and your rights.",
        "privacy.md",
    ),
    (
        "special-category-data",
        "How we protect your caucus choice",
        "Our policy for special category data: the racial identity caucus choice.",
        "special_category_data.md",
    ),
]
STARTER_TOPICS = [
    "Organisational change",
    "Housing and health",
    "Migrant health",
    "Race-based stress and trauma",
    "Clinical bias",
    "Maternity and children's health",
    "Mental health",
    "Workforce and recruitment",
    "Leadership and allyship",
    "Data and evidence",
    "Community engagement",
    "Policy and commissioning",
]


@transaction.atomic
def _superseded_starter_texts(slug: str) -> set[str]:
    """Earlier versions of a starter page, word for word (starter/superseded/<slug>.<n>.md)."""
    return {
        path.read_text(encoding="utf-8")
        for path in (STARTER_DIR / "superseded").glob(f"{slug}.*.md")
    }


def starter_content_load() -> dict[str, int]:
    """Load the introduction, ground rules, glossary and topics the portal starts with.

    Each kind is loaded only into an empty table, so running it again (on every deploy) changes
    nothing, and what organisers have since edited, renamed or deleted stays as they left it.
    The one exception: a privacy, accessibility or policy page still exactly as an earlier
    starter version had it is replaced by the current version (starter/superseded/).
    Returns how many things of each kind were created (and pages updated)."""
    created = {"pages": 0, "pages_updated": 0, "ground_rules": 0, "glossary_terms": 0, "topics": 0}
    _, made = ContentPage.objects.get_or_create(
        slug=ContentPage.INTRODUCTION,
        defaults={
            "title": "About the Community of Practice",
            "summary": "What the CoP is for, how it works and how to take part.",
            "body": (STARTER_DIR / "introduction.md").read_text(encoding="utf-8"),
        },
    )
    created["pages"] += made
    for slug, title, summary, source in STARTER_PAGES:
        body = (STARTER_DIR / source).read_text(encoding="utf-8")
        page, made = ContentPage.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "body": body}
        )
        created["pages"] += made
        # A page still word for word an earlier starter version was never edited: bring it up to
        # date (the privacy notice and policies must say what the portal does now).
        if not made and page.body != body and page.body in _superseded_starter_texts(slug):
            page.body = body
            page.save(update_fields=["body", "updated_at"])
            created["pages_updated"] += 1
    if not GroundRules.objects.exists():
        GroundRules.objects.create(
            version=1,
            body=(STARTER_DIR / "ground_rules.md").read_text(encoding="utf-8"),
            change_summary="The first version of the ground rules.",
            published_at=timezone.now(),
        )
        created["ground_rules"] += 1
    if not GlossaryTerm.objects.exists():
        glossary = json.loads((STARTER_DIR / "glossary.json").read_text(encoding="utf-8"))
        for entry in glossary:
            glossary_term_create(term=entry["term"], definition=entry["definition"])
        created["glossary_terms"] = len(glossary)
    if not Topic.objects.exists():
        Topic.objects.bulk_create(Topic(name=name, slug=slugify(name)) for name in STARTER_TOPICS)
        created["topics"] = len(STARTER_TOPICS)
    return created


# Email preferences. (CATEGORIES is imported in each function only so that this block could be
# appended without touching the imports above; it can move up with them.)


@transaction.atomic
def email_preferences_update(*, user: User, **choices: bool) -> User:
    """Set which non-essential emails the member gets, e.g. `email_reminders=False`."""

    unknown = set(choices) - set(CATEGORIES.values())
    if unknown:
        raise ValueError(f"Not an email preference: {', '.join(sorted(unknown))}")
    for name, value in choices.items():
        setattr(user, name, bool(value))
    # Only these booleans are saved (no full_clean of the whole profile): turning emails off
    # must work even for a member whose other details would not pass today's validation.
    user.save(update_fields=list(choices))
    return user


@transaction.atomic
def email_unsubscribe(*, member_id: int, category: str) -> bool:
    """Turn one category of email off for a member, from an unsubscribe link.

    Returns whether there was such a member."""

    return User.objects.filter(pk=member_id).update(**{CATEGORIES[category]: False}) == 1


# Learning to action ----------------------------------------------------------------------------


@transaction.atomic
def action_save(*, action, member, **fields):
    """Create or change one of the member's own actions."""
    if action.pk and action.member_id != member.pk:
        raise PermissionDenied("Members change only their own actions.")
    if "due_on" in fields and fields["due_on"] != action.due_on:
        action.reminder_sent_on = None  # a new date gets its own reminder
    for name, value in fields.items():
        setattr(action, name, value)
    action.member = member
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_status_update(*, action, status: str, note: str = "", value_cycle: str = ""):
    """Move an action on (planned, in progress, done, dropped) with a short note; record the day
    it was done and, if the member says, the kind of value it created."""
    if status not in Action.Status.values:
        raise ValidationError("Choose one of the statuses offered.")
    action.status = status
    if status != Action.Status.DONE:
        action.completed_on = None
    elif action.completed_on is None:
        action.completed_on = timezone.localdate()  # a later note keeps the day it was done
    if value_cycle or status != Action.Status.DONE:
        action.value_cycle = value_cycle if status == Action.Status.DONE else ""
    action.full_clean()
    action.save()
    ActionUpdate.objects.create(action=action, status=status, note=note.strip()[:500])
    return action


def action_delete(*, action, member) -> None:
    if action.member_id != member.pk:
        raise PermissionDenied("Members delete only their own actions.")
    action.delete()


def action_reminders_send(*, today=None) -> int:
    """Remind members of actions falling due tomorrow or already due, once per action.
    Run daily from cron: `manage.py send_action_reminders`."""
    today = today or timezone.localdate()
    due = (
        Action.objects.filter(
            status__in=[Action.Status.PLANNED, Action.Status.IN_PROGRESS],
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=1),
            reminder_sent_on__isnull=True,
        )
        .select_related("member")
        .order_by("due_on", "pk")
    )
    sent = 0
    for action in due:
        marked = Action.objects.filter(pk=action.pk, reminder_sent_on__isnull=True).update(
            reminder_sent_on=today
        )
        if marked and member_email_send(
            member=action.member,
            subject="An action you planned is due",
            template="members/email/action_due.txt",
            context={"action": action},
            category="reminders",
        ):
            sent += 1
    return sent


@transaction.atomic
def check_in_record(*, member, stage: int, note: str = ""):
    if stage not in JourneyStage.values:
        raise ValidationError("Choose one of the stages.")
    return CheckIn.objects.create(member=member, stage=stage, note=note.strip())


# Importing the CoP's spreadsheets (members/imports.py plans; these write). Imports sit in the
# functions only so that this block could be appended without touching the imports above.

IMPORT_UPLOADS = "imports"
IMPORT_UPLOAD_LIFETIME = timedelta(hours=2)


def organisation_get_or_create(*, name: str) -> tuple[Organisation, bool]:
    """The organisation with this name, ignoring case and spacing, or a new one."""
    key = " ".join(name.split()).casefold()
    for organisation in Organisation.objects.only("pk", "name"):
        if " ".join(organisation.name.split()).casefold() == key:
            return organisation, False
    return organisation_save(organisation=Organisation(), name=name, sector=""), True


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
    return Attendance.objects.get_or_create(
        event=event,
        member=member,
        defaults={
            "walk_in": not event.registrations.filter(member=member).exists(),
            "recorded_by": recorded_by,
        },
    )


def _import_folder(token: str) -> str | None:
    """The storage folder of an upload, or None for anything that is not one of our tokens
    (which keeps a crafted token from naming any other path)."""
    valid = 20 <= len(token) <= 64 and token.isascii()
    if not valid or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return f"{IMPORT_UPLOADS}/{token}"


def import_upload_store(*, upload, user, kind: str, event_title: str = "", event_date=None) -> str:
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
        "event_title": event_title or "",
        "event_date": event_date.isoformat() if event_date else "",
        "created": timezone.now().isoformat(),
    }
    default_storage.save(f"{folder}/meta.json", ContentFile(json.dumps(meta).encode()))
    return token


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


# Welcoming imported members -----------------------------------------------------------------

WELCOME_SALT = "members.welcome"
WELCOME_DAYS = 14


def _claim_state(member: User) -> str:
    """What changes once a record is claimed (or re-welcomed): a link made before is then void."""
    state = f"{member.password}|{member.last_login}|{member.welcomed_at}"
    return salted_hmac(WELCOME_SALT, state, algorithm="sha256").hexdigest()[:24]


def welcome_token(*, member: User) -> str:
    return signing.dumps([member.pk, _claim_state(member)], salt=WELCOME_SALT)


def welcome_member_for_token(token: str) -> User | None:
    """The imported member a welcome link is for, while it is unused and no more than
    WELCOME_DAYS old; otherwise None."""
    try:
        member_id, state = signing.loads(
            token, salt=WELCOME_SALT, max_age=timedelta(days=WELCOME_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    member = (
        User.objects.filter(pk=member_id, is_active=True).first()
        if isinstance(member_id, int)
        else None
    )
    if member is None or member_has_claimed(member):
        return None
    return member if constant_time_compare(state, _claim_state(member)) else None


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
    links = {
        m.pk: absolute_url(reverse("members:claim", kwargs={"token": welcome_token(member=m)}))
        for m in waiting
    }

    def send():
        for member in waiting:
            member_email_send(
                member=member,
                subject="You are invited to the CoP Portal",
                template="members/email/welcome.txt",
                context={"link": links[member.pk], "days": WELCOME_DAYS},
            )

    transaction.on_commit(send)
    return len(waiting)


@transaction.atomic
def member_claim(*, member: User, password: str) -> User:
    """An imported member takes their record over: their password set, their address (the one
    the welcome reached) verified, so they can sign in at once."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if member_has_claimed(member):
        raise ValidationError("This record has already been claimed: sign in instead.")
    member.set_password(password)
    member.save(update_fields=["password"])
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member
