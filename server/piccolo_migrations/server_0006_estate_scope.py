"""The estate in every scope.

- Every synced table gets ``estate_id`` (``building`` already has it), filled from the
  record's building; a record without a building (a patrol round, a desk inquiry) takes the
  estate of its maker's buildings, else the deployment's only estate. Each gets the
  ``(estate_id, version, id)`` index an office role's pull reads (``sync_index_ddl``).
- ``fee_bill`` gets ``estate_id`` from its building.
- ``staff_estate``: the estates of each office role (desk, manager, admin). Every office
  account existing now is given every estate existing now, so that nobody loses what they
  saw; from here on an account sees only the estates it is given (fails closed).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "estate_id on every synced row; staff_estate"

SYNCED = ("unit", "household", "ticket", "ticket_event", "patrol_round", "finding",
          "vacant_check", "visit", "attachment", "conflict")

ONLY_ESTATE = "(SELECT MIN(id) FROM estate HAVING COUNT(*) = 1)"
MAKERS_ESTATE = ("(SELECT MIN(b.estate_id) FROM building_assignment a JOIN building b "
                 "ON b.id = a.building_id WHERE a.user_id = {table}.created_by)")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import StaffUser
        from server.tables.base import sync_index_ddl

        db = StaffUser._meta.db
        postgres = db.engine_type == "postgres"
        serial = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS staff_estate (id {serial}, "
                         "user_id VARCHAR(36) NOT NULL, estate_id VARCHAR(36) NOT NULL)")
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS staff_estate_user_estate "
                         "ON staff_estate (user_id, estate_id)")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS staff_estate_estate_id "
                         "ON staff_estate (estate_id)")
        await db.run_ddl("INSERT INTO staff_estate (user_id, estate_id) SELECT u.id, e.id "
                         "FROM staff_user u CROSS JOIN estate e WHERE u.role <> 'steward'")
        for table in (*SYNCED, "fee_bill"):
            await db.run_ddl(f"ALTER TABLE {table} ADD COLUMN estate_id VARCHAR(36) NULL")
            await db.run_ddl(f"UPDATE {table} SET estate_id = (SELECT b.estate_id FROM "
                             f"building b WHERE b.id = {table}.building_id) "
                             "WHERE building_id IS NOT NULL")
        for table in SYNCED:
            await db.run_ddl(f"UPDATE {table} SET estate_id = "
                             f"{MAKERS_ESTATE.format(table=table)} WHERE estate_id IS NULL")
            await db.run_ddl(f"UPDATE {table} SET estate_id = {ONLY_ESTATE} "
                             "WHERE estate_id IS NULL")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS fee_bill_estate_id ON fee_bill (estate_id)")
        for table in ("building", *SYNCED):
            for ddl in sync_index_ddl(table):
                await db.run_ddl(ddl)

    async def down() -> None:
        from server.tables import StaffUser

        db = StaffUser._meta.db
        for table in SYNCED:
            await db.run_ddl(f"DROP INDEX IF EXISTS {table}_estate_version_id")
            await db.run_ddl(f"ALTER TABLE {table} DROP COLUMN estate_id")
        await db.run_ddl("DROP INDEX IF EXISTS building_estate_version_id")
        await db.run_ddl("DROP INDEX IF EXISTS fee_bill_estate_id")
        await db.run_ddl("ALTER TABLE fee_bill DROP COLUMN estate_id")
        await db.run_ddl("DROP TABLE IF EXISTS staff_estate")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
