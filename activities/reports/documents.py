"""Each export as the bytes of its file: the meeting report (Markdown, PDF), the register
(CSV, XLSX), the desk's participant list (PDF) and the action tracker (CSV, XLSX)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from activities.reports.pdf import markdown_pdf, table_pdf
from activities.reports.xlsx import workbook
from domain.followup.actions import ActionItem
from domain.reports.facts import MeetingFacts
from domain.reports.register import desk_rows, presence_table, summary_table
from domain.reports.render import check_language, date_range, render, translations
from domain.reports.report import MeetingReport, draft
from domain.reports.tables import csv_text
from domain.reports.tracker import TrackerFilter, select, tracker_table


class Format(StrEnum):
    MD = "md"
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


class UnsupportedFormat(ValueError):
    pass


def _only(fmt: Format, allowed: tuple[Format, ...]) -> None:
    if fmt not in allowed:
        names = ", ".join(f.value for f in allowed)
        raise UnsupportedFormat(f"format: {fmt.value!r} is not one of {names} for this export")


def report_markdown(source: MeetingFacts | MeetingReport, language: str) -> str:
    """The report's Markdown: of recorded facts, or of a report already drafted."""
    report = draft(source) if isinstance(source, MeetingFacts) else source
    return render("report.md.j2", check_language(language), r=report)


def report_document(source: MeetingFacts | MeetingReport, fmt: Format, language: str) -> bytes:
    _only(fmt, (Format.MD, Format.PDF))
    text = report_markdown(source, language)
    if fmt is Format.MD:
        return text.encode()
    title = source.meeting.title if isinstance(source, MeetingFacts) else source.title
    return markdown_pdf(text, title, language)


def register_document(facts: MeetingFacts, fmt: Format, language: str) -> bytes:
    _only(fmt, (Format.CSV, Format.XLSX))
    _ = translations(check_language(language)).gettext
    summary = summary_table(facts, _)
    if fmt is Format.CSV:
        return csv_text(summary).encode()
    return workbook([summary, presence_table(facts, _)])


def desk_document(facts: MeetingFacts, language: str) -> bytes:
    """The participant list the registration desk prints, a column per meeting day."""
    tr = translations(check_language(language))
    header, rows = desk_rows(facts, tr.gettext)
    m = facts.meeting
    days = len(header) - 4
    place = ", ".join(tr.gettext(p) for p in (m.venue.city, m.venue.country)) if m.venue else ""
    lines = [", ".join(x for x in (date_range(m.start.date(), m.end.date(), language), place) if x)]
    lines.append(tr.gettext("%(count)s participants expected") % {"count": len(rows)})
    widths = [8, 55, 95, 25, *[30] * days]
    title = tr.gettext("Participants: %(title)s") % {"title": m.title}
    return table_pdf(title, lines, header, rows, widths, language)


def tracker_document(
    items: list[ActionItem], f: TrackerFilter, now: datetime, fmt: Format, language: str
) -> bytes:
    _only(fmt, (Format.CSV, Format.XLSX))
    _ = translations(check_language(language)).gettext
    table = tracker_table(select(items, f, now), now, _)
    return csv_text(table).encode() if fmt is Format.CSV else workbook([table])
