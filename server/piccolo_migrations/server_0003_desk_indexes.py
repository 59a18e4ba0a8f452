"""Composite indexes for the desk's ticket queue (keyset pagination over 1,000,000 tickets).

Every queue query is ``WHERE deleted = false [AND filters] ORDER BY <sort>, id LIMIT n`` with a
keyset condition on (<sort>, id); each index below serves one family of filters with the
sort column and ``id`` as its trailing columns, so a page is one index range scan.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "desk queue indexes"

INDEXES = [
    ("ticket_created_id", "ticket", "created_at, id"),
    ("ticket_status_created_id", "ticket", "status, created_at, id"),
    ("ticket_building_created_id", "ticket", "building_id, created_at, id"),
    ("ticket_building_status_created_id", "ticket", "building_id, status, created_at, id"),
    ("ticket_kind_created_id", "ticket", "kind, created_at, id"),
    ("ticket_priority_created_id", "ticket", "priority, created_at, id"),
    ("ticket_assignee_created_id", "ticket", "assignee, created_at, id"),
    ("ticket_status_due_id", "ticket", "status, resolve_due_at, id"),
    ("ticket_resolve_due_id", "ticket", "resolve_due_at, id"),
    ("ticket_status_done", "ticket", "status, done_at"),
    ("ticket_event_ticket_created", "ticket_event", "ticket_id, created_at"),
    ("finding_place_time", "finding", "building_id, kind, occurred_at"),
    ("vacant_check_unit_week", "vacant_check", "unit_id, week"),
    ("conflict_status_created", "conflict", "status, created_at"),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        for name, table, columns in INDEXES:
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        for name, _, _ in INDEXES:
            await db.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
