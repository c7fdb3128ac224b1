"""Spreadsheet bombs (issue 13, item 3): a tiny file that claims or unzips to an enormous sheet
is refused with a clear message, or read for what it really holds, never expanded into memory.

The files are crafted as an attacker would: a real workbook saved by openpyxl, then its sheet's
XML rewritten inside the zip."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members import spreadsheets
from members.spreadsheets import MAX_COLUMNS, MAX_ROWS, ImportFileError

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows=(("Email", "Name"), ("ada@example.org", "Ada"))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET:
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return out.getvalue()


def _claiming(ref: str):
    def change(xml):
        if "<dimension" in xml:
            return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
        return xml.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)

    return change


def _extra_cell(row: int, column: str):
    cell = f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>x</t></is></c></row>'
    return lambda xml: xml.replace("</sheetData>", cell + "</sheetData>")


def test_a_sheet_claiming_a_hundred_million_cells_is_refused_at_once():
    """1.5 KB claiming 100,000 rows × 1,000 columns: openpyxl padded every row to the claimed
    size (a gigabyte of memory and seconds per check)."""
    bomb = _rewrite_sheet(_workbook(), _claiming("A1:ALL100000"))
    assert len(bomb) < 10_000

    with pytest.raises(ImportFileError) as refused:
        spreadsheets.read_grid(io.BytesIO(bomb), "bomb.xlsx")

    assert str(refused.value) == (
        "bomb.xlsx is too large to import: its sheet is 100,000 rows by 1,000 columns. Imports "
        "take up to 50,000 rows and 100 columns; split the file, or remove empty rows and "
        "columns, and try again."
    )


def test_a_sheet_that_hides_its_rows_behind_a_small_claim_is_still_stopped():
    far = _rewrite_sheet(_workbook(), _extra_cell(MAX_ROWS + 5, "A"))

    with pytest.raises(ImportFileError, match="it has more than 50,000 rows"):
        spreadsheets.read_grid(io.BytesIO(far), "far.xlsx")


def test_a_sheet_with_data_past_the_hundredth_column_is_refused():
    wide = _rewrite_sheet(_workbook(), _extra_cell(3, "CW"))  # column 101

    with pytest.raises(ImportFileError, match="row 3 has more than 100 columns"):
        spreadsheets.read_grid(io.BytesIO(wide), "wide.xlsx")


def test_a_cell_far_to_the_right_is_never_padded_out_to():
    """A cell in the last column Excel allows, behind a truthful-looking small claim, costs
    nothing: reading stops one column past the limit."""
    far = _rewrite_sheet(_workbook(), _extra_cell(3, "XFD"))

    grid = spreadsheets.read_grid(io.BytesIO(far), "far-right.xlsx")

    assert grid == [(1, ["Email", "Name"]), (2, ["ada@example.org", "Ada"]), (3, [])]


def test_a_workbook_that_unzips_to_a_huge_size_is_refused_before_it_is_opened():
    padding = " " * (60 * 1024 * 1024)
    bomb = _rewrite_sheet(
        _workbook(), lambda xml: xml.replace("<sheetData>", padding + "<sheetData>")
    )
    assert len(bomb) < 1024 * 1024

    with pytest.raises(ImportFileError, match="it unzips to more than 50 MB"):
        spreadsheets.read_grid(io.BytesIO(bomb), "zipbomb.xlsx")


def test_a_csv_with_too_many_rows_or_columns_is_refused():
    tall = "Email\n" + "a@example.org\n" * (MAX_ROWS + 1)
    wide = ",".join(f"c{n}" for n in range(MAX_COLUMNS + 1)) + "\n"

    with pytest.raises(ImportFileError, match="more than 50,000 rows"):
        spreadsheets.read_grid(io.BytesIO(tall.encode()), "tall.csv")
    with pytest.raises(ImportFileError, match="row 1 has more than 100 columns"):
        spreadsheets.read_grid(io.BytesIO(wide.encode()), "wide.csv")


def test_trailing_empty_cells_do_not_count_towards_the_columns():
    text = "Email,Name" + "," * (MAX_COLUMNS + 50) + "\nada@example.org,Ada\n"

    grid = spreadsheets.read_grid(io.BytesIO(text.encode()), "padded.csv")

    assert grid == [(1, ["Email", "Name"]), (2, ["ada@example.org", "Ada"])]


@pytest.mark.django_db
def test_the_upload_page_shows_the_reason_and_keeps_nothing(organiser_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    far = _rewrite_sheet(_workbook(), _extra_cell(MAX_ROWS + 5, "A"))
    upload = SimpleUploadedFile("far.xlsx", far, content_type="application/octet-stream")

    response = organiser_client.post(
        reverse("members:import_data"), {"step": "check", "kind": "members", "file": upload}
    )

    assert response.status_code == 200
    assert "far.xlsx is too large to import: it has more than 50,000 rows." in (
        response.content.decode()
    )
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())
