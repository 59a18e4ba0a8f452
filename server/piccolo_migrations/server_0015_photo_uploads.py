"""Who uploaded a photo's bytes (issue 14, finding 8): ``attachment_upload``, and the
uploader and time of each chunk in ``upload_part``.

A record may name stored bytes only if its user's phone uploaded them (or a record in the
user's scope already names them); a phone's uploads that no record names count against its
quota and are purged after a day. Bytes stored before this migration have no uploader: they
are named by the records they were uploaded for (the purge keeps every blob a record names).
Parts in flight are dropped (each phone asks the server where it stands and starts again).
The index on ``visit.signature_sha256`` keeps "does a record name these bytes" cheap.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-04T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attachment_upload; upload_part uploader and created_at"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import AttachmentBlob

        db = AttachmentBlob._meta.db
        serial = "SERIAL PRIMARY KEY" if isinstance(db, PostgresEngine) else "INTEGER PRIMARY KEY NOT NULL"
        await db.run_ddl(
            f'CREATE TABLE IF NOT EXISTS attachment_upload ("id" {serial}, '
            "\"sha256\" VARCHAR(64) NOT NULL DEFAULT '', \"uploader\" VARCHAR(80) NOT NULL DEFAULT '', "
            "\"user_id\" VARCHAR(36) NOT NULL DEFAULT '', \"size\" INTEGER NOT NULL DEFAULT 0, "
            '"created_at" VARCHAR(32) DEFAULT NULL)')
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS attachment_upload_sha_uploader "
                         "ON attachment_upload (sha256, uploader)")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS attachment_upload_uploader_at "
                         "ON attachment_upload (uploader, created_at)")
        await db.run_ddl("DELETE FROM upload_part")
        await db.run_ddl("ALTER TABLE upload_part ADD COLUMN uploader VARCHAR(80) NOT NULL DEFAULT ''")
        await db.run_ddl("ALTER TABLE upload_part ADD COLUMN created_at VARCHAR(32) DEFAULT NULL")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS visit_signature_sha256 ON visit (signature_sha256)")

    async def down() -> None:
        from server.tables import AttachmentBlob

        db = AttachmentBlob._meta.db
        await db.run_ddl("DROP INDEX IF EXISTS visit_signature_sha256")
        await db.run_ddl("ALTER TABLE upload_part DROP COLUMN created_at")
        await db.run_ddl("ALTER TABLE upload_part DROP COLUMN uploader")
        await db.run_ddl("DROP TABLE IF EXISTS attachment_upload")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
