"""Move-in (入住), the handover inspection (验房) and the key register (钥匙登记), issue 18:
four synced tables with the sync indexes every synced table has, a warranty ticket's
handover (``ticket.source_handover_id``) and the estate's 物业费 rates
(``estate.property_fees``, ``sync.move_in.PropertyFees`` as JSON; NULL keeps the seeds').
Independent of the other migrations of the day (new tables and added columns only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "move-in, handover inspection and key register"

SYNCED = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
          "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
          "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
          "building_id VARCHAR(36), estate_id VARCHAR(36)")

TABLES: dict[str, str] = {
    "move_in": "unit_id VARCHAR(36) NOT NULL, household_id VARCHAR(36), owner_name VARCHAR(50) NOT NULL, "
               "owner_phone VARCHAR(30), owner_id_number VARCHAR(30), work_unit VARCHAR(100), "
               "family_structure TEXT, step VARCHAR(20) NOT NULL DEFAULT 'identity_checked', "
               "agreements JSON NOT NULL DEFAULT '[]', fee_fen INTEGER, "
               "fee_receipt VARCHAR(30) NOT NULL DEFAULT '', fee_paid_at VARCHAR(32), "
               "keys_handed INTEGER NOT NULL DEFAULT 0, gifts_handed BOOLEAN NOT NULL DEFAULT FALSE, "
               "manuals_handed BOOLEAN NOT NULL DEFAULT FALSE, handed_over_at VARCHAR(32)",
    "handover": "move_in_id VARCHAR(36) NOT NULL, unit_id VARCHAR(36) NOT NULL, steward_id VARCHAR(36) NOT NULL, "
                "rooms JSON NOT NULL DEFAULT '{}', keys_counted INTEGER, "
                "status VARCHAR(8) NOT NULL DEFAULT 'open', owner_signed BOOLEAN NOT NULL DEFAULT FALSE, "
                "signed_at VARCHAR(32), notes TEXT NOT NULL DEFAULT ''",
    "estate_key": "kind VARCHAR(8) NOT NULL, label VARCHAR(50) NOT NULL, unit_id VARCHAR(36), "
                  "place VARCHAR(50) NOT NULL DEFAULT '', keeper VARCHAR(50) NOT NULL DEFAULT '', "
                  "copies INTEGER NOT NULL DEFAULT 1, holder VARCHAR(50) NOT NULL DEFAULT '', out_since VARCHAR(32)",
    "key_loan": "key_id VARCHAR(36) NOT NULL, borrower VARCHAR(50) NOT NULL, reason VARCHAR(200) NOT NULL, "
                "out_at VARCHAR(32), back_at VARCHAR(32), notes VARCHAR(200) NOT NULL DEFAULT ''",
}
INDEXES = (("move_in", "unit_id"), ("handover", "move_in_id"), ("handover", "unit_id"),
           ("key_loan", "key_id"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate
        from server.tables.base import sync_index_ddl

        db = Estate._meta.db
        for table, columns in TABLES.items():
            await db.run_ddl(f"CREATE TABLE IF NOT EXISTS {table} ({SYNCED}, {columns})")
            for ddl in sync_index_ddl(table):
                await db.run_ddl(ddl)
        for table, column in INDEXES:
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table} ({column})")
        await db.run_ddl("ALTER TABLE ticket ADD COLUMN source_handover_id VARCHAR(36) DEFAULT NULL")
        await db.run_ddl("ALTER TABLE estate ADD COLUMN property_fees TEXT DEFAULT NULL")

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate DROP COLUMN property_fees")
        await db.run_ddl("ALTER TABLE ticket DROP COLUMN source_handover_id")
        for table in reversed(TABLES):
            await db.run_ddl(f"DROP TABLE IF EXISTS {table}")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
