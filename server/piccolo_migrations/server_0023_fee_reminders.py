"""Fee reminders (催缴, issue 16): a fee item on each bill (existing bills are 物业费), the
estate's fee settings (``estate.fees``, ``sync.fees.FeeTerms`` JSON; NULL keeps the seeds'
calendar and targets), and two synced tables: ``arrears`` (kept by the server from the
bills) and ``fee_contact`` (the 催缴记录本), each with the sync indexes.

A bill is unique per unit, month and fee item (was: per unit and month); going back
drops the bills of other items than 物业费.

Independent of the other migrations of the day (it adds columns and tables only).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fee reminders: fee items, settings, arrears and the contact log"

SYNCED = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
          "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
          "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
          "building_id VARCHAR(36), estate_id VARCHAR(36)")

TABLES = {
    "arrears": (f"{SYNCED}, unit_id VARCHAR(36) NOT NULL, lines JSON NOT NULL DEFAULT '[]', "
                "amount_fen INTEGER NOT NULL DEFAULT 0, oldest_month VARCHAR(7) NOT NULL DEFAULT '', "
                "calendar JSON NOT NULL DEFAULT '{}'"),
    "fee_contact": (f"{SYNCED}, unit_id VARCHAR(36) NOT NULL, steward_id VARCHAR(36) NOT NULL, "
                    "kind VARCHAR(8) NOT NULL, contacted_at VARCHAR(32), reached BOOLEAN NULL, "
                    "promised_on VARCHAR(10) NULL, reason VARCHAR(16) NULL, notice VARCHAR(8) NULL, "
                    "note TEXT NOT NULL DEFAULT '', amount_fen INTEGER NOT NULL DEFAULT 0, "
                    "visit_id VARCHAR(36) NULL, ticket_id VARCHAR(36) NULL"),
}
INDEXES = (
    ("arrears_unit_id", "arrears", "unit_id"),
    ("fee_contact_unit_id", "fee_contact", "unit_id"),
    ("fee_contact_steward_id", "fee_contact", "steward_id"),
    ("fee_contact_contacted_at", "fee_contact", "contacted_at"),
    ("fee_bill_estate_month_item", "fee_bill", "estate_id, month, item"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate
        from server.tables.base import sync_index_ddl

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN fees TEXT DEFAULT NULL")
        await db.run_ddl("ALTER TABLE fee_bill ADD COLUMN item VARCHAR(12) NOT NULL DEFAULT 'property'")
        # one bill per unit, month and fee item (was: per unit and month, migration 0002)
        await db.run_ddl("DROP INDEX IF EXISTS fee_bill_unit_month")
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS fee_bill_unit_month_item ON fee_bill (unit_id, month, item)")
        for table, columns in TABLES.items():
            await db.run_ddl(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            for ddl in sync_index_ddl(table):
                await db.run_ddl(ddl)
        for name, table, columns in INDEXES:
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        for name, _, _ in reversed(INDEXES):
            await db.run_ddl(f"DROP INDEX IF EXISTS {name}")
        for table in reversed(tuple(TABLES)):
            await db.run_ddl(f"DROP TABLE IF EXISTS {table}")
        await db.run_ddl("DROP INDEX IF EXISTS fee_bill_unit_month_item")
        await db.run_ddl("DELETE FROM fee_bill WHERE item <> 'property'")
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS fee_bill_unit_month ON fee_bill (unit_id, month)")
        await db.run_ddl("ALTER TABLE fee_bill DROP COLUMN item")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN fees")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
