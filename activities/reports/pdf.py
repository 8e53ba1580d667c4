"""PDF files for filing and for the desk: a report's Markdown laid out as paragraphs, and
tables such as the participant list, in a Unicode font so Cyrillic prints as it reads.

The font is DejaVu (Debian package fonts-dejavu-core, which the bootstrap installs); a
different directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf can be named in
RTM_PDF_FONT_DIR.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.common.refusals import Refusal

FONT = "DejaVu"
_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class FontMissing(RuntimeError):
    pass


def font_dir() -> Path:
    """Where DejaVuSans.ttf is: RTM_PDF_FONT_DIR, else Debian's place for it."""
    configured = os.environ.get("RTM_PDF_FONT_DIR")
    for candidate in [configured] if configured else _DIRS:
        if (Path(candidate) / _FILES[""]).exists():
            return Path(candidate)
    raise FontMissing(Refusal("pdf.font", package="fonts-dejavu-core",
                              variable="RTM_PDF_FONT_DIR", file=_FILES[""]))  # fmt: skip


def _document(title: str, language: str, landscape: bool = False) -> FPDF:
    pdf = FPDF(orientation="L" if landscape else "P", format="A4")
    where = font_dir()
    for style, name in _FILES.items():
        pdf.add_font(FONT, style, str(where / name))
    pdf.set_text_shaping(True)  # joined Arabic-script letters, right to left
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("Round-Table Meeting engine")
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))  # same input, same bytes
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    return pdf


def _plain(text: str) -> str:
    """Markdown's emphasis marks out of a line the PDF prints as it is."""
    return text.replace("**", "")


def markdown_pdf(markdown: str, title: str, language: str) -> bytes:
    """The few blocks the report templates write: # and ## headings, a **bold** line,
    paragraphs, and "- " bullets."""
    pdf = _document(title, language)
    width = pdf.epw
    for block in markdown.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("# "):
            pdf.set_font(FONT, "B", 16)
            pdf.multi_cell(width, 8, first[2:], align="L", new_x="LMARGIN", new_y="NEXT")
        elif first.startswith("## "):
            pdf.set_font(FONT, "B", 13)
            pdf.multi_cell(width, 7, first[3:], align="L", new_x="LMARGIN", new_y="NEXT")
        elif first.startswith("- "):
            pdf.set_font(FONT, "", 11)
            for line in lines:
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(width - 4, 6, "• " + _plain(line[2:]), align="L", new_x="LMARGIN",
                               new_y="NEXT")  # fmt: skip
        else:
            bold = first.startswith("**") and first.endswith("**")
            pdf.set_font(FONT, "B" if bold else "", 11)
            pdf.multi_cell(
                width, 6, _plain(" ".join(lines)), align="L", new_x="LMARGIN", new_y="NEXT"
            )
        pdf.ln(3)
    return bytes(pdf.output())


def table_pdf(
    title: str,
    lines: list[str],
    header: list[str],
    rows: list[list[str]],
    widths: list[int],
    language: str,
) -> bytes:
    """A titled table on landscape pages, the header repeated on each page."""
    pdf = _document(title, language, landscape=True)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(pdf.epw, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in lines:
        pdf.multi_cell(pdf.epw, 5, line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=tuple(widths),
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        line_height=7,
        repeat_headings=1,
        text_align="LEFT",
    ) as table:
        for cells in [header, *rows]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    return bytes(pdf.output())
