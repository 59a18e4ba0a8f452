"""Partial indexes over the tickets still being worked on (received, dispatched, in
progress): the overdue filter of the desk queue reads only those, newest first or by
deadline, instead of sorting every overdue match (SQLite and PostgreSQL both use a
partial index when the query repeats its condition, as ``server.store.tickets`` does)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "desk queue partial indexes for active tickets"

ACTIVE = "status IN ('received', 'dispatched', 'in_progress')"
INDEXES = [
    ("ticket_active_created_id", "ticket", "created_at, id"),
    ("ticket_active_due_id", "ticket", "resolve_due_at, id"),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        for name, table, columns in INDEXES:
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns}) WHERE {ACTIVE}")

    async def drop() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        for name, _, _ in INDEXES:
            await db.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
