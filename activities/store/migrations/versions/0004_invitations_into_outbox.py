"""Invitations recorded before the outbox: copied into it, so an upgraded installation's
record of sent mail is whole.

Before one outbox held every kind of message, invitations had a table of their own
(`invitation`, a row per meeting, sequence and participant), and databases of that time were
adopted as revision 0001 with it left beside the outbox, which lacked the `sequence` column
too. What reads sent invitations now (a person's meetings, the calendar feeds, a retried send
that must not send again) reads the outbox only. This adds the column where it is missing,
copies each old row the outbox does not have under its outbox key
(`s<sequence>:invitation:<participant>`, kind `invitation`; the outbox wins where both have
one), and drops the old table. The audit log already has a row for each of these messages,
written when it was sent. A database without the old table is left as it is.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "invitation"
_COLUMNS = ("meeting_id", "participant_id", "email", "message_id", "status", "error", "at")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "sequence" not in {c["name"] for c in inspector.get_columns("outbox")}:
        op.add_column("outbox", sa.Column("sequence", sa.Integer(), nullable=True))
        op.create_index("ix_outbox_sequence", "outbox", ["sequence"])
    if not inspector.has_table(_OLD):
        return
    old = sa.table(_OLD, sa.column("sequence", sa.Integer()), *map(sa.column, _COLUMNS))
    outbox = sa.table(
        "outbox",
        sa.column("key", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("sequence", sa.Integer()),
        *map(sa.column, _COLUMNS),
    )
    key = (
        sa.literal("s", sa.String())
        + sa.cast(old.c.sequence, sa.String())
        + sa.literal(":invitation:", sa.String())
        + sa.cast(old.c.participant_id, sa.String())
    )
    recorded = sa.exists().where(outbox.c.meeting_id == old.c.meeting_id, outbox.c.key == key)
    rows = sa.select(
        old.c.meeting_id,
        key,
        sa.literal("invitation", sa.String()),
        old.c.sequence,
        *(old.c[name] for name in _COLUMNS[1:]),
    ).where(~recorded)
    names = ["meeting_id", "key", "kind", "sequence", *_COLUMNS[1:]]
    op.execute(outbox.insert().from_select(names, rows))
    op.drop_table(_OLD)


def downgrade() -> None:
    """Nothing to undo: the copied rows are outbox rows like any other at revision 0003."""
