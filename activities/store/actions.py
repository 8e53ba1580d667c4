"""The action-item projection: open actions by region, country and meeting."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Field, SQLModel, col, select

from activities.store.audit import AuditRow
from activities.store.engine import StoreBase, aware, now
from domain.followup.actions import ActionItem, ActionStatus, Owner, OwnerKind
from domain.registration.answers import Actor, Channel


class ActionRow(SQLModel, table=True):
    """Projection of one action-item workflow: open actions by region, country, meeting."""

    __tablename__ = "action_item"
    meeting_id: str = Field(primary_key=True)
    action_id: str = Field(primary_key=True)
    region: str = Field(index=True)
    number: int | None = Field(default=None, index=True)
    meeting_title: str
    what: str
    owner_kind: str
    owner_code: str
    owner_name: str | None = None
    owner_country: str | None = Field(default=None, index=True)
    due: date
    zone: str
    opened_at: datetime | None = None
    status: str = Field(index=True)
    done_at: datetime | None = None
    done_by: str | None = None
    done_via: str | None = None
    note: str | None = None
    updated_at: datetime = Field(default_factory=now)


class ActionStore(StoreBase):
    """Action items as the workflows report them, and the questions asked across meetings."""

    def record_action(self, item: ActionItem, event: str = "") -> None:
        """The action's projection row; for an event ("opened", "done") also an audit row
        under its meeting, in the same transaction and once (a retry adds no second row)."""
        with self.session() as s:
            before = s.get(ActionRow, (item.meeting_id, item.id))
            repeated = before is not None and (event == "opened" or before.status == "done")
            s.merge(_action_row(item))
            if event and not repeated:
                actor = item.done_by if event == "done" else None
                s.add(
                    AuditRow(
                        meeting_id=item.meeting_id,
                        actor=actor.id if actor else "engine",
                        channel=actor.channel.value if actor else "workflow",
                        action=f"action.{event}",
                        detail=json.dumps(
                            {
                                "action": item.id,
                                "what": item.what,
                                "owner": f"{item.owner.kind.value}:{item.owner.code}",
                                "due": item.due.isoformat(),
                                "note": item.note,
                            }
                        ),
                    )
                )
            s.commit()

    def actions(
        self, region: str | None = None, country: str | None = None, open_only: bool = False
    ) -> list[ActionItem]:
        """Action items, by due date: of a region, of a country (owned by it or by one of
        its people), only the open ones."""
        with self.session() as s:
            q = select(ActionRow)
            if region is not None:
                q = q.where(ActionRow.region == region)
            if country is not None:
                q = q.where(ActionRow.owner_country == country)
            if open_only:
                q = q.where(ActionRow.status == ActionStatus.OPEN.value)
            q = q.order_by(col(ActionRow.due), col(ActionRow.meeting_id), col(ActionRow.action_id))
            return [_action(r) for r in s.exec(q)]

    def open_actions_before(self, region: str, number: int) -> list[ActionItem]:
        """Open actions of the region's most recent earlier RTM (the highest number below
        `number` that has action items): what the next RTM's agenda carries forward."""
        with self.session() as s:
            latest = s.exec(
                select(func.max(ActionRow.number)).where(
                    ActionRow.region == region, col(ActionRow.number) < number
                )
            ).one()
            if latest is None:
                return []
            q = (
                select(ActionRow)
                .where(
                    ActionRow.region == region,
                    ActionRow.number == latest,
                    ActionRow.status == ActionStatus.OPEN.value,
                )
                .order_by(col(ActionRow.due), col(ActionRow.action_id))
            )
            return [_action(r) for r in s.exec(q)]


def _action_row(item: ActionItem) -> ActionRow:
    return ActionRow(
        meeting_id=item.meeting_id,
        action_id=item.id,
        region=item.region,
        number=item.number,
        meeting_title=item.meeting_title,
        what=item.what,
        owner_kind=item.owner.kind.value,
        owner_code=item.owner.code,
        owner_name=item.owner.name,
        owner_country=item.owner_country,
        due=item.due,
        zone=item.zone,
        opened_at=item.opened_at,
        status=item.status.value,
        done_at=item.done_at,
        done_by=item.done_by.id if item.done_by else None,
        done_via=item.done_by.channel.value if item.done_by else None,
        note=item.note,
        updated_at=now(),
    )


def _action(row: ActionRow) -> ActionItem:
    done_by = (
        Actor(id=row.done_by, channel=Channel(row.done_via or Channel.WORKFLOW.value))
        if row.done_by
        else None
    )
    return ActionItem(
        id=row.action_id,
        meeting_id=row.meeting_id,
        meeting_title=row.meeting_title,
        region=row.region,
        number=row.number,
        what=row.what,
        owner=Owner(kind=OwnerKind(row.owner_kind), code=row.owner_code, name=row.owner_name),
        owner_country=row.owner_country,
        due=row.due,
        zone=row.zone,
        opened_at=aware(row.opened_at),
        status=ActionStatus(row.status),
        done_at=aware(row.done_at),
        done_by=done_by,
        note=row.note,
    )
