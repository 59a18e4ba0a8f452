"""Indexes shaped for the sync paths, and fewer of them on the tables phones write.

- Every synced table: ``(building_id, version, id)`` replaces the single-column
  ``building_id`` index. A steward's pull reads each building of its scope in pull order
  ``(version, id)`` as one index range scan that stops at the page's end, instead of
  collecting and sorting every row of the building on every page. Any lookup by
  ``building_id`` alone uses the same index.
- Every synced table: ``(version, id)`` replaces ``version``: office roles pull the whole
  estate in that order.
- ``finding``: the single-column indexes on ``round_id``, ``kind`` and ``steward_id`` and
  the composite ``finding_place_time`` serve no query (the desk reads findings by time and
  by ticket); each cost every phone's write. ``ticket_id`` gets one (a ticket's findings).
- ``applied_mutation``: the ``device_id`` index is the prefix of the unique
  ``(device_id, seq)`` one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync pull indexes; unused indexes on phone-written tables dropped"

SYNCED = ("building", "unit", "household", "ticket", "ticket_event", "patrol_round", "finding",
          "vacant_check", "visit", "attachment", "conflict")

CREATE = [
    *((f"{t}_scope_version_id", t, "building_id, version, id") for t in SYNCED),
    *((f"{t}_version_id", t, "version, id") for t in SYNCED),
    ("finding_ticket_id", "finding", "ticket_id"),
]
DROP = [
    *((f"{t}_building_id", t, "building_id") for t in SYNCED),
    *((f"{t}_version", t, "version") for t in SYNCED),
    ("finding_round_id", "finding", "round_id"),
    ("finding_kind", "finding", "kind"),
    ("finding_steward_id", "finding", "steward_id"),
    ("finding_place_time", "finding", "building_id, kind, occurred_at"),
    ("applied_mutation_device_id", "applied_mutation", "device_id"),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def run(create: list[tuple[str, str, str]], drop: list[tuple[str, str, str]]) -> None:
        from server.tables import Finding

        db = Finding._meta.db
        for name, table, columns in create:
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
        for name, _, _ in drop:
            await db.run_ddl(f"DROP INDEX IF EXISTS {name}")

    async def up() -> None:
        await run(CREATE, DROP)

    async def down() -> None:
        await run(DROP, CREATE)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
