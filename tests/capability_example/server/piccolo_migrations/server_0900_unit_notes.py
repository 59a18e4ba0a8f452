"""Notes on units: the table and the sync indexes every synced table has."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2099-01-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unit notes"

COLUMNS = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
           "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
           "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
           "building_id VARCHAR(36), estate_id VARCHAR(36), unit_id VARCHAR(36) NOT NULL, "
           "body TEXT NOT NULL DEFAULT '', steward_id VARCHAR(36) NOT NULL")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import StaffUser
        from server.tables.base import sync_index_ddl

        db = StaffUser._meta.db
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS unit_note ({COLUMNS})")
        for ddl in sync_index_ddl("unit_note"):
            await db.run_ddl(ddl)

    async def down() -> None:
        from server.tables import StaffUser

        await StaffUser._meta.db.run_ddl("DROP TABLE IF EXISTS unit_note")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
