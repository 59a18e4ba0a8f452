"""Login throttling per account and address (issue 14): ``login_attempt (ip, at)``.

Locks are no longer kept on the account row: they are counted from ``login_attempt`` per
account and address, per address and per account (``server.auth.throttle``), and an
account's successful logins are kept for 90 days as its known addresses. The per-address
count is asked on every login from an unknown place; this index keeps it cheap when one
address sends many. ``staff_user.failed_logins`` and ``locked_until`` are no longer read
(a lock set before this migration is gone with it).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "login_attempt (ip, at) index for login throttling"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import LoginAttempt

        await LoginAttempt._meta.db.run_ddl(
            "CREATE INDEX IF NOT EXISTS login_attempt_ip_at ON login_attempt (ip, at)")

    async def down() -> None:
        from server.tables import LoginAttempt

        await LoginAttempt._meta.db.run_ddl("DROP INDEX IF EXISTS login_attempt_ip_at")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
