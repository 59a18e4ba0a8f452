"""Meter reading (抄表, issue 16): the estate's meters, their readings, and the estate's
meter settings (``estate.meter_settings``: round day, high-use rule, 分摊 and tariffs, as
``sync.meters.MeterSettings`` JSON; NULL: the seeded settings).

Independent of the other migrations of the day (new tables, a new column).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meters, meter readings, an estate's meter settings"

SYNC_COLUMNS = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
                "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
                "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
                "building_id VARCHAR(36), estate_id VARCHAR(36)")
METER = (f"{SYNC_COLUMNS}, unit_id VARCHAR(36) NULL, kind VARCHAR(12) NOT NULL, "
         "use VARCHAR(12) NOT NULL, floor INTEGER NOT NULL DEFAULT 0, "
         "place VARCHAR(50) NOT NULL DEFAULT '', walk_order INTEGER NOT NULL DEFAULT 0, "
         "serial VARCHAR(40) NOT NULL DEFAULT ''")
READING = (f"{SYNC_COLUMNS}, meter_id VARCHAR(36) NOT NULL, reading DOUBLE PRECISION NOT NULL, "
           "read_at VARCHAR(32) NULL, reader_id VARCHAR(36) NOT NULL, flag VARCHAR(16) NULL, "
           "photo_sha256 VARCHAR(64) NULL, source VARCHAR(16) NOT NULL DEFAULT 'round', "
           "note TEXT NOT NULL DEFAULT '', review VARCHAR(12) NULL, review_note TEXT NOT NULL DEFAULT ''")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import StaffUser
        from server.tables.base import sync_index_ddl

        db = StaffUser._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN meter_settings TEXT NULL")
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS meter ({METER})")
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS meter_reading ({READING})")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS meter_unit_id ON meter (unit_id)")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS meter_reading_meter_id ON meter_reading (meter_id)")
        for table in ("meter", "meter_reading"):
            for ddl in sync_index_ddl(table):
                await db.run_ddl(ddl)

    async def down() -> None:
        from server.tables import StaffUser

        db = StaffUser._meta.db
        await db.run_ddl("DROP TABLE IF EXISTS meter_reading")
        await db.run_ddl("DROP TABLE IF EXISTS meter")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN meter_settings")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
