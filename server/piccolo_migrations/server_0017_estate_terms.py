"""An estate's own time limits (时限, issue 15): ``estate.terms``, the estate's ``sync.sla.Terms``
as JSON, set on the manager's 时限设置 page; NULL keeps the seeds' limits."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "estate terms"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate

        await Estate._meta.db.run_ddl("ALTER TABLE estate ADD COLUMN terms TEXT DEFAULT NULL")

    async def down() -> None:
        from server.tables import Estate

        await Estate._meta.db.run_ddl("ALTER TABLE estate DROP COLUMN terms")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
