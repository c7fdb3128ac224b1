"""Importing the CoP's existing spreadsheets: member lists and attendance registers.

Three steps, kept apart so that a dry run shows exactly what a real run would do:

1. Reading: `read_grid` and `read_table` read CSV, TSV, UTF-16 text (as Microsoft Teams writes
   it) and Excel workbooks (.xlsx), recognising the format by content, never by file name.
   `read_register` also understands Teams attendance reports and Zoom participant exports.
2. Planning: `plan_members` and `plan_attendance` say what each row would do ("create",
   "match" or "reject", with the reason), reading the database but writing nothing.
3. Applying: `apply` writes a plan in one transaction through the members services. Everything
   it creates is looked up first, so the same file imported twice creates nothing the second
   time: its plan shows only "match" rows (and the same "reject" ones).
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from cop_portal.web.time import LONDON
from events.models import Attendance, Event
from events.services import caucus_allows

from . import services
from .emails import member_has_claimed
from .models import Organisation, User

# The CoP meets in the UK: calendar dates, joining dates and imported events are UK time.
CREATE, MATCH, REJECT = "create", "match", "reject"
PAST_TENSE = {CREATE: "created", MATCH: "matched", REJECT: "rejected"}
PLAN_LABELS = {CREATE: "Create", MATCH: "Match", REJECT: "Reject"}
FORMATS_TEXT = (
    "a CSV file, tab-separated text (such as a Microsoft Teams attendance report), "
    "a Zoom participants export or an Excel workbook (.xlsx)"
)
OLD_TEAMS_FORMAT = (
    "This is the older Teams attendance list (Full Name, User Action, Timestamp), which has "
    "no email addresses, so nobody in it can be matched to a member. In Teams, download the "
    "attendance report from the meeting's Attendance tab instead."
)
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


class ImportFileError(Exception):
    """The file as a whole cannot be imported. The message is for the person importing it."""


# Limits on what one file may hold, however small it is on disk: an .xlsx of 1.5 KB can claim a
# sheet of 100,000 × 1,000 cells, or unzip to gigabytes. A national CoP's roster or a year of
# attendance is a few thousand rows of a dozen columns, far inside these.
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELLS = 500_000
# The parts of a workbook, unzipped, together (openpyxl holds the shared strings in memory).
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


def _too_big(name: str, what: str) -> ImportFileError:
    return ImportFileError(
        f"{name} is too large to import: {what}. Imports take up to {MAX_ROWS:,} rows and "
        f"{MAX_COLUMNS} columns; split the file, or remove empty rows and columns, and try again."
    )


class _Limits:
    """Counts rows and cells as a grid is read, and stops the read as soon as one is over."""

    def __init__(self, name: str):
        self.name, self.rows, self.cells = name, 0, 0

    def row(self, cells: list) -> list:
        while cells and cells[-1] == "":
            cells.pop()  # trailing empty cells: padding, not data
        self.rows += 1
        self.cells += len(cells)
        if self.rows > MAX_ROWS:
            raise _too_big(self.name, f"it has more than {MAX_ROWS:,} rows")
        if len(cells) > MAX_COLUMNS:
            raise _too_big(self.name, f"row {self.rows} has more than {MAX_COLUMNS} columns")
        if self.cells > MAX_CELLS:
            raise _too_big(self.name, f"it holds more than {MAX_CELLS:,} cells")
        return cells


# Reading ---------------------------------------------------------------------------------------

type Cell = str | datetime.date | datetime.datetime
type Grid = list[tuple[int, list[Cell]]]
type Rows = list[tuple[int, dict[str, Cell]]]


def header_key(value) -> str:
    """A column name as it is matched: spaces trimmed and collapsed, case ignored."""
    return " ".join(str(value).split()).casefold()


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def _read_bytes(source) -> bytes:
    if isinstance(source, str | Path):
        try:
            return Path(source).read_bytes()
        except OSError as error:
            raise ImportFileError(f"Cannot read {source}: {error.strerror}.") from error
    if hasattr(source, "seek"):
        source.seek(0)
    data = b"".join(source.chunks()) if hasattr(source, "chunks") else source.read()
    return data.encode() if isinstance(data, str) else data


def read_grid(source, filename: str = "") -> Grid:
    """Every row of the file as (line number, cells), blank rows included.

    `source` is a path or an open binary file (such as an upload); `filename` is used only in
    messages. What the file is comes from its content: a zip holding a workbook is read with
    openpyxl (first sheet, values only, dates as datetime objects); anything else must be text:
    UTF-16 when it starts with a UTF-16 byte-order mark (Teams), otherwise UTF-8 with or without
    a BOM, falling back to Windows-1252 (what older Excel saves as "CSV"). The separator is a
    tab when at least as many of the first lines hold a tab as hold a comma, else a comma
    (a semicolon when neither appears). Text cells are stripped of surrounding spaces; the line
    number of a row is the line it starts on, counting from 1."""
    data = _read_bytes(source)
    name = filename or (Path(source).name if isinstance(source, str | Path) else "The file")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_grid(data, name)
    return _text_grid(_decode(data, name), name)


def _not_readable(name: str) -> ImportFileError:
    return ImportFileError(f"{name} is not a file this import can read: use {FORMATS_TEXT}.")


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_readable(name) from error
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        raise _not_readable(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise _not_readable(name) from error
    # Control characters other than tab and line ends mean the bytes were never text.
    if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
        raise _not_readable(name)
    return text


def _delimiter(text: str) -> str:
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    tabs = sum("\t" in line for line in sample)
    commas = sum("," in line for line in sample)
    if tabs and tabs >= commas:
        return "\t"
    if not commas and any(";" in line for line in sample):
        return ";"
    return ","


def _text_grid(text: str, name: str) -> Grid:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    grid, line, limits = [], 1, _Limits(name)
    try:
        for cells in reader:
            grid.append((line, limits.row([cell.strip() for cell in cells])))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            f"{name} cannot be read as a table (line {line}: {error})."
        ) from error
    return grid


def _xlsx_cell(value) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime.date):  # datetime is a date too
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_grid(data: bytes, name: str) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _not_readable(name) from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _too_big(name, "it unzips to more than 50 MB")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _not_readable(name) from error
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        # The size the sheet says it has: openpyxl would pad every row to it.
        claimed_rows, claimed_columns = sheet.max_row or 0, sheet.max_column or 0
        if claimed_rows > MAX_ROWS or claimed_columns > MAX_COLUMNS:
            raise _too_big(
                name, f"its sheet is {claimed_rows:,} rows by {claimed_columns:,} columns"
            )
        # Then read what it holds, never more than one column past the limit (enough to tell a
        # sheet that is too wide) and with no padding to a stated size.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        limits = _Limits(name)
        return [
            (number, limits.row([_xlsx_cell(v) for v in row])) for number, row in enumerate(rows, 1)
        ]
    finally:
        workbook.close()


def _is_blank(cells) -> bool:
    return all(cell == "" for cell in cells)


def _table(grid: Grid, start: int = 0, *, stop_at_blank: bool = False):
    """The first non-blank row at or after `start` as the header, and the rows under it."""
    index = start
    while index < len(grid) and _is_blank(grid[index][1]):
        index += 1
    if index == len(grid):
        return [], []
    header = [header_key(cell) for cell in grid[index][1]]
    rows = []
    for line, cells in grid[index + 1 :]:
        if _is_blank(cells):
            if stop_at_blank:
                break
            continue
        row = {}
        for position, key in enumerate(header):
            if key and key not in row:
                row[key] = cells[position] if position < len(cells) else ""
        rows.append((line, row))
    return header, rows


def read_table(source, filename: str = "") -> tuple[list[str], Rows]:
    """The header (as `header_key` gives it) and the rows under it, as (line number, {column:
    value}). The header is the first non-blank row; blank rows are skipped; columns without a
    name are ignored; a row shorter than the header gets "" for the missing cells."""
    return _table(read_grid(source, filename))


# Dates -----------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?.*)?")
# A date followed by a 12-hour time: the US stamps of Teams ("4/18/24, 1:58:07 PM") and Zoom
# ("04/18/2024 01:58:07 PM"). These, and only these, are read month first.
_US_STAMP = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}),? +\d{1,2}:\d{2}(?::\d{2})? *[ap]\.?m\.?", re.IGNORECASE
)
# Everything else with slashes is UK order, optionally followed by a 24-hour time (a Teams
# report exported on a UK machine reads "18/04/2024, 13:58:07").
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:,? +\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_IN_WORDS = ("%d %B %Y", "%d %b %Y")


def parse_date(value) -> datetime.date:
    """The calendar date a cell stands for. Raises ValueError with a message for the row.

    Rules, in order:
    - a date or datetime (Excel cells) is used as it is; an aware datetime is first turned
      into UK time;
    - `2024-04-18`, with or without a time after it;
    - a US stamp, i.e. a date followed by a 12-hour time with AM/PM, as Teams writes it on a
      US machine (`4/18/24, 1:58:07 PM`) and Zoom writes it (`04/18/2024 01:58:07 PM`): month
      first;
    - any other date with slashes is day first, the UK order: `18/04/2024`, `18/04/24`,
      `18/04/2024, 13:58:07`. A US date such as `4/18/2024` is never guessed: there is no
      month 18, so the row is rejected;
    - `18 April 2024` or `18 Apr 2024`.
    Two-digit years are in this century."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(LONDON).date() if value.tzinfo else value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalise_space(str(value))
    if not text:
        raise ValueError("no date")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(text, year, month, day, day_first=False)
    if match := _US_STAMP.fullmatch(text):
        month, day, year = (int(part) for part in match.groups())
        return _date(text, year, month, day, day_first=False)
    if match := _UK_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _date(text, year, month, day, day_first=True)
    for pattern in _DATE_IN_WORDS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        f"“{text}” is not a date this import can read: write it as 2024-04-18 or 18/04/2024"
    )


def _date(text: str, year: int, month: int, day: int, *, day_first: bool) -> datetime.date:
    if year < 100:
        year += 2000
    if day_first and month > 12 and day <= 12:
        raise ValueError(
            f"“{text}” is not a date: dates are read day first, so this would be month {month} "
            f"(did you mean {month:02}/{day:02}/{year}?)"
        )
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"“{text}” is not a date ({error})") from error


def _today() -> datetime.date:
    return datetime.datetime.now(LONDON).date()


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, LONDON)
    return start, end


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


# Attendance registers: plain tables, Teams reports and Zoom exports ------------------------------


@dataclass(frozen=True)
class Register:
    """An attendance file as read: its rows, and the meeting's title and date when the file
    itself says them (Teams and Zoom)."""

    rows: Rows
    source: str
    title: str | None = None
    date: datetime.date | None = None


def _keys(cells) -> list[str]:
    return [header_key(cell) for cell in cells]


def _find_row(grid: Grid, wanted, *, start: int = 0) -> int | None:
    for index in range(start, len(grid)):
        if wanted(set(_keys(grid[index][1]))):
            return index
    return None


def _first_non_blank(grid: Grid) -> int | None:
    return next((i for i, (_, cells) in enumerate(grid) if not _is_blank(cells)), None)


def _lenient_date(value) -> datetime.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


def read_register(source, filename: str = "") -> Register:
    """Read an attendance file, recognising by its content:

    - a Microsoft Teams attendance report (UTF-16, tab-separated): a "1. Summary" block of
      `label<TAB>value` lines, where "Meeting title" and "Start time" give the event, then
      "2. Participants" with the header `Name, First Join, Last Leave, In-Meeting Duration,
      Email, Participant ID (UPN), Role`. Later sections are not read;
    - the older Teams list (`Full Name, User Action, Timestamp`), refused: it has no emails;
    - a Zoom participants export: `Name (Original Name), User Email, Join Time, ...`, and in
      its meeting-details variant a first block `Topic, ID, Start Time, ...` with one row that
      gives the event's title and date. Without that block the date is the first Join Time;
    - otherwise a plain table with Email, Name, Event title and Event date columns."""
    grid = read_grid(source, filename)
    first = _first_non_blank(grid)
    if first is None:
        return Register(rows=[], source="table")
    first_keys = _keys(grid[first][1])
    if first_keys[:3] == ["full name", "user action", "timestamp"]:
        raise ImportFileError(OLD_TEAMS_FORMAT)
    participants = _find_row(grid, lambda keys: {"name", "email", "first join"} <= keys)
    if participants is not None:
        return _teams_register(grid, participants)
    if "topic" in first_keys and "start time" in first_keys:
        return _zoom_register(grid, first, details=True)
    if "join time" in first_keys and ({"user email", "email"} & set(first_keys)):
        return _zoom_register(grid, first, details=False)
    _, rows = _table(grid, first)
    return Register(rows=rows, source="table")


_SECTION = re.compile(r"\d+\. ")
# Teams marks some people's names: "Ada Lovelace (Guest)". The member's name is without it.
_TEAMS_NAME_NOTE = re.compile(r"\s*\((?:guest|external|unverified)\)$", re.IGNORECASE)


def _teams_register(grid: Grid, header_index: int) -> Register:
    summary = {}
    for _, cells in grid[:header_index]:
        if len(cells) >= 2 and cells[0] != "":
            summary.setdefault(header_key(cells[0]), cells[1])
    _, table = _table(grid, header_index, stop_at_blank=True)
    rows = []
    for line, row in table:
        name = str(row.get("name", ""))
        if _SECTION.match(name) and not row.get("email"):
            break  # "3. In-Meeting Activities" even without a blank line before it
        rows.append((line, {**row, "name": _TEAMS_NAME_NOTE.sub("", name)}))
    title = summary.get("meeting title") or summary.get("title") or None
    start = summary.get("start time") or summary.get("meeting start time")
    return Register(
        rows=rows,
        source="Microsoft Teams attendance report",
        title=normalise_space(str(title)) if title else None,
        date=_lenient_date(start),
    )


_ZOOM_ORIGINAL_NAME = re.compile(r"\s*\([^()]*\)$")


def _zoom_register(grid: Grid, first: int, *, details: bool) -> Register:
    title = date = None
    start = first
    if details:
        _, meeting = _table(grid, first, stop_at_blank=True)
        if meeting:
            title = normalise_space(str(meeting[0][1].get("topic", ""))) or None
            date = _lenient_date(meeting[0][1].get("start time"))
        start = _find_row(
            grid,
            lambda keys: "join time" in keys and bool({"user email", "email"} & keys),
            start=first + 1,
        )
        if start is None:
            raise ImportFileError(
                "This Zoom export has the meeting's details but no list of participants: "
                "export the participants with it."
            )
    _, table = _table(grid, start)
    rows = []
    for line, row in table:
        if "name (original name)" in row:
            # "Ade Bello (Ade B)" is Ade Bello, who joined as "Ade B".
            row = {**row, "name": _ZOOM_ORIGINAL_NAME.sub("", str(row["name (original name)"]))}
        rows.append((line, row))
    if date is None and rows:
        date = _lenient_date(rows[0][1].get("join time"))
    return Register(rows=rows, source="Zoom participants export", title=title, date=date)


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
            (self.new_organisations, self.new_members, self.new_events, self.new_attendances)
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


def _existing_members(emails) -> dict[str, User]:
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
    existing = _existing_members(emails)
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


def _events_on(day: datetime.date, cache: dict) -> dict:
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
      as an imported member (see `member_is_imported`) with the row's name.
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
    members = _existing_members(emails)
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
        event = _events_on(day, events_cache).get(ref.key[1])
        planned.append((line, email, name, ref, event))

    existing_attendance = _existing_attendance(planned, members)
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


# Applying --------------------------------------------------------------------------------------


@transaction.atomic
def apply(plan: Plan, *, recorded_by=None) -> dict[str, int]:
    """Write a plan, all of it or nothing. Whatever already exists by now (someone else's
    import, a member who signed up meanwhile) is used rather than created again.

    Returns how many organisations, members, events and attendances were created."""
    created = Counter()
    organisations: dict[str, Organisation] = {}

    def organisation_for(name: str | None) -> Organisation | None:
        if name is None:
            return None
        key = header_key(name)
        if key not in organisations:
            organisations[key], made = services.organisation_get_or_create(name=name)
            created["organisations"] += made
        return organisations[key]

    for name in plan.new_organisations:
        organisation_for(name)
    members = _existing_members(new.email for new in plan.new_members)
    for new in plan.new_members:
        if new.email in members:
            continue
        members[new.email] = services.member_import_create(
            email=new.email,
            name=new.name,
            organisation=organisation_for(new.organisation),
            job_role=new.job_role,
            joined=new.joined,
        )
        created["members"] += 1

    events: dict[tuple, object] = {}
    cache: dict = {}
    for ref in plan.new_events:
        event = _events_on(ref.date, cache).get(ref.key[1])
        if event is None:
            event = services.imported_event_create(title=ref.title, day=ref.date)
            created["events"] += 1
        events[ref.key] = event
    members |= _existing_members(email for email, _ in plan.new_attendances if email not in members)
    for email, ref in plan.new_attendances:
        event = events.get(ref.key) or _events_on(ref.date, cache).get(ref.key[1])
        if event is None:  # deleted since the plan was made
            event = events[ref.key] = services.imported_event_create(title=ref.title, day=ref.date)
            created["events"] += 1
        _, made = services.attendance_import_record(
            event=event, member=members[email], recorded_by=recorded_by
        )
        created["attendances"] += made
    return {name: created[name] for name in ("organisations", "members", "events", "attendances")}


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


# Imported members ------------------------------------------------------------------------------


def member_is_imported(user: User) -> bool:
    """Imported from a spreadsheet and not yet signed up: no password they could use and no
    email address of their own in allauth. (Everyone who signs up, by password or by Microsoft,
    gets an allauth EmailAddress.)"""
    return not member_has_claimed(user)


def imported_member_for_email(email: str) -> User | None:
    """The imported member who would take over their record by signing up with this email:
    only when they are the one user with it, and no other account has claimed it."""
    users = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(users) != 1 or not member_is_imported(users[0]):
        return None
    if EmailAddress.objects.filter(email__iexact=email.strip()).exists():
        return None
    return users[0]
