"""Cells for the portal's CSV downloads (the dashboard, survey results), safe to open in a
spreadsheet."""

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
