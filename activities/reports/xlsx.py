"""XLSX workbooks of the exports (openpyxl): one sheet per table, a bold frozen header,
dates as dates, times in UTC (a spreadsheet cell holds no zone)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from domain.reports.tables import Cell, Table


def _cell(value: Cell) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def workbook(tables: list[Table]) -> bytes:
    book = Workbook()
    first = True
    for table in tables:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = table.name[:31]
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_cell(c) for c in row])
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = min(max(8, width + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
