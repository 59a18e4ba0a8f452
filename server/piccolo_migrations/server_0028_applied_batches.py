"""One bookkeeping row per push instead of one per mutation (issue 19, PostgreSQL writes).

``applied_batch`` holds each processed batch of a device: its seq range and every
mutation's replay answer as one JSON array (``sync.storage.ProcessedMutation``: seq,
collection, record id, op, result, and the payload of a rejected one). A push of 1,000
mutations now writes one row where it wrote 1,000 rows and 2,000 index entries (the
PostgreSQL push spent about 6 ms of the database's time per 1,000 on them:
docs/performance.md).

``applied_mutation`` becomes a view over it with the columns it had (``id`` aside, plus
``payload``), so that the integrity check, the operations queries and the tests read
processed mutations as before. The rows it held move into ``applied_batch``, one row per
device and push (their ``applied_at``).
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "applied_batch: one row per push; applied_mutation a view over it"

BATCH_COLUMNS = ("device_id VARCHAR(36) NOT NULL, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, "
                 "mutations JSON NOT NULL, applied_at VARCHAR(32)")

VIEW = {
    "postgres": (
        "CREATE VIEW applied_mutation AS SELECT b.device_id, (e->>'seq')::bigint AS seq, "
        "e->>'collection' AS collection, e->>'record_id' AS record_id, e->>'op' AS op, "
        "e->'result'->>'status' AS status, (e->'result'->>'version')::bigint AS version, "
        "e->'result' AS result, e->'payload' AS payload, b.applied_at "
        "FROM applied_batch b CROSS JOIN LATERAL json_array_elements(b.mutations) e"),
    "sqlite": (
        "CREATE VIEW applied_mutation AS SELECT b.device_id, json_extract(e.value, '$.seq') AS seq, "
        "json_extract(e.value, '$.collection') AS collection, "
        "json_extract(e.value, '$.record_id') AS record_id, json_extract(e.value, '$.op') AS op, "
        "json_extract(e.value, '$.result.status') AS status, "
        "json_extract(e.value, '$.result.version') AS version, "
        "json_extract(e.value, '$.result') AS result, json_extract(e.value, '$.payload') AS payload, "
        "b.applied_at FROM applied_batch b, json_each(b.mutations) e"),
}

# the old rows, one batch row per device and push, their entries in seq order
MOVE = {
    "postgres": (
        "INSERT INTO applied_batch (device_id, first_seq, last_seq, mutations, applied_at) "
        "SELECT device_id, MIN(seq), MAX(seq), json_agg(json_build_object("
        "'seq', seq, 'collection', collection, 'record_id', record_id, 'op', op, "
        "'result', (result::jsonb - 'payload')::json, 'payload', result->'payload') ORDER BY seq), applied_at "
        "FROM applied_mutation_old GROUP BY device_id, applied_at"),
    "sqlite": (
        "INSERT INTO applied_batch (device_id, first_seq, last_seq, mutations, applied_at) "
        "SELECT device_id, MIN(seq), MAX(seq), json_group_array(json_object("
        "'seq', seq, 'collection', collection, 'record_id', record_id, 'op', op, "
        "'result', json(json_remove(result, '$.payload')), 'payload', json(json_extract(result, '$.payload')))), "
        "applied_at FROM (SELECT * FROM applied_mutation_old ORDER BY device_id, applied_at, seq) "
        "GROUP BY device_id, applied_at"),
}

# back in the old table, a rejected mutation's payload rides in its result, as it did
WITH_PAYLOAD = {
    "postgres": "CASE WHEN payload IS NULL THEN result "
                "ELSE (result::jsonb || jsonb_build_object('payload', payload))::json END",
    "sqlite": "CASE WHEN payload IS NULL THEN result ELSE json_set(result, '$.payload', json(payload)) END",
}


def _engine() -> tuple[Any, str, str]:
    """The bound engine, its kind and its auto-numbered key column type."""
    from server.tables import SyncClock

    db = SyncClock._meta.db
    kind = "postgres" if db.engine_type == "postgres" else "sqlite"
    return db, kind, "SERIAL PRIMARY KEY" if kind == "postgres" else "INTEGER PRIMARY KEY AUTOINCREMENT"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def up() -> None:
        db, kind, serial = _engine()
        await db.run_ddl(f"CREATE TABLE applied_batch (id {serial}, {BATCH_COLUMNS})")
        # a replay reads the device's batches ending at or after its lowest seq: the last few
        await db.run_ddl("CREATE UNIQUE INDEX applied_batch_device_seq ON applied_batch (device_id, last_seq)")
        await db.run_ddl("ALTER TABLE applied_mutation RENAME TO applied_mutation_old")
        await db.run_ddl(MOVE[kind])
        await db.run_ddl("DROP TABLE applied_mutation_old")
        await db.run_ddl(VIEW[kind])

    async def down() -> None:
        db, kind, serial = _engine()
        await db.run_ddl(
            f"CREATE TABLE applied_mutation_new (id {serial}, device_id VARCHAR(36), seq BIGINT, "
            "collection VARCHAR(40), record_id VARCHAR(36), op VARCHAR(8), status VARCHAR(10), "
            "version BIGINT, result JSON, applied_at VARCHAR(32))")
        await db.run_ddl("INSERT INTO applied_mutation_new (device_id, seq, collection, record_id, op, status, "
                         "version, result, applied_at) SELECT device_id, seq, collection, record_id, op, "
                         f"status, version, {WITH_PAYLOAD[kind]}, applied_at FROM applied_mutation "
                         "ORDER BY device_id, seq")
        await db.run_ddl("DROP VIEW applied_mutation")
        await db.run_ddl("DROP TABLE applied_batch")
        await db.run_ddl("ALTER TABLE applied_mutation_new RENAME TO applied_mutation")
        await db.run_ddl("CREATE UNIQUE INDEX applied_mutation_device_seq ON applied_mutation (device_id, seq)")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
