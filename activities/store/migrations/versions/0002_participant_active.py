"""A participant can be deactivated in the directory itself: `participant.active`.

Until now the console kept deactivated people in a table of its own, which only stopped
their sign-in; the engine went on inviting them. The column moves that fact where the
invitations read the directory, carries over everyone already deactivated, and drops the
console's table. A database that `create_all` made from today's code already has the
column and no such table: both steps look before they act.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "console_deactivated"


def _has(table: str, column: str | None = None) -> bool:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(table):
        return False
    return column is None or column in {c["name"] for c in inspector.get_columns(table)}


def upgrade() -> None:
    if not _has("participant", "active"):
        op.add_column(
            "participant",
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        )
    if _has(_OLD):
        people = sa.table("participant", sa.column("id"), sa.column("active", sa.Boolean()))
        old = sa.table(_OLD, sa.column("participant_id"))
        gone = sa.select(old.c.participant_id)
        op.execute(people.update().where(people.c.id.in_(gone)).values(active=False))
        op.drop_table(_OLD)


def downgrade() -> None:
    op.create_table(
        _OLD,
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.execute(
        f"INSERT INTO {_OLD} (participant_id, at, by) "
        "SELECT id, CURRENT_TIMESTAMP, 'migration' FROM participant WHERE active = false"
    )
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("active")
