"""Collection names up to 40 characters in every column that holds one.

The next capabilities bring collections whose names pass 20 characters
(``renovation_inspection``, ``familiarity_assessment``…). The columns that name a
collection (``applied_mutation.collection``, ``change_log.collection``,
``conflict.collection``, ``attachment.parent_collection``) widen to
``schemas.limits.COLLECTION_NAME_LENGTH``. SQLite does not enforce a VARCHAR's length:
only PostgreSQL's columns change.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "collection names up to 40 characters"

COLUMNS = (("applied_mutation", "collection"), ("change_log", "collection"),
           ("conflict", "collection"), ("attachment", "parent_collection"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def widen(length: int) -> None:
        from server.tables import ChangeLog

        db = ChangeLog._meta.db
        if db.engine_type != "postgres":
            return
        for table, column in COLUMNS:
            await db.run_ddl(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({length})")

    async def up() -> None:
        await widen(40)

    async def down() -> None:
        await widen(20)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
