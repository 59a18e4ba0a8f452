"""Ticket numbers per estate (工单号 ``LJY-000042``): ``estate.ticket_seq``, the last number
the estate handed out. Tickets made before keep the numbers people wrote down (``GD…``,
from the sync clock); each estate's own count starts at 1 after this migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "estate ticket_seq"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate

        await Estate._meta.db.run_ddl("ALTER TABLE estate ADD COLUMN ticket_seq INTEGER NOT NULL DEFAULT 0")

    async def down() -> None:
        from server.tables import Estate

        await Estate._meta.db.run_ddl("ALTER TABLE estate DROP COLUMN ticket_seq")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
