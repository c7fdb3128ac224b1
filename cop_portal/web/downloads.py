"""The portal's downloads: CSV files safe to open in a spreadsheet (the dashboard, survey results)
and JSON files (a member's own data)."""

import csv
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

# Text starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value, *, missing=""):
    """Text people typed that a spreadsheet would run as a formula gets a leading apostrophe;
    our own numbers are left as numbers; None becomes `missing`."""
    if value is None:
        return missing
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_download(filename: str, *, missing="") -> tuple[HttpResponse, Callable[..., None]]:
    """A CSV attachment and a function that writes one row of it; every cell goes through
    `spreadsheet_cell`, with None written as `missing`."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    # A byte order mark, so that Excel reads the file as UTF-8 and names keep their accents.
    response.write("\ufeff")
    writer = csv.writer(response)

    def write(*cells) -> None:
        writer.writerow([spreadsheet_cell(cell, missing=missing) for cell in cells])

    return response, write


def json_download(data, filename: str) -> HttpResponse:
    """A JSON attachment, readable as it stands (indented, accents kept)."""
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
