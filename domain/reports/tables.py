"""A table as the exports write it (header and rows of plain values), and its CSV text."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from domain.common.base import Frozen

Cell = str | int | date | datetime | None


class Table(Frozen):
    """One sheet of an export: a name, the header and the rows."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def csv_text(table: Table) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), dates in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([[_text(c) for c in row] for row in table.rows])
    return out.getvalue()
