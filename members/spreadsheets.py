"""Reading the CoP's existing spreadsheets, the first step of an import (the plan is in
members/selectors/imports.py, the writes in members/services/imports.py):

- `read_grid` and `read_table` read CSV, TSV, UTF-16 text (as Microsoft Teams writes it) and
  Excel workbooks (.xlsx), recognising the format by content, never by file name;
- `read_register` also understands Teams attendance reports and Zoom participant exports;
- `parse_date` reads the dates people write in them.

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
OLD_TEAMS_FORMAT = (
    "This is the older Teams attendance list (Full Name, User Action, Timestamp), which has "
    "no email addresses, so nobody in it can be matched to a member. In Teams, download the "
    "attendance report from the meeting's Attendance tab instead."
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
