"""The database: one part per feature (its tables and its methods), one `Store` over them.

A feature that needs tables adds a module here with its rows and a `StoreBase` subclass of
methods, and one base class below.
"""

from activities.store import schema
from activities.store.actions import ActionRow, ActionStore
from activities.store.audit import AuditRow
from activities.store.deliveries import DeliveryStore, OutboxRow
from activities.store.directory import (
    CountryRow,
    DirectoryStore,
    OrganisationRow,
    ParticipantRow,
    RegionRow,
)
from activities.store.engine import StoreBase, make_engine
from activities.store.ideas import IdeaStore, ProjectIdeaRow
from activities.store.meetings import MeetingRow, MeetingStore, RtmAllocationRow
from activities.store.refusals import RefusalRow, RefusalStore
from activities.store.reports import ReportsStore
from activities.store.schema import SchemaNotReady
from activities.store.series import SeriesAllocationRow, SeriesRow, SeriesStore


class Store(
    DirectoryStore,
    MeetingStore,
    DeliveryStore,
    ActionStore,
    RefusalStore,  # the audit log (AuditStore) with its counted refusals
    ReportsStore,
    SeriesStore,
    IdeaStore,
):
    """All database access of the engine, one method per question or fact."""

    def upgrade_schema(self) -> tuple[str | None, str]:
        """Create or upgrade the schema (the only DDL the engine runs); (before, after)."""
        return schema.upgrade(self.engine)

    def check_schema(self) -> None:
        """Raise SchemaNotReady unless the schema is at the code's revision."""
        schema.check(self.engine)


__all__ = [
    "ActionRow",
    "AuditRow",
    "CountryRow",
    "MeetingRow",
    "OrganisationRow",
    "OutboxRow",
    "ParticipantRow",
    "ProjectIdeaRow",
    "RefusalRow",
    "RegionRow",
    "RtmAllocationRow",
    "SchemaNotReady",
    "SeriesAllocationRow",
    "SeriesRow",
    "Store",
    "StoreBase",
    "make_engine",
    "schema",
]
