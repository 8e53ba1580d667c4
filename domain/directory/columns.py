"""A list of participants as columns: how a page of the directory crosses a payload.

A continued run reads its participants again, a page per activity, and every page stays in
the history: at 10,000 participants and a run every 4,000 events that was 1.2 MB a run,
mostly the same keys and the same few zones, roles and countries written for each row.
As columns, the keys are written once and the repeated values are indexes into one table;
a page of PACK_FROM or more is compressed besides (names and e-mails share much: a third of
the bytes). Plain columns and a list of records (older histories) still read.
"""

from __future__ import annotations

from typing import Any

from domain.common.packing import pack_json, unpack_json
from domain.directory.models import Participant

PACK_FROM = 50  # participants; below, the columns as they are

_REPEATED = ("role", "country", "organisation", "zone", "languages")


def to_columns(people: list[Participant]) -> dict[str, Any]:
    """JSON-ready columns: ids, names and e-mails as they are, the rest as indexes."""
    values: list[Any] = []
    index: dict[Any, int] = {}

    def of(value: Any) -> int:
        key = tuple(value) if isinstance(value, list) else value
        if key not in index:
            index[key] = len(values)
            values.append(value)
        return index[key]

    columns = {
        "id": [p.id for p in people],
        "name": [p.name for p in people],
        "email": [p.email for p in people],
        **{
            field: [
                of(v.value if field == "role" else v) for v in (getattr(p, field) for p in people)
            ]
            for field in _REPEATED
        },
        "values": values,
    }
    return {"packed": pack_json(columns)} if len(people) >= PACK_FROM else columns


def from_columns(data: Any) -> Any:
    """Records from `to_columns`' columns; anything else (a list of records) unchanged."""
    if isinstance(data, dict) and isinstance(data.get("packed"), str) and len(data) == 1:
        data = unpack_json(data["packed"])
    if not isinstance(data, dict) or "id" not in data or "values" not in data:
        return data
    values = data["values"]
    rows = []
    for i, pid in enumerate(data["id"]):
        row = {"id": pid, "name": data["name"][i], "email": data["email"][i]}
        for field in _REPEATED:
            row[field] = values[data[field][i]]
        rows.append(row)
    return rows
