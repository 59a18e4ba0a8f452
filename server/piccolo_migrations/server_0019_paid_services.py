"""有偿特约服务 (应知 18, issue 15): an estate's own price list (``estate.prices``, the estate's
``sync.pricing.PriceList`` as JSON; NULL keeps the handbook's list) and a repair ticket's paid
service with the price it was charged at (``ticket.paid_*``, money in integer fen).

Tickets made before keep what they had: ``paid_service`` as it was, no item. Independent of
the other migrations of the day (it adds columns only).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "paid services: price list and ticket lines"

TICKET_COLUMNS = (
    ("paid_item", "VARCHAR(16) NULL"),
    ("paid_item_name", "VARCHAR(50) NOT NULL DEFAULT ''"),
    ("paid_unit", "VARCHAR(8) NOT NULL DEFAULT ''"),
    ("paid_price", "VARCHAR(8) NULL"),
    ("paid_rate", "INTEGER NULL"),
    ("paid_quantity", "INTEGER NULL"),
    ("paid_rent_fen", "INTEGER NULL"),
    ("paid_amount_fen", "INTEGER NULL"),
    ("paid_adjust_reason", "VARCHAR(200) NOT NULL DEFAULT ''"),
    ("paid_method", "VARCHAR(12) NULL"),
    ("paid_at", "VARCHAR(32) NULL"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        await db.run_ddl("ALTER TABLE estate ADD COLUMN prices TEXT DEFAULT NULL")
        for name, definition in TICKET_COLUMNS:
            await db.run_ddl(f"ALTER TABLE ticket ADD COLUMN {name} {definition}")

    async def down() -> None:
        from server.tables import Estate

        db = Estate._meta.db
        for name, _ in reversed(TICKET_COLUMNS):
            await db.run_ddl(f"ALTER TABLE ticket DROP COLUMN {name}")
        await db.run_ddl("ALTER TABLE estate DROP COLUMN prices")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
