"""Composite unique indexes Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes"

INDEXES = [
    ("applied_mutation_device_seq", "applied_mutation", "device_id, seq"),
    ("building_assignment_user_building", "building_assignment", "user_id, building_id"),
    ("upload_part_sha_offset", "upload_part", "sha256, \"offset\""),
    ("fee_bill_unit_month", "fee_bill", "unit_id, month"),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create() -> None:
        from server.tables import AppliedMutation

        db = AppliedMutation._meta.db
        for name, table, columns in INDEXES:
            await db.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop() -> None:
        from server.tables import AppliedMutation

        db = AppliedMutation._meta.db
        for name, _, _ in INDEXES:
            await db.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
