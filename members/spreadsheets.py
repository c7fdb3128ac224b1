"""Reading the CoP's existing spreadsheets, the first step of an import (the plan is in
members/selectors/imports.py, the writes in members/services/imports.py):

- `read_grid` and `read_table` read CSV, TSV, UTF-16 text (as Microsoft Teams writes it) and
  Excel workbooks (.xlsx), recognising the format by content, never by file name;
- `parse_date` reads the dates people write in a members list;
- `read_register` reads an attendance file (a plain table, Teams reports of 2020, 2021 and
  now, Zoom meeting, "unique users" and webinar reports) into who was there and when, leaving
  its dates as written: `date_order_in` finds from all of them whether the file writes the day
  or the month first, and `read_stamp` then reads each one.

Nothing here touches the database."""

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cop_portal.web.time import LONDON

FORMATS_TEXT = (
    "a CSV file, tab-separated text (such as a Microsoft Teams attendance report), "
    "a Zoom participants export or an Excel workbook (.xlsx)"
)
# What an attendance import reads, and where each file is downloaded: said whenever a file is
# not one of them, so the organiser knows what to fetch instead.
ATTENDANCE_FILES_TEXT = (
    "Attendance imports read: a Microsoft Teams attendance report (in Teams, open the meeting "
    "in the calendar or its chat, choose Attendance, then Download: .csv or .xlsx; the older "
    "“Meeting Summary” and “Full Name, User Action, Timestamp” downloads are read too); a Zoom "
    "meeting participants report (zoom.us, Reports, Usage, the number in the Participants "
    "column, Export, with or without “Show unique users”); a Zoom webinar attendee report "
    "(zoom.us, Reports, Webinar, Attendee report, Generate, then download the CSV); or a table "
    "with Email and Name columns (and Event title and Event date for several sessions)."
)


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


# Attendance registers -------------------------------------------------------------------------

DAY_FIRST, MONTH_FIRST = "day", "month"
DATE_ORDERS = {
    DAY_FIRST: "Day first: 06/10/2025 is 6 October 2025",
    MONTH_FIRST: "Month first: 06/10/2025 is 10 June 2025",
}

# 18/04/2024, 4/18/24, 18.04.2024, each with an optional time: 13:58, 1:58:07 PM, 14:00:05.
_SLASHED = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})"
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([ap])\.?m\.?)?)?",
    re.IGNORECASE,
)
_ISO_STAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
# Zoom's webinar reports: "Jun 10, 2025 02:00 PM"; others write "10 June 2025 14:00".
_WORDED = (
    "%b %d, %Y %I:%M %p", "%b %d, %Y %I:%M:%S %p", "%b %d, %Y %H:%M", "%b %d, %Y %H:%M:%S",
    "%B %d, %Y %I:%M %p", "%B %d, %Y %I:%M:%S %p", "%b %d, %Y", "%B %d, %Y",
    "%d %B %Y %H:%M", "%d %b %Y %H:%M", "%d %B %Y %H:%M:%S", "%d %b %Y %H:%M:%S",
    "%d %B %Y", "%d %b %Y",
)  # fmt: skip


def _slashed_parts(value) -> tuple[int, int] | None:
    if not isinstance(value, str):
        return None
    match = _SLASHED.fullmatch(normalise_space(value))
    return (int(match[1]), int(match[2])) if match else None


def date_order_in(values) -> str | None:
    """Whether a file writes dates day first or month first, from all of them at once: one
    date whose first number is over 12 (25/04/2024) makes the file day first; one whose second
    is (04/25/2024), month first. None when no date says (every one could be either, such as
    06/10/2025, or the file has no such dates). A file that writes both ways is refused."""
    day_first = month_first = False
    for value in values:
        if parts := _slashed_parts(value):
            first, second = parts
            day_first |= first > 12 >= second
            month_first |= second > 12 >= first
    if day_first and month_first:
        raise ImportFileError(
            "The dates in this file are written both day first and month first, so none of "
            "them can be trusted. Download the report again without editing it."
        )
    return DAY_FIRST if day_first else MONTH_FIRST if month_first else None


def dates_are_ambiguous(values) -> bool:
    """Whether any date in the file reads as two different days depending on the order."""
    return any(
        (parts := _slashed_parts(value)) and parts[0] != parts[1] and max(parts) <= 12
        for value in values
    )


def read_stamp(value, order: str | None) -> datetime.datetime:
    """The UK wall-clock time a cell stands for (a date alone is its midnight). `order` says
    how to read 06/10/2025 (DAY_FIRST or MONTH_FIRST); without it such a date is refused,
    while 25/04/2024 or 04/25/2024 read the only way they can. 12-hour times with AM/PM and
    24-hour times are both read. Raises ValueError with a message for the row."""
    if isinstance(value, datetime.date):  # an Excel cell: a datetime is a date too
        if not 1900 <= value.year <= 2100:
            raise ValueError(f"“{value}” is not a date this import can read")
        if not isinstance(value, datetime.datetime):
            return datetime.datetime.combine(value, datetime.time.min)
        return value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
    text = normalise_space(str(value))
    if not text:
        raise ValueError("no date")
    if match := _ISO_STAMP.fullmatch(text):
        year, month, day = (int(part) for part in match.groups()[:3])
        hour, minute, second = (int(part or 0) for part in match.groups()[3:6])
        stamp = _stamp(text, year, month, day, hour, minute, second, two_digit_year=False)
        if match[7]:  # an offset: the moment, shown in UK time
            zone = "+00:00" if match[7] == "Z" else match[7]
            try:
                moment = datetime.datetime.fromisoformat(f"{stamp.isoformat()}{zone}")
                return moment.astimezone(LONDON).replace(tzinfo=None)
            except (ValueError, OverflowError) as error:
                raise ValueError(f"“{text}” is not a date ({error})") from error
        return stamp
    if match := _SLASHED.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if order is None and first != second and max(first, second) <= 12:
            raise ValueError(f"“{text}” could be day first or month first")
        if first > 12 or (order == DAY_FIRST and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
        hour, minute, second_ = int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)
        if meridiem := (match[7] or "").lower():
            if not 1 <= hour <= 12:
                raise ValueError(f"“{text}” is not a time")
            hour = hour % 12 + (12 if meridiem == "p" else 0)
        return _stamp(text, year, month, day, hour, minute, second_)
    for pattern in _WORDED:
        try:
            stamp = datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return _stamp(text, *stamp.timetuple()[:6], two_digit_year=False)
    raise ValueError(f"“{text}” is not a date this import can read")


def _stamp(
    text, year, month, day, hour, minute, second, *, two_digit_year=True
) -> datetime.datetime:
    if two_digit_year and year < 100:
        year += 2000
    if not 1900 <= year <= 2100:  # no meeting the CoP holds, and far from the calendar's ends
        raise ValueError(f"“{text}” is not a date this import can read (the year {year})")
    try:
        return datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise ValueError(f"“{text}” is not a date ({error})") from error


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs)\b")


def read_minutes(value) -> float | None:
    """A duration as Teams ("1h 4m 3s", "45m 28s", "00:45:28") or Zoom (minutes: "59") writes
    it, in minutes; None when the cell is empty or not a duration."""
    text = normalise_space(str(value)).lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if match := re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", text):
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        return hours * 60 + minutes + seconds / 60
    parts = _DURATION_PART.findall(text)
    if not parts:
        return None
    factor = {"h": 60, "m": 1, "s": 1 / 60}
    return sum(float(number) * factor[unit[0]] for number, unit in parts)


@dataclass(frozen=True)
class Attendee:
    """One row of an attendance file: who, and when as written (`read_stamp` reads it once the
    file's date order is known). `joined` and `left` are one stay in the meeting when the file
    lists each stay; `minutes` is the time the file itself states for the row."""

    line: int
    name: str
    email: str = ""
    joined: Cell = ""
    left: Cell = ""
    minutes: float | None = None
    event_title: str = ""
    event_date: Cell = ""


@dataclass(frozen=True)
class Register:
    """An attendance file as read. `title` and `start` are the meeting's when the file says
    them; `one_meeting` is False only for a plain table naming a session on each row."""

    attendees: list[Attendee]
    source: str
    title: str | None = None
    start: Cell = ""
    one_meeting: bool = True

    @property
    def stamps(self) -> list[Cell]:
        """Every date the file writes, to find its date order from."""
        cells = [self.start]
        for row in self.attendees:
            cells += [row.joined, row.left, row.event_date]
        return [cell for cell in cells if cell != ""]


def _keys(cells) -> list[str]:
    return [header_key(cell) for cell in cells]


def _find_row(grid: Grid, wanted, *, start: int = 0) -> int | None:
    for index in range(start, len(grid)):
        if wanted(set(_keys(grid[index][1]))):
            return index
    return None


def _first_non_blank(grid: Grid) -> int | None:
    return next((i for i, (_, cells) in enumerate(grid) if not _is_blank(cells)), None)


def _get(row: dict, *names) -> Cell:
    for name in names:
        value = row.get(name, "")
        if value != "":
            return value
    return ""


# "Ada Lovelace (Guest)" in Teams, "Ade Bello (Ade B)" in Zoom (the name they joined as): the
# person's name is without it.
_NAME_NOTE = re.compile(r"\s*\([^()]*\)$")


def _person(value) -> str:
    return normalise_space(_NAME_NOTE.sub("", normalise_space(str(value))))


def _email(value) -> str:
    return normalise_space(str(value)).lower()


def _summary(grid: Grid, stop: int) -> dict[str, Cell]:
    """The `label, value` lines above a report's table."""
    summary = {}
    for _, cells in grid[:stop]:
        if len(cells) >= 2 and cells[0] != "":
            summary.setdefault(header_key(cells[0]), cells[1])
    return summary


def _title(value) -> str | None:
    return normalise_space(str(value)) or None if value != "" else None


def read_register(source, filename: str = "") -> Register:
    """Read an attendance file, recognising it by its content (see ATTENDANCE_FILES_TEXT).
    Dates are left as written. Raises ImportFileError for a file that is none of them."""
    grid = read_grid(source, filename)
    first = _first_non_blank(grid)
    if first is None:
        return Register(attendees=[], source="table")
    first_keys = _keys(grid[first][1])
    if first_keys[:3] == ["full name", "user action", "timestamp"]:
        return _teams_2020(grid, first)
    if (first_keys and first_keys[0] == "meeting summary") or _find_row(
        grid, lambda keys: {"full name", "join time", "leave time"} <= keys
    ) is not None:
        return _teams_2021(grid)
    if (first_keys and first_keys[0] == "attendee report") or _find_row(
        grid, lambda keys: {"attended", "join time"} <= keys and bool(_WEBINAR_NAMES & keys)
    ) is not None:
        return _zoom_webinar(grid)
    participants = _find_row(grid, lambda keys: {"name", "first join"} <= keys)
    if participants is not None:
        return _teams_current(grid, participants)
    zoom = _find_row(
        grid,
        lambda keys: (
            bool({"join time", "total duration (minutes)"} & keys)
            and bool({"user email", "email"} & keys)
        ),
    )
    if zoom is not None:
        return _zoom_meeting(grid, first, zoom)
    header, rows = _table(grid, first)
    if not {"email", "email address", "e-mail", "name", "full name"} & set(header):
        raise ImportFileError(
            f"This is not an attendance file this import can read. {ATTENDANCE_FILES_TEXT}"
        )
    has_events = bool({"event title", "event", "session", "session title"} & set(header))
    attendees = [
        Attendee(
            line=line,
            name=normalise_space(str(_get(row, "name", "full name"))),
            email=_email(_get(row, "email", "email address", "e-mail")),
            event_title=normalise_space(
                str(_get(row, "event title", "event", "session", "session title"))
            ),
            event_date=_get(row, "event date", "session date", "date"),
        )
        for line, row in rows
    ]
    return Register(attendees=attendees, source="table", one_meeting=not has_events)


def _teams_2020(grid: Grid, first: int) -> Register:
    """Teams' first attendance download: one line per join or leave, no emails. Each join
    ("Joined", or "Joined before" for those there when it was downloaded) opens a stay that the
    person's next "Left" closes; a stay never closed has no end, so counts no time."""
    _, rows = _table(grid, first)
    attendees, open_joins = [], {}
    for line, row in rows:
        name = _person(row.get("full name", ""))
        action = header_key(row.get("user action", ""))
        stamp = row.get("timestamp", "")
        if action.startswith("join"):
            open_joins.setdefault(name.casefold(), (line, name, stamp))
        elif action.startswith("left") and name.casefold() in open_joins:
            joined_line, joined_name, joined = open_joins.pop(name.casefold())
            attendees.append(
                Attendee(line=joined_line, name=joined_name, joined=joined, left=stamp)
            )
    for joined_line, name, joined in open_joins.values():
        attendees.append(Attendee(line=joined_line, name=name, joined=joined))
    attendees.sort(key=lambda attendee: attendee.line)
    stamps = [row.get("timestamp", "") for _, row in rows]
    return Register(
        attendees=attendees,
        source="Microsoft Teams attendance list (2020)",
        start=next((stamp for stamp in stamps if stamp != ""), ""),
    )


def _teams_2021(grid: Grid) -> Register:
    """Teams' "Meeting Summary" download of 2021: label lines, then one row per stay."""
    header = _find_row(grid, lambda keys: {"full name", "join time"} <= keys)
    if header is None:
        raise ImportFileError(
            f"This Teams meeting summary has no list of participants. {ATTENDANCE_FILES_TEXT}"
        )
    summary = _summary(grid, header)
    _, rows = _table(grid, header, stop_at_blank=True)
    attendees = [
        Attendee(
            line=line,
            name=_person(row.get("full name", "")),
            email=_email(row.get("email", "")),
            joined=row.get("join time", ""),
            left=row.get("leave time", ""),
            minutes=read_minutes(row.get("duration", "")),
        )
        for line, row in rows
    ]
    return Register(
        attendees=attendees,
        source="Microsoft Teams meeting summary (2021)",
        title=_title(summary.get("meeting title", "")),
        start=summary.get("meeting start time", ""),
    )


_SECTION = re.compile(r"\d+\. ")


def _teams_current(grid: Grid, header_index: int) -> Register:
    """Teams' attendance report: "1. Summary", then "2. Participants" with each person's time
    in the meeting as Teams adds it up (In-Meeting Duration). Later sections are not read."""
    summary = _summary(grid, header_index)
    _, table = _table(grid, header_index, stop_at_blank=True)
    attendees = []
    for line, row in table:
        name = str(row.get("name", ""))
        if _SECTION.match(name) and not row.get("email"):
            break  # "3. In-Meeting Activities" even without a blank line before it
        attendees.append(
            Attendee(
                line=line,
                name=_person(name),
                email=_email(row.get("email", "")),
                minutes=read_minutes(row.get("in-meeting duration", "")),
                # when they came, to read the file's date order from; the time is Teams' own
                event_date=row.get("first join", ""),
            )
        )
    return Register(
        attendees=attendees,
        source="Microsoft Teams attendance report",
        title=_title(_get(summary, "meeting title", "title")),
        start=_get(summary, "start time", "meeting start time"),
    )


def _zoom_meeting(grid: Grid, first: int, header: int) -> Register:
    """Zoom's meeting participants report: one row per stay (or, with "Show unique users",
    one per person with their total time), optionally under a block naming the meeting."""
    title, start = None, ""
    if header > first:
        _, meeting = _table(grid, first, stop_at_blank=True)
        if meeting and "topic" in meeting[0][1]:
            title = _title(meeting[0][1].get("topic", ""))
            start = meeting[0][1].get("start time", "")
    _, rows = _table(grid, header)
    unique = "join time" not in _keys(grid[header][1])
    attendees = [
        Attendee(
            line=line,
            name=_person(_get(row, "name (original name)", "name", "user name")),
            email=_email(_get(row, "user email", "email")),
            joined=row.get("join time", ""),
            left=row.get("leave time", ""),
            minutes=read_minutes(_get(row, "total duration (minutes)", "duration (minutes)")),
        )
        for line, row in rows
    ]
    if start == "" and attendees and not unique:
        start = next((row.joined for row in attendees if row.joined != ""), "")
    source = "Zoom participants report (unique users)" if unique else "Zoom participants report"
    return Register(attendees=attendees, source=source, title=title, start=start)


_WEBINAR_NAMES = {"user name (original name)", "user name"}


def _zoom_webinar(grid: Grid) -> Register:
    """Zoom's webinar attendee report: a preamble naming the webinar, then host, panelist
    and attendee sections, each with its own header. Registrants who did not attend ("No")
    are not attendance."""
    topic_row = _find_row(grid, lambda keys: "topic" in keys)
    title, start = None, ""
    if topic_row is not None:
        _, meeting = _table(grid, topic_row, stop_at_blank=True)
        if meeting:
            title = _title(meeting[0][1].get("topic", ""))
            start = _get(meeting[0][1], "actual start time", "start time")
    attendees, header = [], None
    for line, cells in grid:
        keys = _keys(cells)
        if "join time" in keys and (_WEBINAR_NAMES & set(keys)):
            header = keys
            continue
        if header is None or _is_blank(cells) or (keys and keys[0].endswith("details")):
            if keys and keys[0].endswith("details"):
                header = None
            continue
        row = dict(zip(header, cells, strict=False))
        if "attended" in header and header_key(row.get("attended", "")) != "yes":
            continue
        attendees.append(
            Attendee(
                line=line,
                name=_person(_get(row, "user name (original name)", "user name")),
                email=_email(row.get("email", "")),
                joined=row.get("join time", ""),
                left=row.get("leave time", ""),
                minutes=read_minutes(row.get("time in session (minutes)", "")),
            )
        )
    return Register(
        attendees=attendees, source="Zoom webinar attendee report", title=title, start=start
    )
