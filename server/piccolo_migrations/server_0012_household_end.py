"""A household's end (过户, tenant change): ``household.ended_on`` and ``end_reason``.

A change of owner or tenant no longer overwrites the household: the old record is ended
and a new one started for the unit, so the archive keeps the former household and its
history. Every household that exists is current (both columns empty). Independent of
the other migrations of the day (it touches only the household table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "household ended_on and end_reason"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Household

        db = Household._meta.db
        await db.run_ddl("ALTER TABLE household ADD COLUMN ended_on VARCHAR(10) NULL")
        await db.run_ddl("ALTER TABLE household ADD COLUMN end_reason VARCHAR(16) NULL")

    async def down() -> None:
        from server.tables import Household

        db = Household._meta.db
        await db.run_ddl("ALTER TABLE household DROP COLUMN end_reason")
        await db.run_ddl("ALTER TABLE household DROP COLUMN ended_on")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
