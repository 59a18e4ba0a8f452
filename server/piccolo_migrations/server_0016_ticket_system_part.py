"""Intake records the repair procedure's fields (日常报修处理规程 2, issue 15): the system
(``ticket.system``, a code of ``schemas.vocab.TicketSystem``), the part and the damage.

Tickets made before keep what they had: no system, part and damage empty (their place and
description say it in words). Independent of the other migrations of the day (it touches
only the ticket table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ticket system, part and damage"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        await db.run_ddl('ALTER TABLE ticket ADD COLUMN "system" VARCHAR(16) NULL')
        await db.run_ddl("ALTER TABLE ticket ADD COLUMN part VARCHAR(50) NOT NULL DEFAULT ''")
        await db.run_ddl("ALTER TABLE ticket ADD COLUMN damage VARCHAR(100) NOT NULL DEFAULT ''")

    async def down() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        await db.run_ddl("ALTER TABLE ticket DROP COLUMN damage")
        await db.run_ddl("ALTER TABLE ticket DROP COLUMN part")
        await db.run_ddl('ALTER TABLE ticket DROP COLUMN "system"')

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
