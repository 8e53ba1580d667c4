"""The console's own tables: one-time sign-in links, sessions, and sign-in requests.

Only hashes of the secrets are kept (a leaked database opens no session). The tables are
created on first use, so the console works before and after the schema is migrated.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select, update

from activities.store.deliveries import OutboxRow
from activities.store.directory import (
    _FIELDS,
    CountryRow,
    OrganisationRow,
    ParticipantRow,
    RegionRow,
    _participant,
    _validated,
)
from activities.store.engine import StoreBase
from activities.store.meetings import MeetingRow
from domain.directory.models import Participant


def digest(secret: str) -> str:
    """What the database keeps of a secret token."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Placed(NamedTuple):
    """A directory entry and where it belongs."""

    person: Participant
    region: str | None
    coordination: bool


UNBOUND = ""  # the nonce hash of a link not bound to a browser


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class SignInTokenRow(SQLModel, table=True):
    """A mailed one-time link: single use, short-lived, bound to the asking browser."""

    __tablename__ = "console_signin_token"
    token_hash: str = Field(primary_key=True)
    participant_id: str = Field(index=True)
    nonce_hash: str
    expires_at: datetime
    used_at: datetime | None = None


class SessionRow(SQLModel, table=True):
    """A signed-in browser; the cookie holds the secret whose hash is the key."""

    __tablename__ = "console_session"
    token_hash: str = Field(primary_key=True)
    participant_id: str = Field(index=True)
    created_at: datetime
    last_seen: datetime
    via: str = "link"
    revoked_at: datetime | None = None


class SignInRequestRow(SQLModel, table=True):
    """One sign-in request, kept to rate-limit by address and by client."""

    __tablename__ = "console_signin_request"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True)
    client: str = Field(index=True)
    at: datetime = Field(index=True)


def _signed_in_query() -> Select[Any]:
    """Session, person and region in one statement (the country's region, or the region
    of the person's organisation when they have no country, as `_placed` decides)."""
    person, country, org, region = (
        ParticipantRow.__table__,  # type: ignore[attr-defined]
        CountryRow.__table__,  # type: ignore[attr-defined]
        OrganisationRow.__table__,  # type: ignore[attr-defined]
        RegionRow.__table__,  # type: ignore[attr-defined]
    )
    session = SessionRow.__table__  # type: ignore[attr-defined]
    where = func.coalesce(country.c.region, org.c.region)
    joined = (
        session.join(person, person.c.id == session.c.participant_id)
        .outerjoin(country, country.c.code == person.c.country)
        .outerjoin(org, and_(org.c.code == person.c.organisation, person.c.country.is_(None)))
        .outerjoin(region, region.c.code == where)
    )
    return (
        sa_select(
            session.c.created_at,
            session.c.last_seen,
            session.c.revoked_at,
            person.c.active,
            *(person.c[name] for name in _FIELDS),
            where.label("region"),
            region.c.coordination,
        )
        .select_from(joined)
        .where(session.c.token_hash == bindparam("key"))
    )


_SIGNED_IN = _signed_in_query()


class ConsoleStore(StoreBase):
    """Reads and writes of the console's tables; every method is one short transaction.

    Kept apart from `Store`: only the web app needs it. Its tables come with the schema
    (`rtm db upgrade`) like every other."""

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- sign-in requests and links ---------------------------------------------------

    def count_requests(self, email: str, client: str, since: datetime) -> tuple[int, int]:
        """How many sign-in requests this address and this client made since `since`."""
        with self._session() as s:
            by_email = s.exec(
                select(func.count())
                .select_from(SignInRequestRow)
                .where(SignInRequestRow.email == email, col(SignInRequestRow.at) >= since)
            ).one()
            by_client = s.exec(
                select(func.count())
                .select_from(SignInRequestRow)
                .where(SignInRequestRow.client == client, col(SignInRequestRow.at) >= since)
            ).one()
        return int(by_email), int(by_client)

    def record_request(self, email: str, client: str, at: datetime) -> None:
        with self._session() as s:
            s.add(SignInRequestRow(email=email, client=client, at=at))
            s.commit()

    def add_token(
        self, token: str, participant_id: str, nonce: str | None, expires_at: datetime
    ) -> None:
        """A sign-in link; `nonce` None: not yet bound (an operator's link, e.g. the demo's),
        the first browser that presses its button spends it."""
        with self._session() as s:
            s.add(
                SignInTokenRow(
                    token_hash=digest(token),
                    participant_id=participant_id,
                    nonce_hash=UNBOUND if nonce is None else digest(nonce),
                    expires_at=expires_at,
                )
            )
            s.commit()

    def token(self, token: str) -> SignInTokenRow | None:
        with self._session() as s:
            return s.get(SignInTokenRow, digest(token))

    def use_token(self, token: str, nonce: str, now: datetime) -> str | None:
        """Spend the link once: its participant, or None (unknown, used, expired, other browser).

        One conditional UPDATE, so two clicks racing each other cannot both win.
        """
        with self._session() as s:
            done = s.exec(
                update(SignInTokenRow)
                .where(
                    col(SignInTokenRow.token_hash) == digest(token),
                    col(SignInTokenRow.nonce_hash).in_([digest(nonce), UNBOUND]),
                    col(SignInTokenRow.used_at).is_(None),
                    col(SignInTokenRow.expires_at) > now,
                )
                .values(used_at=now)
            )
            s.commit()
            if done.rowcount != 1:
                return None
            row = s.get(SignInTokenRow, digest(token))
            return row.participant_id if row is not None else None

    # --- sessions ---------------------------------------------------------------------

    def open_session(self, token: str, participant_id: str, now: datetime, via: str) -> None:
        with self._session() as s:
            s.add(
                SessionRow(
                    token_hash=digest(token),
                    participant_id=participant_id,
                    created_at=now,
                    last_seen=now,
                    via=via,
                )
            )
            s.commit()

    def signed_in(
        self,
        token: str,
        now: datetime,
        idle: timedelta,
        absolute: timedelta,
        touch_after: timedelta,
    ) -> Placed | None:
        """The active person behind a live session and where they belong. Every page asks,
        so it is one SELECT (session, person, their country or organisation and its region)
        and, once a minute per browser, one UPDATE."""
        key = digest(token)
        with self.engine.connect() as conn:
            found = conn.execute(_SIGNED_IN, {"key": key}).first()
            if found is None or found.revoked_at is not None or not found.active:
                return None
            created, seen = _aware(found.created_at), _aware(found.last_seen)
            if now - created >= absolute or now - seen >= idle:
                return None
            if now - seen >= touch_after:  # one write a minute per browser, not per request
                conn.execute(
                    update(SessionRow)
                    .where(col(SessionRow.token_hash) == key)
                    .values(last_seen=now)
                )
                conn.commit()
        person = _validated(tuple(getattr(found, name) for name in _FIELDS))
        return Placed(person, found.region, bool(found.coordination))

    def revoke(self, token: str, now: datetime) -> None:
        with self._session() as s:
            s.exec(
                update(SessionRow)
                .where(col(SessionRow.token_hash) == digest(token))
                .values(revoked_at=now)
            )
            s.commit()

    def revoke_all(self, participant_id: str, now: datetime) -> int:
        """Sign out everywhere: every open session of the person."""
        with self._session() as s:
            done = s.exec(
                update(SessionRow)
                .where(
                    col(SessionRow.participant_id) == participant_id,
                    col(SessionRow.revoked_at).is_(None),
                )
                .values(revoked_at=now)
            )
            s.commit()
            return int(done.rowcount)

    # --- deactivated people (the directory's `active` column) ---------------------------

    def is_active(self, participant_id: str) -> bool:
        with self._session() as s:
            row = s.get(ParticipantRow, participant_id)
            return row is not None and row.active

    # --- what the console reads of the engine's tables --------------------------------

    def person(self, participant_id: str) -> Placed | None:
        """A directory entry, the region it belongs to (its country's, or the region its
        organisation names: a regional secretariat), and whether that is the coordination."""
        with self._session() as s:
            row = s.get(ParticipantRow, participant_id)
            return None if row is None else _placed(s, row)

    def names_of(self, ids: list[str]) -> dict[str, str]:
        """The names of these people, by id (those the directory knows), in one query."""
        if not ids:
            return {}
        with self._session() as s:
            q = select(ParticipantRow.id, ParticipantRow.name)
            return dict(s.exec(q.where(col(ParticipantRow.id).in_(ids))).all())

    def person_by_email(self, email: str) -> Participant | None:
        """The directory entry with this address (compared case-insensitively)."""
        with self._session() as s:
            q = select(ParticipantRow).where(func.lower(ParticipantRow.email) == email.lower())
            row = s.exec(q).first()
            return None if row is None else _participant(row)

    def region_people(
        self, region: str, secretariat: str, query: str, offset: int, limit: int
    ) -> tuple[list[Participant], int, set[str]]:
        """One page of the people of the region's countries and this secretariat
        organisation (name or address containing `query`), in directory order; how many
        match; and which of the page are deactivated. Core statements: a page of the
        directory is asked for often, and loading ORM rows was most of its time."""
        person = ParticipantRow.__table__  # type: ignore[attr-defined]
        country = CountryRow.__table__  # type: ignore[attr-defined]
        of_region = sa_select(country.c.code).where(country.c.region == region)
        where = or_(person.c.country.in_(of_region), person.c.organisation == secretariat)
        if query:
            like = f"%{query.lower()}%"
            where = and_(
                where,
                or_(func.lower(person.c.name).like(like), func.lower(person.c.email).like(like)),
            )
        columns = [person.c[name] for name in _FIELDS]
        page = (
            sa_select(*columns, person.c.active)
            .where(where)
            .order_by(person.c.position, person.c.id)
            .offset(offset)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            total = conn.execute(sa_select(func.count()).select_from(person).where(where))
            count = int(total.scalar_one())
            rows = conn.execute(page).all()
        people = [_validated(tuple(row[: len(_FIELDS)])) for row in rows]
        return people, count, {row.id for row in rows if not row.active}

    def meetings(self, region: str | None = None) -> list[MeetingRow]:
        """The meeting projections of a region (or all), newest first."""
        with self._session() as s:
            q = select(MeetingRow)
            if region is not None:
                q = q.where(MeetingRow.region == region)
            return list(s.exec(q.order_by(col(MeetingRow.updated_at).desc())))

    def meeting(self, meeting_id: str) -> MeetingRow | None:
        with self._session() as s:
            return s.get(MeetingRow, meeting_id)

    def invited_to(self, participant_id: str) -> list[MeetingRow]:
        """The meetings this person was ever sent an invitation for, by id, in one query."""
        with self._session() as s:
            sent = select(OutboxRow.meeting_id).where(
                OutboxRow.participant_id == participant_id, OutboxRow.kind == "invitation"
            )
            q = select(MeetingRow).where(col(MeetingRow.id).in_(sent))
            return list(s.exec(q.order_by(col(MeetingRow.id))))


def _placed(s: Session, row: ParticipantRow) -> Placed:
    region = None
    if row.country is not None:
        country = s.get(CountryRow, row.country)
        region = country.region if country is not None else None
    elif row.organisation is not None:
        org = s.get(OrganisationRow, row.organisation)
        region = org.region if org is not None else None
    found = s.get(RegionRow, region) if region else None
    return Placed(_participant(row), region, bool(found and found.coordination))
