"""Engineers on the phone (issue 15): an engineer's team (``staff_user.team``), the on-duty
roster (``duty_roster``: one engineer per estate, day and team) and the engineer a ticket is
dispatched to (``ticket.assignee_id``).

Tickets made before keep their free-text ``assignee`` and no id. Independent of the other
migrations of the day (new columns, a new table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T11:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "engineers, their roster, a ticket's engineer"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        await db.run_ddl("ALTER TABLE staff_user ADD COLUMN team VARCHAR(20) NULL")
        await db.run_ddl("ALTER TABLE ticket ADD COLUMN assignee_id VARCHAR(36) NULL")
        await db.run_ddl("CREATE INDEX ticket_assignee_id ON ticket (assignee_id)")
        serial = "SERIAL PRIMARY KEY" if db.engine_type == "postgres" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        await db.run_ddl(
            f"CREATE TABLE duty_roster (id {serial}, estate_id VARCHAR(36) NOT NULL,"
            " day VARCHAR(10) NOT NULL, team VARCHAR(20) NOT NULL, user_id VARCHAR(36) NOT NULL)")
        await db.run_ddl("CREATE INDEX duty_roster_estate_id ON duty_roster (estate_id)")
        await db.run_ddl(
            "CREATE UNIQUE INDEX duty_roster_one ON duty_roster (estate_id, day, team)")

    async def down() -> None:
        from server.tables import Ticket

        db = Ticket._meta.db
        await db.run_ddl("DROP TABLE duty_roster")
        await db.run_ddl("DROP INDEX ticket_assignee_id")
        await db.run_ddl("ALTER TABLE ticket DROP COLUMN assignee_id")
        await db.run_ddl("ALTER TABLE staff_user DROP COLUMN team")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
