"""业主熟知 (issue 17): what a steward must know of a household (应知 6) as columns of the
household archive, the reason a key customer is one (应会 1.3), and the estate's own
熟知率 / 满意率 targets (``estate.familiarity``, the estate's ``sync.familiarity.Targets`` as
JSON; NULL keeps the handbook's reading); the monthly visit plans (拜访计划: ``visit_plan_item``,
desk-only) and, on a planned visit, why it is planned (``visit.plan_reason``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "owner familiarity: archive fields and targets"

HOUSEHOLD_COLUMNS = (
    ("key_customer_reason", "VARCHAR(200) NULL"),
    ("spouse_name", "VARCHAR(50) NULL"),
    ("owner_age", "INTEGER NULL"),
    ("education", "VARCHAR(30) NULL"),
    ("hometown", "VARCHAR(50) NULL"),
    ("employer", "VARCHAR(100) NULL"),
    ("work_address", "VARCHAR(200) NULL"),
    ("family_size", "INTEGER NULL"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN familiarity TEXT DEFAULT NULL")
        for name, definition in HOUSEHOLD_COLUMNS:
            await db.run_ddl(f"ALTER TABLE household ADD COLUMN {name} {definition}")
        await db.run_ddl("ALTER TABLE visit ADD COLUMN plan_reason VARCHAR(24) NULL")
        await db.run_ddl(
            "CREATE TABLE visit_plan_item (id VARCHAR(36) PRIMARY KEY, estate_id VARCHAR(36) NOT NULL,"
            " building_id VARCHAR(36) NOT NULL, steward_id VARCHAR(36) NOT NULL, month VARCHAR(7) NOT NULL,"
            " unit_id VARCHAR(36) NOT NULL, household_id VARCHAR(36) NULL, reason VARCHAR(24) NOT NULL,"
            " status VARCHAR(10) NOT NULL DEFAULT 'proposed', proposed_by VARCHAR(36) NOT NULL,"
            " proposed_at VARCHAR(32) NULL, approved_by VARCHAR(36) NULL, approved_at VARCHAR(32) NULL)")
        await db.run_ddl("CREATE INDEX visit_plan_item_estate_id ON visit_plan_item (estate_id)")
        await db.run_ddl("CREATE INDEX visit_plan_item_building_id ON visit_plan_item (building_id)")
        await db.run_ddl("CREATE UNIQUE INDEX visit_plan_item_once ON visit_plan_item (steward_id, month, unit_id)")
        await db.run_ddl(
            "CREATE TABLE familiarity_assessment (id VARCHAR(36) PRIMARY KEY, estate_id VARCHAR(36) NOT NULL,"
            " steward_id VARCHAR(36) NOT NULL, month VARCHAR(7) NOT NULL, status VARCHAR(8) NOT NULL DEFAULT 'open',"
            " households INTEGER NOT NULL DEFAULT 0, completeness INTEGER NULL, standard VARCHAR(1) NOT NULL DEFAULT 'A',"
            " target_familiarity INTEGER NOT NULL DEFAULT 0, target_satisfaction INTEGER NOT NULL DEFAULT 0,"
            " familiarity INTEGER NULL, satisfaction INTEGER NULL, started_by VARCHAR(36) NOT NULL,"
            " started_at VARCHAR(32) NULL, finished_at VARCHAR(32) NULL)")
        await db.run_ddl("CREATE INDEX familiarity_assessment_estate_id ON familiarity_assessment (estate_id)")
        await db.run_ddl("CREATE UNIQUE INDEX familiarity_assessment_once ON familiarity_assessment (steward_id, month)")
        await db.run_ddl(
            "CREATE TABLE familiarity_check (id VARCHAR(36) PRIMARY KEY, assessment_id VARCHAR(36) NOT NULL,"
            " estate_id VARCHAR(36) NOT NULL, building_id VARCHAR(36) NOT NULL, kind VARCHAR(5) NOT NULL,"
            " position INTEGER NOT NULL DEFAULT 0, unit_id VARCHAR(36) NOT NULL, household_id VARCHAR(36) NOT NULL,"
            " owner_ok BOOLEAN NULL, employer_ok BOOLEAN NULL, family_ok BOOLEAN NULL, payment_ok BOOLEAN NULL,"
            " reached BOOLEAN NULL, knows_steward BOOLEAN NULL, rating INTEGER NULL)")
        await db.run_ddl("CREATE INDEX familiarity_check_assessment_id ON familiarity_check (assessment_id)")

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("DROP TABLE familiarity_check")
        await db.run_ddl("DROP TABLE familiarity_assessment")
        await db.run_ddl("DROP TABLE visit_plan_item")
        await db.run_ddl("ALTER TABLE visit DROP COLUMN plan_reason")
        for name, _ in reversed(HOUSEHOLD_COLUMNS):
            await db.run_ddl(f"ALTER TABLE household DROP COLUMN {name}")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN familiarity")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
