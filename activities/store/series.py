"""Meeting series with their own numbering: a region's RTMs, the Heads of Regional
Secretariats meetings, technical round tables by theme, preparatory meetings."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from activities.store.engine import StoreBase, now, raise_to
from domain.series.models import Series


class SeriesRow(SQLModel, table=True):
    __tablename__ = "meeting_series"
    code: str = Field(primary_key=True)
    region: str | None = Field(default=None, index=True)
    last_number: int = 0
    definition: str = "{}"


class SeriesAllocationRow(SQLModel, table=True):
    """Which run got which number of a series: a retried allocation returns the same one."""

    __tablename__ = "series_allocation"
    key: str = Field(primary_key=True)
    series: str = Field(index=True)
    number: int
    at: datetime = Field(default_factory=now)


def merge_series(s: Session, series: list[Series]) -> None:
    """Insert or update series in the caller's transaction (the directory load); a reload
    never lowers the last number handed out."""
    for one in series:
        stored = s.get(SeriesRow, one.code)
        last = max(one.last_number, stored.last_number if stored else 0)
        s.merge(
            SeriesRow(
                code=one.code,
                region=one.region,
                last_number=last,
                definition=one.model_dump_json(exclude={"last_number"}),
            )
        )


class SeriesStore(StoreBase):
    """The series of the directory and their numbering."""

    def all_series(self, region: str | None = None) -> list[Series]:
        with self.session() as s:
            q = select(SeriesRow).order_by(col(SeriesRow.code))
            if region is not None:
                q = q.where(SeriesRow.region == region)
            return [_series(r) for r in s.exec(q)]

    def series(self, code: str) -> Series | None:
        with self.session() as s:
            row = s.get(SeriesRow, code)
            return None if row is None else _series(row)

    def allocate_series_number(self, code: str, key: str) -> int:
        """The series' next number, once per `key` (the same locking as RTM numbers)."""
        counter, unknown = ("meeting_series", "last_number", code), f"unknown series {code!r}"
        return self.allocate(SeriesAllocationRow, key, counter, unknown, series=code)

    def note_series_number(self, code: str, number: int) -> None:
        """A meeting of the series was recorded: its number is taken."""
        with self.session() as s:
            raise_to(s, "meeting_series", "last_number", code, number)
            s.commit()


def _series(row: SeriesRow) -> Series:
    return Series.model_validate(json.loads(row.definition) | {"last_number": row.last_number})
