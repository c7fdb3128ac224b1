"""Planning an import of the CoP's spreadsheets: what each row of a member list or an
attendance register would do ("create", "match" or "reject", with the reason), reading the
database but writing nothing, so that a dry run shows exactly what a real run would do. What a
plan creates is looked up first, so the same file imported twice creates nothing the second
time: its plan shows only "match" rows (and the same "reject" ones).

members/spreadsheets.py reads the files; members/services/imports.py writes a plan."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from cop_portal.web.time import LONDON
from events.models import Attendance, Event, Guest
from events.services import caucus_allows

from ..models import Organisation, User
from ..spreadsheets import (
    Cell,
    ImportFileError,
    Rows,
    header_key,
    normalise_space,
    parse_date,
    read_register,
    read_table,
)
from .accounts import unclaimed_members

CREATE, MATCH, REJECT = "create", "match", "reject"
PAST_TENSE = {CREATE: "created", MATCH: "matched", REJECT: "rejected"}
PLAN_LABELS = {CREATE: "Create", MATCH: "Match", REJECT: "Reject"}

# What people write in an organisation column to mean that they did not say.
NOT_STATED = {"", "not stated", "n/a", "na", "none", "-", "–", "—"}

# Accepted spellings of each column, already in the form `header_key` gives.
MEMBER_COLUMNS = {
    "email": ("email", "email address", "e-mail", "e-mail address"),
    "first_name": ("first name", "forename", "given name"),
    "last_name": ("last name", "surname", "family name"),
    "name": ("name", "full name"),
    "organisation": ("organisation", "organization", "employer"),
    "job_role": ("role", "job role", "job title"),
    "joined": ("joined", "date joined", "joined on"),
}
ATTENDANCE_COLUMNS = {
    "email": ("email", "email address", "e-mail", "user email"),
    "name": ("name", "full name", "name (original name)", "participant"),
    "event_title": ("event title", "event", "session", "session title"),
    "event_date": ("event date", "session date", "date"),
}


# The CoP meets in the UK: calendar dates, joining dates and imported events are UK time.


def _today() -> datetime.date:
    return datetime.datetime.now(LONDON).date()


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, LONDON)
    return start, end


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


# Plans -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    """What one row of the file does. `what` names the thing; `reason` says why."""

    line: int
    action: str
    what: str
    reason: str = ""

    @property
    def outcome(self) -> str:
        return PAST_TENSE[self.action]

    @property
    def label(self) -> str:
        """The outcome as a plan shows it, before anything is saved."""
        return PLAN_LABELS[self.action]

    def describe(self) -> str:
        """One line for the command's output, e.g. "line 7: rejected – the email address is
        not valid" or "line 2: created – Ada Lovelace <ada@example.org>, Riverside NHS Trust
        (new organisation)"."""
        if self.action == REJECT:
            text = self.reason
        else:
            text = f"{self.what} ({self.reason})" if self.reason else self.what
        return f"line {self.line}: {self.outcome} – {text}"


@dataclass(frozen=True)
class NewMember:
    email: str
    name: str
    organisation: str | None = None
    job_role: str = ""
    joined: datetime.date | None = None


@dataclass(frozen=True)
class EventRef:
    """An event as a register names it: matched by UK calendar date and title, ignoring case
    and spacing."""

    title: str
    date: datetime.date

    @property
    def key(self) -> tuple[datetime.date, str]:
        return (self.date, normalise_space(self.title).casefold())

    def __str__(self):
        return f"“{self.title}” on {_long_date(self.date)}"


@dataclass
class Plan:
    """What importing a file would do, computed without writing anything."""

    kind: str
    source: str = "table"
    rows: list[RowOutcome] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_members: list[NewMember] = field(default_factory=list)
    new_events: list[EventRef] = field(default_factory=list)
    # (email, event) pairs to record; for a members import, empty.
    new_attendances: list[tuple[str, EventRef]] = field(default_factory=list)
    # (email, event) pairs of senior leaders invited to the event as guests: recorded as guests
    # who came, never made members.
    guest_attendances: list[tuple[str, EventRef]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {action: counts[action] for action in (CREATE, MATCH, REJECT)}

    @property
    def summary(self) -> str:
        """E.g. "3 created, 5 matched, 1 rejected"."""
        return ", ".join(f"{count} {PAST_TENSE[action]}" for action, count in self.totals.items())

    @property
    def changes_anything(self) -> bool:
        return any(
            (
                self.new_organisations,
                self.new_members,
                self.new_events,
                self.new_attendances,
                self.guest_attendances,
            )
        )


def _pick(row: dict, names) -> Cell:
    for name in names:
        value = row.get(name, "")
        if value != "":
            return value
    return ""


def _has_column(rows: Rows, names) -> bool:
    return any(name in row for _, row in rows[:1] for name in names)


def _email_problem(email: str) -> str | None:
    if not email:
        return "no email address"
    try:
        validate_email(email)
    except ValidationError:
        return "the email address is not valid"
    if len(email) > User._meta.get_field("email").max_length:
        return "the email address is too long"
    return None


def members_by_email(emails) -> dict[str, User]:
    """The members with these (lower-case) email addresses, by address, whatever their case."""
    found = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=set(emails))
    return {user.email_lower: user for user in found}


def _too_long(**values) -> str | None:
    for name, (value, limit) in values.items():
        if value and len(value) > limit:
            return f"the {name} is longer than {limit} characters"
    return None


def plan_members(rows: Rows) -> Plan:
    """Plan a members import. Columns: Email, First name, Last name (or Name), Organisation,
    Role, Joined; others are ignored.

    - The email is lower-cased and must be valid, or the row is rejected.
    - A member who already has that email (in any case) is matched and left as they are:
      what they have said about themselves wins over an old spreadsheet. So is a second row
      for the same email.
    - Otherwise the member is created. A blank organisation (or "n/a", "none", "-") means
      "not stated"; any other is matched to an existing organisation ignoring case and
      spacing, or created once however many rows name it. Role becomes the job role; Joined
      (see `parse_date`) the joining date, at midnight UK time. An unreadable or future
      joining date rejects the row."""
    plan = Plan(kind="members")
    if rows and not _has_column(rows, MEMBER_COLUMNS["email"]):
        raise ImportFileError("The file has no Email column, so no row can be matched to a member.")
    emails = [str(_pick(row, MEMBER_COLUMNS["email"])).lower() for _, row in rows]
    existing = members_by_email(emails)
    organisations = {header_key(o.name): o.name for o in Organisation.objects.all()}
    new_organisations: dict[str, str] = {}
    seen: dict[str, int] = {}
    name_limit = User._meta.get_field("name").max_length
    role_limit = User._meta.get_field("job_role").max_length
    organisation_limit = Organisation._meta.get_field("name").max_length
    today = _today()

    for (line, row), email in zip(rows, emails, strict=True):
        if problem := _email_problem(email):
            plan.rows.append(RowOutcome(line, REJECT, email, problem))
            continue
        name = normalise_space(str(_pick(row, MEMBER_COLUMNS["name"])))
        if not name:
            first, last = (_pick(row, MEMBER_COLUMNS[part]) for part in ("first_name", "last_name"))
            name = normalise_space(f"{first} {last}")
        who = f"{name} <{email}>" if name else email
        joined = None
        if (joined_cell := _pick(row, MEMBER_COLUMNS["joined"])) != "":
            try:
                joined = parse_date(joined_cell)
            except ValueError as error:
                plan.rows.append(RowOutcome(line, REJECT, who, str(error)))
                continue
            if joined > today:
                plan.rows.append(RowOutcome(line, REJECT, who, "the joining date is in the future"))
                continue
        if email in seen:
            plan.rows.append(RowOutcome(line, MATCH, who, f"also on line {seen[email]}"))
            continue
        if email in existing:
            plan.rows.append(RowOutcome(line, MATCH, who, "already a member: left as they are"))
            seen[email] = line
            continue
        organisation = normalise_space(str(_pick(row, MEMBER_COLUMNS["organisation"])))
        job_role = normalise_space(str(_pick(row, MEMBER_COLUMNS["job_role"])))
        if problem := _too_long(
            name=(name, name_limit),
            role=(job_role, role_limit),
            organisation=(organisation, organisation_limit),
        ):
            plan.rows.append(RowOutcome(line, REJECT, who, problem))
            continue
        reason = ""
        if organisation.casefold() in NOT_STATED:
            organisation = None
        elif (key := header_key(organisation)) in organisations:
            organisation = organisations[key]
        elif key in new_organisations:
            organisation = new_organisations[key]
        else:
            new_organisations[key] = organisation
            plan.new_organisations.append(organisation)
            reason = "new organisation"
        plan.new_members.append(
            NewMember(
                email=email, name=name, organisation=organisation, job_role=job_role, joined=joined
            )
        )
        what = f"{who}, {organisation or 'organisation not stated'}"
        plan.rows.append(RowOutcome(line, CREATE, what, reason))
        seen[email] = line
    return plan


def events_on(day: datetime.date, cache: dict) -> dict:
    """The events starting on this UK calendar date, by normalised title: the earliest one
    that is not cancelled wins when two share a title."""
    if day not in cache:
        start, end = _day_bounds(day)
        events = Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
        ordered = sorted(
            events, key=lambda e: (e.status == Event.Status.CANCELLED, e.starts_at, e.pk)
        )
        cache[day] = {}
        for event in ordered:
            cache[day].setdefault(normalise_space(event.title).casefold(), event)
    return cache[day]


def plan_attendance(
    rows: Rows,
    event_title: str | None = None,
    event_date: datetime.date | None = None,
    *,
    source: str = "table",
    may_see_caucus: bool = True,
) -> Plan:
    """Plan an attendance import. Columns: Email, Name, Event title, Event date (Teams and
    Zoom files give theirs through `read_register`). `event_title` and `event_date`, when
    given, are used for every row instead of the file's.

    - A row without a valid email, a title or a readable date (see `parse_date`), or dated in
      the future, is rejected.
    - The event is the one that starts on that UK calendar date with that title, ignoring case
      and spacing; if there is none, a past webinar is created for it (once).
    - The member is the one with that email, in any case; if there is none, they are created
      as an imported member (see `selectors.accounts.member_is_imported`) with the row's name.
    - A person already recorded at the event, or named twice for it, is matched: each person
      counts once per event.
    - At a caucus session only members of its caucus are recorded; everyone else is rejected.
      Without `may_see_caucus` (an organiser not trusted with caucus choices) every row for a
      caucus session is rejected with the same reason, so the plan reveals nothing of who is
      in the caucus or already recorded."""
    plan = Plan(kind="attendance", source=source)
    if event_title is None and rows and not _has_column(rows, ATTENDANCE_COLUMNS["event_title"]):
        raise ImportFileError(
            "The file does not say which event it is for: give the event's title (and date)."
        )
    if event_date is None and rows and not _has_column(rows, ATTENDANCE_COLUMNS["event_date"]):
        raise ImportFileError("The file does not say the event's date: give it.")
    if rows and not _has_column(rows, ATTENDANCE_COLUMNS["email"]):
        raise ImportFileError("The file has no Email column, so nobody in it can be matched.")
    emails = [str(_pick(row, ATTENDANCE_COLUMNS["email"])).lower() for _, row in rows]
    members = members_by_email(emails)
    events_cache: dict = {}
    planned: list[tuple[int, str, str, EventRef, object]] = []
    name_limit = User._meta.get_field("name").max_length
    title_limit = Event._meta.get_field("title").max_length
    today = _today()

    for (line, row), email in zip(rows, emails, strict=True):
        name = normalise_space(str(_pick(row, ATTENDANCE_COLUMNS["name"])))
        who = f"{name} <{email}>" if name and email else (email or name)
        if problem := _email_problem(email):
            plan.rows.append(RowOutcome(line, REJECT, who, problem))
            continue
        title = normalise_space(event_title or str(_pick(row, ATTENDANCE_COLUMNS["event_title"])))
        if not title:
            plan.rows.append(RowOutcome(line, REJECT, who, "no event title"))
            continue
        if len(title) > title_limit or len(name) > name_limit:
            plan.rows.append(RowOutcome(line, REJECT, who, "the name or event title is too long"))
            continue
        day = event_date
        if day is None:
            cell = _pick(row, ATTENDANCE_COLUMNS["event_date"])
            try:
                day = parse_date(cell)
            except ValueError as error:
                reason = str(error) if cell != "" else "no event date"
                plan.rows.append(RowOutcome(line, REJECT, who, reason))
                continue
        if day > today:
            plan.rows.append(RowOutcome(line, REJECT, who, "the event date is in the future"))
            continue
        ref = EventRef(title=title, date=day)
        event = events_on(day, events_cache).get(ref.key[1])
        planned.append((line, email, name, ref, event))

    existing_attendance = _existing_attendance(planned, members)
    guests = _invited_guests(planned, members)
    new_events: dict[tuple, EventRef] = {}
    new_members: dict[str, NewMember] = {}
    seen: dict[tuple, int] = {}
    for line, email, name, ref, event in planned:
        if event is None:
            ref = new_events.get(ref.key, ref)  # the first spelling of a new event's title
        person = f"{name} <{email}>" if name else email
        who = f"{person} at “{event.title if event else ref.title}” on {_long_date(ref.date)}"
        pair = (email, ref.key)
        if pair in seen:
            plan.rows.append(RowOutcome(line, MATCH, who, f"also on line {seen[pair]}"))
            continue
        seen[pair] = line
        member = members.get(email)
        if event is not None and event.caucus_id is not None:
            if not may_see_caucus:
                plan.rows.append(RowOutcome(line, REJECT, who, CAUCUS_SESSION_REFUSED))
                continue
            if member is None or not caucus_allows(event=event, member=member):
                plan.rows.append(RowOutcome(line, REJECT, who, NOT_IN_CAUCUS))
                continue
        if event is not None and member is None and (event.pk, email) in guests:
            if guests[(event.pk, email)]:
                plan.rows.append(RowOutcome(line, MATCH, who, "a guest, already recorded"))
            else:
                plan.guest_attendances.append((email, ref))
                plan.rows.append(RowOutcome(line, CREATE, who, GUEST_NOTE))
            continue
        if event and member and (event.pk, member.pk) in existing_attendance:
            plan.rows.append(RowOutcome(line, MATCH, who, "already recorded"))
            continue
        notes = []
        if member is None and email not in new_members:
            new_members[email] = NewMember(email=email, name=name)
            notes.append("new member")
        if event is None and ref.key not in new_events:
            new_events[ref.key] = ref
            notes.append("new event")
        plan.new_attendances.append((email, ref))
        plan.rows.append(RowOutcome(line, CREATE, who, ", ".join(notes)))
    plan.rows.sort(key=lambda row: row.line)
    plan.new_members = list(new_members.values())
    plan.new_events = list(new_events.values())
    return plan


GUEST_NOTE = "an invited guest: recorded as a guest who came, not as a member"


def _invited_guests(planned, members) -> dict[tuple[int, str], bool]:
    """(event id, email) of the guests invited to the planned events whose email is no
    member's, and whether each is already recorded as having come."""
    event_ids = {event.pk for *_, event in planned if event is not None}
    emails = {email for _, email, *_ in planned if email not in members}
    if not event_ids or not emails:
        return {}
    rows = (
        Guest.objects.annotate(address=Lower("email"))
        .filter(event_id__in=event_ids, address__in=emails, withdrawn_at__isnull=True)
        .values_list("event_id", "address", "attended")
    )
    return {(event_id, address): attended for event_id, address, attended in rows}


def _existing_attendance(planned, members) -> set[tuple[int, int]]:
    event_ids = {event.pk for *_, event in planned if event is not None}
    member_ids = {member.pk for member in members.values()}
    if not event_ids or not member_ids:
        return set()
    return set(
        Attendance.objects.filter(event_id__in=event_ids, member_id__in=member_ids).values_list(
            "event_id", "member_id"
        )
    )


CAUCUS_SESSION_REFUSED = (
    "a caucus session: its attendance can be imported only by organisers who may see caucus choices"
)
NOT_IN_CAUCUS = "not a member of this caucus session's caucus, so not recorded at it"


def plan_file(
    source,
    filename: str,
    *,
    kind: str,
    event_title: str | None = None,
    event_date: datetime.date | None = None,
    may_see_caucus: bool = True,
) -> Plan:
    """Read a file and plan its import: what both the commands and the upload page do."""
    if kind == "members":
        _, rows = read_table(source, filename)
        return plan_members(rows)
    if kind == "attendance":
        register = read_register(source, filename)
        return plan_attendance(
            register.rows,
            event_title=event_title or register.title,
            event_date=event_date or register.date,
            source=register.source,
            may_see_caucus=may_see_caucus,
        )
    raise ValueError(f"Unknown kind of import: {kind}")


def imported_members_waiting():
    """Members imported who have not claimed their record yet, newest first."""
    return (
        User.objects.filter(unclaimed_members(), is_active=True)
        .select_related("organisation")
        .order_by("-date_joined", "pk")
    )
