"""A ticket's first response (首次响应, issue 15): ``ticket.responded_at``, stamped by the merge
the first time a ticket leaves 已受理; the response limit is measured against it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ticket responded_at"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Ticket

        await Ticket._meta.db.run_ddl("ALTER TABLE ticket ADD COLUMN responded_at VARCHAR(32) DEFAULT NULL")
        # tickets that already left 已受理 before this column: their dispatch (or the first
        # stamped step) is the best record of the response there is
        await Ticket._meta.db.run_ddl(
            "UPDATE ticket SET responded_at = COALESCE(dispatched_at, done_at, called_back_at, closed_at) "
            "WHERE status <> 'received'")

    async def down() -> None:
        from server.tables import Ticket

        await Ticket._meta.db.run_ddl("ALTER TABLE ticket DROP COLUMN responded_at")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
