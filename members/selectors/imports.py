"""Planning an import of the CoP's spreadsheets: what each row of a member list or an
attendance register would do ("create", "match" or "reject", with the reason), reading the
database but writing nothing, so that a dry run shows exactly what a real run would do. What a
plan creates is looked up first, so the same file imported twice creates nothing the second
time: its plan shows only "match" rows (and the same "reject" ones).

members/spreadsheets.py reads the files; members/services/imports.py writes a plan."""

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone

from cop_portal.web.time import LONDON
from events.models import Attendance, Event, Guest
from events.services import caucus_allows

from ..models import Organisation, User
from ..spreadsheets import (
    ATTENDANCE_FILES_TEXT,
    DATE_ORDERS,
    DAY_FIRST,
    MONTH_FIRST,
    Cell,
    ImportFileError,
    Register,
    Rows,
    date_order_in,
    dates_are_ambiguous,
    header_key,
    normalise_space,
    parse_date,
    read_register,
    read_stamp,
    read_table,
)
from .accounts import unclaimed_members

CREATE, MATCH, REJECT, SKIP = "create", "match", "reject", "skip"
ACTIONS = (CREATE, MATCH, REJECT, SKIP)
# What a row did, and (before anything is saved) what it would do: a members import creates
# people, an attendance import adds them to a session.
DONE = {
    "members": {CREATE: "created", MATCH: "matched", REJECT: "rejected", SKIP: "not counted"},
    "attendance": {CREATE: "added", MATCH: "matched", REJECT: "not imported", SKIP: "not counted"},
}
WOULD = {
    "members": {
        CREATE: "would create", MATCH: "matched", REJECT: "rejected", SKIP: "not counted"
    },
    "attendance": {
        CREATE: "would add", MATCH: "already there", REJECT: "not imported", SKIP: "not counted"
    },
}  # fmt: skip

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
    """What one row of the file does. `what` names the thing; `reason` says why; `minutes`
    is the time in the session an attendance file gives the person (None when it does not)."""

    line: int
    action: str
    what: str
    reason: str = ""
    kind: str = "members"
    minutes: int | None = None

    @property
    def outcome(self) -> str:
        return DONE[self.kind][self.action]

    @property
    def label(self) -> str:
        """The outcome as a plan shows it, before anything is saved ("Would add")."""
        return WOULD[self.kind][self.action].capitalize()

    def describe(self, *, dry_run: bool = False) -> str:
        """One line for the command's output, e.g. "line 7: rejected – the email address is
        not valid", or in a dry run "line 2: would create – Ada Lovelace
        <ada@example.org>, Riverside NHS Trust (new organisation)"."""
        if self.action in (REJECT, SKIP):
            text = self.reason
        else:
            text = f"{self.what} ({self.reason})" if self.reason else self.what
        outcome = WOULD[self.kind][self.action] if dry_run else self.outcome
        return f"line {self.line}: {outcome} – {text}"


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


@dataclass(frozen=True)
class SessionOption:
    """A session the organiser may pick for an attendance file: `value` is the event's id, or
    NEW_SESSION for a new past session made from the file."""

    value: str
    label: str


@dataclass(frozen=True)
class NameMatch:
    """A member whose name is the same as a row's that has no email, for the organiser to
    confirm. Only what organisers already see of members is shown: name and organisation."""

    member_id: int
    label: str


@dataclass
class Plan:
    """What importing a file would do, computed without writing anything. An attendance plan
    also says what the organiser must still choose before it can be imported (`ready`)."""

    kind: str
    source: str = "table"
    rows: list[RowOutcome] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_members: list[NewMember] = field(default_factory=list)
    new_events: list[EventRef] = field(default_factory=list)
    # (member, event) pairs to record, the member by email (str) or id (int, matched by
    # name), the event by id or, for the new session, its EventRef; for members, empty.
    new_attendances: list[tuple[str | int, int | EventRef]] = field(default_factory=list)
    # (email, event id) of senior leaders invited to the session as guests: recorded as guests
    # who came, never made members.
    guest_attendances: list[tuple[str, int]] = field(default_factory=list)
    # Attendance only: the file's one meeting, and the organiser's choices about it.
    one_meeting: bool = False
    file_title: str | None = None
    file_date: datetime.date | None = None
    session: object = None  # the Event chosen, when it exists
    session_chosen: str = ""
    session_options: list[SessionOption] = field(default_factory=list)
    date_order: str | None = None
    date_order_asked: bool = False
    minimum_minutes: int = 0
    name_matches: dict[int, list[NameMatch]] = field(default_factory=dict)
    name_matches_chosen: dict[int, int] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {action: counts[action] for action in ACTIONS}

    def summary_text(self, *, dry_run: bool = False) -> str:
        """E.g. "3 created, 5 matched, 1 rejected", or for a dry run of attendance "3 would
        add, 5 already there, 1 not imported, 2 not counted" (not counted only when any)."""
        words = WOULD[self.kind] if dry_run else DONE[self.kind]
        return ", ".join(
            f"{count} {words[action]}"
            for action, count in self.totals.items()
            if count or action != SKIP
        )

    @property
    def summary(self) -> str:
        return self.summary_text()

    @property
    def needs_session(self) -> bool:
        return self.kind == "attendance" and self.one_meeting and not self.session_chosen

    @property
    def needs_date_order(self) -> bool:
        return self.date_order_asked and self.date_order is None

    @property
    def session_label(self) -> str:
        """The session chosen, as the plan shows it prominently."""
        if self.new_events:
            return f"{self.new_events[0]}, 12:00 to 13:00"
        return _session_label(self.session) if self.session is not None else ""

    @property
    def date_order_label(self) -> str:
        return {DAY_FIRST: "day first", MONTH_FIRST: "month first"}.get(self.date_order, "")

    @property
    def file_date_label(self) -> str:
        return _long_date(self.file_date) if self.file_date else ""

    @property
    def ready(self) -> bool:
        """Whether everything the import needs has been chosen."""
        return not (self.needs_session or self.needs_date_order)

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


NEW_SESSION = "new"
DEFAULT_MINIMUM_MINUTES = 10
# How far from the file's date a session is still suggested for it, and how many are.
SUGGEST_WITHIN_DAYS = 7
SUGGESTIONS = 6


@dataclass(frozen=True)
class AttendanceChoices:
    """What the organiser chose about an attendance file. `session` is None before they were
    asked (an existing session of the file's title on its date is then proposed), "" for no
    choice, an event's id as text, or NEW_SESSION. `title` and `date` stand in for the
    file's own (they name a new session and rank the suggestions). `name_matches` maps a
    row's line to the member confirmed for it."""

    session: str | None = None
    date_order: str | None = None
    minimum_minutes: int = DEFAULT_MINIMUM_MINUTES
    name_matches: dict[int, int] = field(default_factory=dict)
    title: str = ""
    date: datetime.date | None = None


def name_key(name: str) -> str:
    """A name as it is matched: accents, case, punctuation and word order ignored, so that
    "Zoë O'Neil", "zoe oneil" and "O'Neil, Zoë" are one name."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w\s]", "", letters.casefold()).split()
    return " ".join(sorted(words))


def _similarity(left: str, right: str) -> float:
    left, right = normalise_space(left).casefold(), normalise_space(right).casefold()
    return SequenceMatcher(None, left, right).ratio() if left and right else 0.0


def _sessions_allowed(may_see_caucus: bool):
    """Sessions attendance can be imported to: started already, not cancelled, and caucus
    sessions only for organisers who may see caucus choices."""
    events = Event.objects.filter(starts_at__lte=timezone.now()).exclude(
        status=Event.Status.CANCELLED
    )
    return events if may_see_caucus else events.filter(caucus__isnull=True)


def _session_label(event) -> str:
    when = event.starts_at.astimezone(LONDON)
    return f"“{event.title}”, {_long_date(when.date())} at {when:%H:%M}"


def _suggest_sessions(title: str, day, may_see_caucus: bool, chosen_id) -> list:
    """Existing sessions for a file, nearest to its date first and then most like its title;
    the chosen one always among them."""
    events = _sessions_allowed(may_see_caucus)
    if day is not None:
        start, _ = _day_bounds(day - datetime.timedelta(days=SUGGEST_WITHIN_DAYS))
        _, end = _day_bounds(day + datetime.timedelta(days=SUGGEST_WITHIN_DAYS))
        nearby = list(events.filter(starts_at__gte=start, starts_at__lt=end))
    else:
        nearby = list(events.order_by("-starts_at")[:100])

    def rank(event):
        similar = -_similarity(title, event.title)
        if day is None:  # by title, then the most recent
            return (similar, -event.starts_at.timestamp(), event.pk)
        days = abs((event.starts_at.astimezone(LONDON).date() - day).days)
        return (days, similar, event.starts_at.timestamp(), event.pk)

    ranked = sorted(nearby, key=rank)[:SUGGESTIONS]
    if chosen_id is not None and chosen_id not in {event.pk for event in ranked}:
        ranked += list(events.filter(pk=chosen_id))
    return ranked


def _merged_minutes(spans) -> float:
    """Minutes covered by (start, end) stays, overlapping or repeated stays counted once."""
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total / 60


def _person_minutes(rows, order) -> int | None:
    """A person's time in the session: their stays merged when the file lists stays, else the
    times the file states added up; None when the file gives neither."""
    spans = []
    for row in rows:
        if row.joined != "" and row.left != "":
            try:
                joined, left = read_stamp(row.joined, order), read_stamp(row.left, order)
            except ValueError:
                continue
            if left >= joined:
                spans.append((joined, left))
    if spans:
        return round(_merged_minutes(spans))
    stated = [row.minutes for row in rows if row.minutes is not None]
    return round(sum(stated)) if stated else None


def _minutes_text(minutes: int) -> str:
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def plan_attendance(
    register: Register,
    choices: AttendanceChoices | None = None,
    *,
    may_see_caucus: bool = True,
) -> Plan:
    """Plan an attendance import: who in the file is recorded at which session.

    - Dates are read in the file's own order, found from all of them (`date_order_in`); when
      every date could be either, the organiser says which (`choices.date_order`).
    - A file of one meeting (Teams, Zoom, or a table without event columns) goes to the
      session the organiser picks among suggestions, or to a new past session if they choose
      that: never one made without asking. A table naming a session on each row goes to the
      sessions it names, which must exist.
    - A person is one email (any case) or, without an email, one name; their time is their
      stays merged. Below `choices.minimum_minutes` they are not counted.
    - The member is the one with that email, or, for a row without one, the member with the
      same name whom the organiser confirmed; a person with an email who is not a member is
      added as an imported member (see `selectors.accounts.member_is_imported`). Nobody
      without an email becomes a member.
    - A person already recorded at the session, or twice in the file, is matched: each person
      counts once per session.
    - At a caucus session only members of its caucus are recorded. Caucus sessions are offered
      only to organisers who may see caucus choices; for others a table row naming one is
      refused with the same reason whoever it names, so nothing of the caucus leaks."""
    choices = choices or AttendanceChoices()
    plan = Plan(
        kind="attendance",
        source=register.source,
        one_meeting=register.one_meeting,
        minimum_minutes=max(choices.minimum_minutes, 0),
    )
    stamps = register.stamps
    plan.date_order = date_order_in(stamps)
    if plan.date_order is None and dates_are_ambiguous(stamps):
        plan.date_order_asked = True
        if choices.date_order in DATE_ORDERS:
            plan.date_order = choices.date_order
    order = plan.date_order
    today = _today()

    if register.one_meeting:
        _choose_session(plan, register, choices, may_see_caucus=may_see_caucus)
    elif not register.attendees:
        pass
    elif not any(row.email or row.name for row in register.attendees):
        raise ImportFileError(
            "The file has no Email or Name column, so nobody in it can be matched."
        )

    emails = [row.email for row in register.attendees if row.email]
    members = members_by_email(emails)
    by_name = _members_by_name_key(register.attendees)
    events_cache: dict = {}
    people: dict[tuple, list] = {}
    name_limit = User._meta.get_field("name").max_length

    for row in register.attendees:
        who = f"{row.name} <{row.email}>" if row.name and row.email else (row.email or row.name)
        if not row.email and not row.name:
            plan.rows.append(_outcome(row.line, REJECT, who, "no email address or name"))
            continue
        if row.email and (problem := _email_problem(row.email)):
            plan.rows.append(_outcome(row.line, REJECT, who, problem))
            continue
        if len(row.name) > name_limit:
            plan.rows.append(_outcome(row.line, REJECT, who, "the name is too long"))
            continue
        if register.one_meeting:
            target = plan.session or (plan.new_events[0] if plan.new_events else None)
        else:
            target = _row_session(plan, row, order, today, events_cache, may_see_caucus, who)
            if target is None:
                continue
        person = row.email or f"name:{name_key(row.name)}"
        key = (person, target.pk if isinstance(target, Event) else None)
        people.setdefault(key, []).append((row, who, target))

    existing = _existing_attendance(people, members, choices.name_matches)
    guests = _invited_guests(people, members)
    for entries in people.values():
        row, who, target = entries[0]
        # Before the organiser says the date order, times are read day first: a stay's length
        # is the same either way unless it crosses midnight.
        minutes = _person_minutes([entry[0] for entry in entries], order or DAY_FIRST)
        for later, later_who, _ in entries[1:]:
            plan.rows.append(
                _outcome(later.line, MATCH, later_who, f"also on line {row.line}", minutes)
            )
        member, reason = _member_for(plan, row, members, by_name, choices)
        if reason is not None and member is None and not row.email:
            plan.rows.append(_outcome(row.line, REJECT, who, reason, minutes))
            continue
        if minutes is not None and minutes < plan.minimum_minutes:
            text = f"not counted: under {_minutes_text(plan.minimum_minutes)}"
            plan.rows.append(_outcome(row.line, SKIP, who, text, minutes))
            continue
        if target is None:  # the session is still to be chosen
            notes = [reason] if reason else []
            notes += ["new member"] if member is None else []
            plan.rows.append(_outcome(row.line, CREATE, who, ", ".join(notes), minutes))
            continue
        event = target if isinstance(target, Event) else None
        if event is not None and event.caucus_id is not None:
            if not may_see_caucus:
                plan.rows.append(_outcome(row.line, REJECT, who, CAUCUS_SESSION_REFUSED, minutes))
                continue
            if member is None or not caucus_allows(event=event, member=member):
                plan.rows.append(_outcome(row.line, REJECT, who, NOT_IN_CAUCUS, minutes))
                continue
        guest = (event.pk, row.email.lower()) if event is not None and row.email else None
        if member is None and guest in guests:
            if guests[guest]:
                plan.rows.append(_outcome(row.line, MATCH, who, GUEST_RECORDED, minutes))
            else:
                plan.guest_attendances.append(guest[::-1])
                plan.rows.append(_outcome(row.line, CREATE, who, GUEST_NOTE, minutes))
            continue
        if event is not None and member is not None and (event.pk, member.pk) in existing:
            plan.rows.append(_outcome(row.line, MATCH, who, "already recorded", minutes))
            continue
        notes = [reason] if reason else []
        if member is None:
            plan.new_members.append(NewMember(email=row.email, name=row.name))
            notes.append("new member")
        member_ref = row.email if member is None or row.email else member.pk
        plan.new_attendances.append((member_ref, event.pk if event is not None else target))
        plan.rows.append(_outcome(row.line, CREATE, who, ", ".join(notes), minutes))
    if plan.needs_session or plan.needs_date_order:
        plan.new_attendances, plan.new_members, plan.guest_attendances = [], [], []
    plan.rows.sort(key=lambda outcome: outcome.line)
    return plan


def _outcome(line, action, who, reason="", minutes=None) -> RowOutcome:
    return RowOutcome(line, action, who, reason, kind="attendance", minutes=minutes)


def _choose_session(plan: Plan, register: Register, choices, *, may_see_caucus: bool) -> None:
    """The session of a one-meeting file: what the organiser chose, else (before they were
    asked) an existing session with the file's title on its date."""
    plan.file_title = normalise_space(choices.title) or register.title
    # A date the organiser typed, within the years any file's dates may have.
    plan.file_date = choices.date if choices.date and 1900 <= choices.date.year <= 2100 else None
    if plan.file_date is None and register.start != "":
        try:
            plan.file_date = read_stamp(register.start, plan.date_order).date()
        except ValueError:
            plan.file_date = None
    chosen = choices.session
    chosen_id = int(chosen) if chosen and chosen.isdigit() else None
    suggestions = _suggest_sessions(
        plan.file_title or "", plan.file_date, may_see_caucus, chosen_id
    )
    plan.session_options = [SessionOption(str(e.pk), _session_label(e)) for e in suggestions]
    exact = None
    if plan.file_title and plan.file_date:
        key = (plan.file_date, normalise_space(plan.file_title).casefold())
        exact = next((e for e in suggestions if _event_key(e) == key), None)
    title_limit = Event._meta.get_field("title").max_length
    can_create = (
        exact is None and plan.file_title and plan.file_date and plan.file_date <= _today()
        and len(plan.file_title) <= title_limit
    )  # fmt: skip
    if can_create:
        new = EventRef(title=plan.file_title, date=plan.file_date)
        plan.session_options.append(
            SessionOption(NEW_SESSION, f"A new past session: {new} (12:00 to 13:00)")
        )
    if chosen in (None, NEW_SESSION) and exact is not None:
        # The session with the file's own title on its date is the file's: proposed before
        # the organiser is asked, and taken rather than made a second time.
        chosen, chosen_id = str(exact.pk), exact.pk
    if chosen == NEW_SESSION and can_create:
        plan.session_chosen = NEW_SESSION
        plan.new_events = [EventRef(title=plan.file_title, date=plan.file_date)]
    elif chosen_id is not None:
        plan.session = next((e for e in suggestions if e.pk == chosen_id), None)
        plan.session_chosen = str(chosen_id) if plan.session else ""


def _event_key(event) -> tuple[datetime.date, str]:
    return (event.starts_at.astimezone(LONDON).date(), normalise_space(event.title).casefold())


def _row_session(plan, row, order, today, events_cache, may_see_caucus, who):
    """The existing session a row of a several-session table names, or None (with the row's
    outcome recorded) when it names none."""
    title = row.event_title
    if not title:
        plan.rows.append(_outcome(row.line, REJECT, who, "no event title"))
        return None
    try:
        day = read_stamp(row.event_date, order).date()
    except ValueError as error:
        reason = str(error) if row.event_date != "" else "no event date"
        if plan.needs_date_order and row.event_date != "":
            reason = "the dates could be day first or month first: choose which above"
        plan.rows.append(_outcome(row.line, REJECT, who, reason))
        return None
    if day > today:
        plan.rows.append(_outcome(row.line, REJECT, who, "the event date is in the future"))
        return None
    event = events_on(day, events_cache).get(normalise_space(title).casefold())
    if event is None or event.status == Event.Status.CANCELLED:
        reason = f"no session “{title}” on {_long_date(day)} in the portal: add it first"
        plan.rows.append(_outcome(row.line, REJECT, who, reason))
        return None
    if event.caucus_id is not None and not may_see_caucus:
        plan.rows.append(_outcome(row.line, REJECT, who, CAUCUS_SESSION_REFUSED))
        return None
    return event


def _members_by_name_key(attendees) -> dict[str, list]:
    """Active members, by `name_key`, whose names are those of rows without an email."""
    wanted = {name_key(row.name) for row in attendees if not row.email and row.name}
    if not wanted:
        return {}
    found: dict[str, list] = {}
    candidates = User.objects.filter(is_active=True).exclude(name="").select_related("organisation")
    for user in candidates.order_by("name", "pk"):
        if (key := name_key(user.name)) in wanted:
            found.setdefault(key, []).append(user)
    return found


def _member_for(plan, row, members, by_name, choices):
    """The member a row is, and a note or the reason it is not imported."""
    if row.email:
        return members.get(row.email), None
    candidates = by_name.get(name_key(row.name), [])
    if not candidates:
        return None, "no email address, and no member has this name"
    plan.name_matches[row.line] = [
        NameMatch(
            member_id=user.pk,
            label=f"{user.name}, {user.organisation or 'organisation not stated'}",
        )
        for user in candidates
    ]
    chosen = choices.name_matches.get(row.line)
    member = next((user for user in candidates if user.pk == chosen), None)
    if member is None:
        return None, "no email address: confirm the member with this name above to import"
    plan.name_matches_chosen[row.line] = member.pk
    return member, "matched by name"


GUEST_NOTE = "an invited guest: recorded as a guest who came, not as a member"
GUEST_RECORDED = "a guest, already recorded"


def _invited_guests(people, members) -> dict[tuple[int, str], bool]:
    """(event id, email) of the guests invited to the file's sessions whose email is no
    member's, and whether each is already recorded as having come."""
    event_ids = {key[1] for key in people if isinstance(key[1], int)}
    emails = {
        row.email.lower()
        for entries in people.values()
        for row, *_ in entries[:1]
        if row.email and row.email.lower() not in members
    }
    if not event_ids or not emails:
        return {}
    rows = (
        Guest.objects.annotate(address=Lower("email"))
        .filter(event_id__in=event_ids, address__in=emails, withdrawn_at__isnull=True)
        .values_list("event_id", "address", "attended")
    )
    return {(event_id, address): attended for event_id, address, attended in rows}


def _existing_attendance(people, members, name_matches) -> set[tuple[int, int]]:
    event_ids = {key[1] for key in people if isinstance(key[1], int)}
    member_ids = {member.pk for member in members.values()} | set(name_matches.values())
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
    choices: AttendanceChoices | None = None,
    may_see_caucus: bool = True,
) -> Plan:
    """Read a file and plan its import: what both the commands and the upload page do."""
    if kind == "members":
        _, rows = read_table(source, filename)
        return plan_members(rows)
    if kind == "attendance":
        register = read_register(source, filename)
        if not register.attendees:
            raise ImportFileError(
                f"{filename or 'The file'} lists nobody who was at a session. "
                f"{ATTENDANCE_FILES_TEXT}"
            )
        return plan_attendance(register, choices, may_see_caucus=may_see_caucus)
    raise ValueError(f"Unknown kind of import: {kind}")


def imported_members_waiting():
    """Members imported who have not claimed their record yet, newest first."""
    return (
        User.objects.filter(unclaimed_members(), is_active=True)
        .select_related("organisation")
        .order_by("-date_joined", "pk")
    )
