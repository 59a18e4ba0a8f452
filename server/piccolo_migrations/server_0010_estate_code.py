"""The estate's code (项目编号): how an office names its estate on the command line
(``stewardsync import PATH --estate CODE``) and in the ledger. Unique; an estate made
before this migration gets ``E`` and the first eight characters of its id."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "estate code"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN code VARCHAR(20) NULL")
        await db.run_ddl("UPDATE estate SET code = 'E' || UPPER(SUBSTR(id, 1, 8)) WHERE code IS NULL")
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS estate_code ON estate (code)")

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("DROP INDEX IF EXISTS estate_code")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN code")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
