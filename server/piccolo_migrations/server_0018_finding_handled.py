"""Findings reported upward (脱岗/窜岗/聚堆, 放行条未执行; issue 15) are marked handled by the
office: ``finding.handled``, ``handled_note``, and the server's stamp ``handled_by`` and
``handled_at``.

Findings made before are not handled (their supervisor list starts with them). Independent
of the other migrations of the day (it touches only the finding table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T11:00:18:000000"  # 11:00:00 (as assigned) is already 0017's id
VERSION = "1.38.0"
DESCRIPTION = "finding handled by the office"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Finding

        db = Finding._meta.db
        await db.run_ddl("ALTER TABLE finding ADD COLUMN handled BOOLEAN NOT NULL DEFAULT FALSE")
        await db.run_ddl("ALTER TABLE finding ADD COLUMN handled_note TEXT NOT NULL DEFAULT ''")
        await db.run_ddl("ALTER TABLE finding ADD COLUMN handled_by VARCHAR(36) NULL")
        await db.run_ddl("ALTER TABLE finding ADD COLUMN handled_at VARCHAR(32) NULL")

    async def down() -> None:
        from server.tables import Finding

        db = Finding._meta.db
        for column in ("handled_at", "handled_by", "handled_note", "handled"):
            await db.run_ddl(f"ALTER TABLE finding DROP COLUMN {column}")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
