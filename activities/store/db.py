"""Database tables (sqlmodel) and the store that reads and writes them.

Holds the participant directory, the meeting and invitation projections (read models
for cross-meeting questions) and the append-only audit log. SQLite by default,
PostgreSQL when DATABASE_URL says so. Never imported by workflow code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from activities.store import outbox
from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from domain.followup.actions import ActionItem, ActionStatus, Owner, OwnerKind
from domain.invitations.batches import DeliveryResult
from domain.outbox.delivery import OutboxEntry, invitation_key
from domain.registration.answers import Actor, Channel


def _now() -> datetime:
    return datetime.now(UTC)


class RegionRow(SQLModel, table=True):
    __tablename__ = "region"
    code: str = Field(primary_key=True)
    name: str
    secretariat_city: str
    secretariat_email: str
    zone: str
    last_rtm_number: int = 0
    reminders: str = "{}"
    agenda_template: str = "null"


class CountryRow(SQLModel, table=True):
    __tablename__ = "country"
    code: str = Field(primary_key=True)
    name: str
    region: str = Field(foreign_key="region.code", index=True)


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"
    code: str = Field(primary_key=True)
    name: str


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"
    id: str = Field(primary_key=True)
    name: str
    email: str = Field(index=True)
    role: str
    country: str | None = Field(default=None, foreign_key="country.code", index=True)
    organisation: str | None = Field(default=None, foreign_key="organisation.code", index=True)
    language: str = "en"
    zone: str = "UTC"
    position: int = 0


class MeetingRow(SQLModel, table=True):
    """Projection of one meeting workflow, for listing and cross-meeting questions."""

    __tablename__ = "meeting"
    id: str = Field(primary_key=True)
    region: str = Field(index=True)
    title: str
    phase: str
    definition: str
    updated_at: datetime = Field(default_factory=_now)


class RtmAllocationRow(SQLModel, table=True):
    """Which cycle run got which RTM number: a retried allocation returns the same one."""

    __tablename__ = "rtm_allocation"
    key: str = Field(primary_key=True)
    region: str = Field(index=True)
    number: int
    at: datetime = Field(default_factory=_now)


class AuditRow(SQLModel, table=True):
    """Append-only: the store offers no update or delete of these rows."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, index=True)
    meeting_id: str | None = Field(default=None, index=True)
    actor: str
    channel: str
    action: str
    detail: str = "{}"


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
    updated_at: datetime = Field(default_factory=_now)


# The audit log is append-only in the database itself, not only by convention: any UPDATE,
# DELETE (or TRUNCATE) of its rows fails, whoever issues it.
_SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
_POSTGRES_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION rtm_audit_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION rtm_audit_log_append_only()""",
    """CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION rtm_audit_log_append_only()""",
)


DB_TIMEOUT = 5.0  # seconds: no database call waits longer for a lock or a connection


def make_engine(url: str, timeout: float = DB_TIMEOUT) -> Engine:
    """An engine for `url` whose every call gives up after `timeout` (lock, connect,
    statement), so that a stalled database never holds a worker thread for long; SQLite
    gets WAL so readers never block the sender."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": timeout}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    millis = int(timeout * 1000)
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_timeout=timeout,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
        },
    )


class Store:
    """All database access of the engine, one method per question or fact."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)

    def create_schema(self) -> None:
        if self.engine.url.get_backend_name() == "sqlite" and self.engine.url.database:
            from pathlib import Path

            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        SQLModel.metadata.create_all(self.engine)
        statements = (
            _SQLITE_APPEND_ONLY
            if self.engine.url.get_backend_name() == "sqlite"
            else _POSTGRES_APPEND_ONLY
        )
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # --- directory -----------------------------------------------------------------

    def load_directory(self, directory: Directory) -> dict[str, int]:
        """Insert or update every entry of `directory` in one transaction; returns counts."""
        problems = self.directory_problems(directory)
        if problems:
            raise ValueError("; ".join(problems))
        with self.session() as s:
            for r in directory.regions:
                data = r.model_dump(exclude={"reminders", "agenda_template"})
                stored = s.get(RegionRow, r.code)
                if stored is not None:  # a reload never hands out an RTM number again
                    data["last_rtm_number"] = max(stored.last_rtm_number, r.last_rtm_number)
                template = json.dumps([t.model_dump(mode="json") for t in r.agenda_template])
                s.merge(
                    RegionRow(
                        **data, reminders=r.reminders.model_dump_json(), agenda_template=template
                    )
                )
            for c in directory.countries:
                s.merge(CountryRow(**c.model_dump()))
            for o in directory.organisations:
                s.merge(OrganisationRow(**o.model_dump()))
            s.flush()
            # keep everyone's place; newcomers go to the end, in file order
            positions = dict(s.exec(select(ParticipantRow.id, ParticipantRow.position)).all())
            next_position = max(positions.values(), default=-1) + 1
            for p in directory.participants:
                position = positions.get(p.id)
                if position is None:
                    position, next_position = next_position, next_position + 1
                s.merge(ParticipantRow(**p.model_dump(mode="json"), position=position))
            s.commit()
        return {
            "regions": len(directory.regions),
            "countries": len(directory.countries),
            "organisations": len(directory.organisations),
            "participants": len(directory.participants),
        }

    def directory_problems(self, directory: Directory) -> list[str]:
        """References in `directory` to entries that neither it nor the database has."""
        with self.session() as s:
            regions = {r.code for r in directory.regions} | set(s.exec(select(RegionRow.code)))
            countries = {c.code for c in directory.countries} | set(s.exec(select(CountryRow.code)))
            orgs = {o.code for o in directory.organisations} | set(
                s.exec(select(OrganisationRow.code))
            )
            incoming = {p.id for p in directory.participants}
            taken = {
                row.email.lower(): row.id
                for row in s.exec(select(ParticipantRow))
                if row.id not in incoming  # a mailbox may change hands within one file
            }
        problems = [
            f"country {c.code}: unknown region {c.region!r}"
            for c in directory.countries
            if c.region not in regions
        ]
        for p in directory.participants:
            if p.country is not None and p.country not in countries:
                problems.append(f"participant {p.id}: unknown country {p.country!r}")
            if p.organisation is not None and p.organisation not in orgs:
                problems.append(f"participant {p.id}: unknown organisation {p.organisation!r}")
            owner = taken.get(p.email.lower())
            if owner is not None and owner != p.id:
                problems.append(f"participant {p.id}: email {p.email} already belongs to {owner}")
        return problems

    def regions(self) -> list[Region]:
        with self.session() as s:
            return [_region(r) for r in s.exec(select(RegionRow).order_by(col(RegionRow.code)))]

    def region(self, code: str) -> Region | None:
        with self.session() as s:
            row = s.get(RegionRow, code)
            return None if row is None else _region(row)

    def countries(self, region: str | None = None) -> list[Country]:
        with self.session() as s:
            q = select(CountryRow).order_by(col(CountryRow.code))
            if region is not None:
                q = q.where(CountryRow.region == region)
            return [Country.model_validate(r.model_dump()) for r in s.exec(q)]

    def organisations(self) -> list[Organisation]:
        with self.session() as s:
            q = select(OrganisationRow).order_by(col(OrganisationRow.code))
            return [Organisation.model_validate(r.model_dump()) for r in s.exec(q)]

    def participants(self) -> list[Participant]:
        with self.session() as s:
            q = select(ParticipantRow).order_by(
                col(ParticipantRow.position), col(ParticipantRow.id)
            )
            return [_participant(r) for r in s.exec(q)]

    def resolve_participants(
        self, ids: Iterable[str], countries: Iterable[str], organisations: Iterable[str]
    ) -> tuple[list[Participant], list[str]]:
        """Everyone named by id, country or organisation, once, in directory order; and problems."""
        ids, countries, organisations = list(ids), list(countries), list(organisations)
        everyone = self.participants()
        by_id = {p.id: p for p in everyone}
        known_countries = {c.code for c in self.countries()}
        known_orgs = {o.code for o in self.organisations()}
        problems = [f"participants: unknown participant {i!r}" for i in ids if i not in by_id]
        problems += [
            f"countries: unknown country {c!r}" for c in countries if c not in known_countries
        ]
        problems += [
            f"organisations: unknown organisation {o!r}"
            for o in organisations
            if o not in known_orgs
        ]
        chosen = [
            p
            for p in everyone
            if p.id in ids or p.country in countries or p.organisation in organisations
        ]
        return chosen, problems

    # --- meetings and invitations ----------------------------------------------------

    def allocate_rtm_number(self, region: str, key: str) -> int:
        """The region's next RTM number, once per `key`; two runs never get the same one.

        The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) before reading,
        so concurrent allocations queue up instead of both reading the same last number.
        """
        with self.session() as s:
            existing = s.get(RtmAllocationRow, key)
            if existing is not None:
                return existing.number
            number = s.execute(
                text(
                    "UPDATE region SET last_rtm_number = last_rtm_number + 1 "
                    "WHERE code = :code RETURNING last_rtm_number"
                ),
                {"code": region},
            ).scalar_one_or_none()
            if number is None:
                raise ValueError(f"unknown region {region!r}")
            s.add(RtmAllocationRow(key=key, region=region, number=int(number)))
            s.commit()
            return int(number)

    def latest_meeting(self, region: str) -> str | None:
        """The id of the region's most recently recorded meeting, if any."""
        with self.session() as s:
            q = select(MeetingRow).where(MeetingRow.region == region)
            rows = list(s.exec(q.order_by(col(MeetingRow.updated_at).desc())))
            return rows[0].id if rows else None

    def record_meeting(
        self,
        meeting_id: str,
        region: str,
        title: str,
        phase: str,
        definition: str,
        number: int | None = None,
    ) -> None:
        """The meeting's projection; an RTM's number also becomes the region's last one."""
        with self.session() as s:
            s.merge(
                MeetingRow(
                    id=meeting_id, region=region, title=title, phase=phase, definition=definition
                )
            )
            if number is not None:
                s.execute(
                    text(
                        "UPDATE region SET last_rtm_number = :n "
                        "WHERE code = :code AND last_rtm_number < :n"
                    ),
                    {"n": number, "code": region},
                )
            s.commit()

    def meeting_phase(self, meeting_id: str) -> str | None:
        with self.session() as s:
            row = s.get(MeetingRow, meeting_id)
            return None if row is None else row.phase

    def deliveries(self, meeting_id: str, sequence: int) -> dict[str, DeliveryResult]:
        """Invitations of one (meeting, sequence) already accepted or refused by SMTP."""
        return outbox.read_sequence(self.engine, meeting_id, "invitation", sequence)

    def outbox(self, meeting_id: str, keys: list[str]) -> dict[str, DeliveryResult]:
        """Messages among `keys` already accepted or refused by SMTP."""
        return outbox.read(self.engine, meeting_id, keys)

    def record_entries(self, entries: Sequence[OutboxEntry]) -> int:
        """Outbox rows and their audit rows in one transaction; a repeat changes nothing."""
        return outbox.write(self.engine, entries, AuditRow.__table__)  # type: ignore[attr-defined]

    def record_outbox(
        self, meeting_id: str, key: str, email: str, kind: str, result: DeliveryResult
    ) -> None:
        """One message's outcome (reminders, notices, action mail)."""
        entry = OutboxEntry(meeting_id=meeting_id, key=key, kind=kind, email=email, result=result)
        self.record_entries([entry])

    def record_delivery(
        self, meeting_id: str, sequence: int, email: str, result: DeliveryResult
    ) -> None:
        """One invitation's outcome, under its outbox key."""
        entry = OutboxEntry(
            meeting_id=meeting_id,
            key=invitation_key(sequence, result.participant_id),
            kind="invitation",
            sequence=sequence,
            email=email,
            result=result,
        )
        self.record_entries([entry])

    # --- action items ----------------------------------------------------------------

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

    # --- audit log -------------------------------------------------------------------

    def append_audit(
        self, meeting_id: str | None, actor: str, channel: str, action: str, detail: dict[str, Any]
    ) -> None:
        with self.session() as s:
            s.add(
                AuditRow(
                    meeting_id=meeting_id,
                    actor=actor,
                    channel=channel,
                    action=action,
                    detail=json.dumps(detail, default=str),
                )
            )
            s.commit()

    def audit(self, meeting_id: str) -> list[AuditRow]:
        with self.session() as s:
            q = select(AuditRow).where(AuditRow.meeting_id == meeting_id).order_by(col(AuditRow.id))
            return list(s.exec(q))

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("select 1"))


def _region(row: RegionRow) -> Region:
    data = row.model_dump(exclude={"reminders", "agenda_template"})
    data["reminders"] = json.loads(row.reminders or "{}")
    template = json.loads(row.agenda_template or "null")
    if template is not None:
        data["agenda_template"] = template
    return Region.model_validate(data)


def _participant(row: ParticipantRow) -> Participant:
    data = row.model_dump(exclude={"position"})
    data["role"] = Role(data["role"])
    return Participant.model_validate(data)


def _aware(at: datetime | None) -> datetime | None:
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


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
        updated_at=_now(),
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
        opened_at=_aware(row.opened_at),
        status=ActionStatus(row.status),
        done_at=_aware(row.done_at),
        done_by=done_by,
        note=row.note,
    )
