"""``staff_session.csrf_token`` dropped: nothing read it. Desk forms are guarded by
Litestar's CSRF middleware (its ``csrftoken`` cookie and the ``_csrf_token`` field or
``X-CSRFToken`` header), not by a token kept with the session.

Piccolo's own ``drop_column`` keeps the migrations' schema snapshot in step with the
tables (``ALTER TABLE … DROP COLUMN``: PostgreSQL, and SQLite from 3.35).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the unused staff_session.csrf_token"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)
    manager.drop_column(table_class_name="StaffSession", tablename="staff_session",
                        column_name="csrf_token", db_column_name="csrf_token")
    return manager
