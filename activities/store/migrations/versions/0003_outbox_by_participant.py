"""The outbox by participant: "my meetings" asks which meetings invited a person, and
without an index that read every message the engine ever sent.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_outbox_participant_id"


def upgrade() -> None:
    # a database that `create_all` made from today's code has it already
    if _INDEX not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("outbox")}:
        op.create_index(_INDEX, "outbox", ["participant_id"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="outbox")
