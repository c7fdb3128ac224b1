"""The one-page briefing sent to senior leaders with their invitation: an A4 PDF of the CoP's
purpose and its last twelve months in figures (events.selectors.guests.briefing_figures).

Made with fpdf2, pure Python from wheels: it needs no system library (WeasyPrint needs Pango
from the operating system), so it works on a bare machine and in a slim container. Its built-in
Helvetica covers Latin-1 only, so other characters are written as their nearest plain form."""

from fpdf import FPDF

from cop_portal.web.portal_address import portal_url

from .selectors.guests import Briefing

FILENAME = "cop-briefing.pdf"
MIMETYPE = "application/pdf"

_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u2212": "-",
})  # fmt: skip


def _plain(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _shown(value: int | None, threshold: int) -> str:
    return f"fewer than {threshold}" if value is None else f"{value:,}"


def briefing_pdf(briefing: Briefing) -> bytes:
    """The briefing as one A4 page. The purpose is cut to whole paragraphs before this, so the
    page never runs over; the page break is off so that it could not anyway."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.set_title("Community of Practice: a briefing for senior leaders")
    pdf.set_author("CoP Portal")
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(width, 9, _plain("Anti-racism for health equity: Community of Practice"))
    pdf.set_font("Helvetica", "", 11)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 6, "A briefing for senior leaders invited to one of our sessions")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 7, "What the CoP is for")
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 10.5)
    for paragraph in briefing.purpose:
        pdf.multi_cell(width, 5.2, _plain(paragraph))
        pdf.ln(2)
    pdf.ln(2)

    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 7, _plain(f"Recent impact: {briefing.period_label}"))
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 10.5)
    with pdf.table(col_widths=(3, 1), text_align=("LEFT", "RIGHT"), line_height=7) as table:
        header = table.row()
        header.cell("Figure")
        header.cell("Number")
        for figure in briefing.figures:
            row = table.row()
            row.cell(_plain(figure.label))
            row.cell(_shown(figure.value, briefing.threshold))
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        width,
        4.5,
        _plain(
            f'Numbers from 1 to {briefing.threshold - 1} are shown as "fewer than '
            f'{briefing.threshold}" so that nobody in a small group can be identified. '
            "Places taken at caucus sessions are not counted here."
        ),
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 10.5)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(
        width,
        5.2,
        _plain(
            "Your personal invitation link lets you say whether you can come, with no account "
            "needed. If you would like to take part again, you can join the CoP as a member "
            f"from the same page. {portal_url()}"
        ),
    )
    return bytes(pdf.output())
