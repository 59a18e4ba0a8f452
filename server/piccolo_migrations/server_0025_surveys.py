"""Satisfaction surveys (issue 17): campaigns and corrective actions (desk tables), the
synced sheets and answers (with the sync indexes every synced table has), and the estate's
survey thresholds (``estate.survey_terms``). Independent of the other migrations of the day."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "satisfaction surveys"

SYNCED = ("id VARCHAR(36) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0, "
          "created_at VARCHAR(32), updated_at VARCHAR(32), created_by VARCHAR(36), "
          "updated_by VARCHAR(36), deleted BOOLEAN NOT NULL DEFAULT FALSE, "
          "building_id VARCHAR(36), estate_id VARCHAR(36), ")
TABLES = {
    "survey_campaign": (
        "id VARCHAR(36) PRIMARY KEY, estate_id VARCHAR(36) NOT NULL, name VARCHAR(80) NOT NULL, "
        "starts_on VARCHAR(10) NOT NULL, ends_on VARCHAR(10) NOT NULL, "
        "sample_mode VARCHAR(16) NOT NULL DEFAULT 'all', per_building INTEGER NOT NULL DEFAULT 0, "
        "questions TEXT NOT NULL DEFAULT '[]', status VARCHAR(8) NOT NULL DEFAULT 'draft', "
        "created_by VARCHAR(36), created_at VARCHAR(32), opened_at VARCHAR(32)"),
    "corrective_action": (
        "id VARCHAR(36) PRIMARY KEY, estate_id VARCHAR(36) NOT NULL, "
        "campaign_id VARCHAR(36) NOT NULL, building_id VARCHAR(36), service VARCHAR(20) NOT NULL, "
        "cause VARCHAR(12) NOT NULL, trigger_key VARCHAR(200) NOT NULL UNIQUE, "
        "detail TEXT NOT NULL DEFAULT '', owner_id VARCHAR(36), due_on VARCHAR(10), "
        "status VARCHAR(8) NOT NULL DEFAULT 'open', closing_note TEXT NOT NULL DEFAULT '', "
        "created_at VARCHAR(32), closed_at VARCHAR(32)"),
    "survey_sheet": SYNCED + (
        "campaign_id VARCHAR(36) NOT NULL, name VARCHAR(80) NOT NULL, starts_on VARCHAR(10) NOT NULL, "
        "ends_on VARCHAR(10) NOT NULL, questions JSON NOT NULL DEFAULT '[]', "
        "household_ids JSON NOT NULL DEFAULT '[]'"),
    "survey_response": SYNCED + (
        "sheet_id VARCHAR(36) NOT NULL, unit_id VARCHAR(36) NOT NULL, "
        "household_id VARCHAR(36) NOT NULL, channel VARCHAR(8) NOT NULL DEFAULT 'door', "
        "answered_at VARCHAR(32), steward_id VARCHAR(36) NOT NULL, "
        "answers JSON NOT NULL DEFAULT '[]', duplicate_of VARCHAR(36)"),
}
INDEXES = (
    "CREATE INDEX survey_campaign_estate_id ON survey_campaign (estate_id)",
    "CREATE INDEX corrective_action_estate_id ON corrective_action (estate_id)",
    "CREATE INDEX corrective_action_campaign_id ON corrective_action (campaign_id)",
    "CREATE INDEX survey_sheet_campaign_id ON survey_sheet (campaign_id)",
    "CREATE INDEX survey_response_sheet_id ON survey_response (sheet_id, household_id)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import StaffUser
        from server.tables.base import sync_index_ddl

        db = StaffUser._meta.db
        for table, columns in TABLES.items():
            await db.run_ddl(f"CREATE TABLE {table} ({columns})")
        for ddl in INDEXES:
            await db.run_ddl(ddl)
        for table in ("survey_sheet", "survey_response"):
            for ddl in sync_index_ddl(table):
                await db.run_ddl(ddl)
        await db.run_ddl("ALTER TABLE estate ADD COLUMN survey_terms TEXT NULL")

    async def down() -> None:
        from server.tables import StaffUser

        db = StaffUser._meta.db
        await db.run_ddl("ALTER TABLE estate DROP COLUMN survey_terms")
        for table in reversed(TABLES):
            await db.run_ddl(f"DROP TABLE {table}")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
