"""装修 (issue 18): renovation cases and their inspections (synced tables with the sync
indexes every synced table has), and an estate's own renovation fees (``estate.renovation_fees``,
``sync.renovation.RenovationFees`` as JSON; NULL keeps the handbook's figures), and the case a
neighbour's complaint is about (``ticket.renovation_id``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "renovation cases, inspections and fees"

SYNCED = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
          "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
          "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
          "building_id VARCHAR(36), estate_id VARCHAR(36)")
DAYS = ("approved_on", "fees_paid_on", "tested_on", "permit_on", "completed_on", "first_on",
        "passes_returned_on", "second_on", "refunded_on", "first_due", "second_due")
FEN = ("quality_deposit_fen", "rubbish_fen", "passes_issued", "pass_fee_fen", "pass_deposit_fen",
       "passes_returned", "pass_deposit_refunded_fen", "quality_deposit_refunded_fen")
RENOVATION = (
    f"{SYNCED}, unit_id VARCHAR(36) NOT NULL, household_id VARCHAR(36), "
    "status VARCHAR(16) NOT NULL DEFAULT 'applied', owner_name VARCHAR(50) NOT NULL DEFAULT '', "
    "contractor VARCHAR(100) NOT NULL DEFAULT '', contractor_phone VARCHAR(30) NOT NULL DEFAULT '', "
    "plan TEXT NOT NULL DEFAULT '', unit_type VARCHAR(10) NOT NULL, "
    "area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0, papers JSON NOT NULL DEFAULT '[]', "
    "applied_on VARCHAR(10) NOT NULL, "
    + "".join(f"{d} VARCHAR(10), " for d in DAYS)
    + "".join(f"{f} INTEGER NOT NULL DEFAULT 0, " for f in FEN)
    + "test_inspection_id VARCHAR(36), first_inspection_id VARCHAR(36), second_inspection_id VARCHAR(36), "
    + "notes TEXT NOT NULL DEFAULT ''"
)
INSPECTION = (
    f"{SYNCED}, renovation_id VARCHAR(36) NOT NULL, kind VARCHAR(8) NOT NULL, "
    "inspected_at VARCHAR(32), inspected_on VARCHAR(10) NOT NULL, steward_id VARCHAR(36) NOT NULL, "
    "results JSON NOT NULL DEFAULT '{}', findings TEXT NOT NULL DEFAULT '', notice TEXT NOT NULL DEFAULT '', "
    "notice_due VARCHAR(10), checks_notice_id VARCHAR(36), notice_result VARCHAR(16), passed BOOLEAN, "
    "signature_sha256 VARCHAR(64)"
)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS ticket_renovation_id ON ticket (renovation_id)",
    "CREATE INDEX IF NOT EXISTS renovation_unit_id ON renovation (unit_id)",
    "CREATE INDEX IF NOT EXISTS renovation_status ON renovation (status)",
    "CREATE INDEX IF NOT EXISTS renovation_inspection_renovation_id ON renovation_inspection (renovation_id)",
    "CREATE INDEX IF NOT EXISTS renovation_inspection_signature_sha256 ON renovation_inspection (signature_sha256)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate
        from server.tables.base import sync_index_ddl

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN renovation_fees TEXT DEFAULT NULL")
        await db.run_ddl("ALTER TABLE ticket ADD COLUMN renovation_id VARCHAR(36) DEFAULT NULL")
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS renovation ({RENOVATION})")
        await db.run_ddl(f"CREATE TABLE IF NOT EXISTS renovation_inspection ({INSPECTION})")
        for ddl in (*sync_index_ddl("renovation"), *sync_index_ddl("renovation_inspection"), *INDEXES):
            await db.run_ddl(ddl)

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("DROP TABLE IF EXISTS renovation_inspection")
        await db.run_ddl("DROP TABLE IF EXISTS renovation")
        await db.run_ddl("DROP INDEX IF EXISTS ticket_renovation_id")
        await db.run_ddl("ALTER TABLE ticket DROP COLUMN renovation_id")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN renovation_fees")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
