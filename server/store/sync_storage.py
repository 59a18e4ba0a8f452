"""The sync engine's ``Storage`` on one database transaction, plus the raw-SQL plumbing the
sync paths share (pull, attachments).

Hot paths run prepared statements through the driver on the transaction's own connection:
Piccolo's query builder costs ~15x more for bulk writes (stack-notes.md). Rows are written
by ``Conn.insert_many``: ``executemany`` on SQLite (a prepared statement stepped per row,
in-process), one ``INSERT … SELECT FROM jsonb_array_elements($1)`` per table on PostgreSQL
(one statement, one parameter, one round trip and one plan for a whole batch, where
``executemany`` executes the statement once per row: docs/performance.md).
Piccolo still owns the schema, the migrations and the engines; this module only borrows a
connection from a Piccolo transaction.

SQL is written once with ``?`` placeholders and rewritten to ``$n`` for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import msgspec
from piccolo.columns import JSON, Boolean
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from schemas.sync import MutationResult
from sync.specs.attachments import BLOBS, BYTES_FIELDS
from sync.dispatch import OnDuty, Roster
from sync.sla import Terms
from sync.storage import Batch, Numbering, Past, Position, ProcessedMutation, RecordWrite
from server.store import sqlite_pool
from server.tables import SYNCED_TABLES, SyncClock

SQLITE_CHUNK = 500  # ids per IN (...) list on SQLite
PG_TYPES = {"Varchar": "text", "Text": "text", "BigInt": "int8", "Integer": "int4", "Serial": "int4",
            "DoublePrecision": "float8", "Boolean": "bool", "JSON": "json"}
"""The PostgreSQL type of each kind of Piccolo column the synced tables use (``Conn.insert_many`` casts)."""

_json_encode = msgspec.json.Encoder().encode
_json_decode = msgspec.json.decode


class Columns(msgspec.Struct, frozen=True):
    """The columns of one synced table, in table order, and which need converting."""

    names: tuple[str, ...]
    defaults: tuple[Any, ...]
    json: frozenset[str]
    booleans: frozenset[str]
    json_at: tuple[int, ...]  # positions of the JSON columns in ``names``
    pg_types: tuple[str, ...]  # each column's PostgreSQL type, for ``Conn.insert_many``


@cache
def columns_of(collection: str) -> Columns:
    table = SYNCED_TABLES[collection]
    cols = table._meta.columns
    return Columns(
        names=tuple(c._meta.db_column_name for c in cols),
        defaults=tuple(c.get_default_value() for c in cols),
        json=frozenset(c._meta.db_column_name for c in cols if isinstance(c, JSON)),
        pg_types=tuple(PG_TYPES[type(c).__name__] for c in cols),
        booleans=frozenset(c._meta.db_column_name for c in cols if isinstance(c, Boolean)),
        json_at=tuple(i for i, c in enumerate(cols) if isinstance(c, JSON)),
    )


def engine() -> SQLiteEngine | PostgresEngine:
    """The engine every table is bound to (``server.db.use_engine``)."""
    return SyncClock._meta.db  # type: ignore[return-value]


@cache
def _dollar(sql: str) -> str:
    counter = iter(range(1, 100_000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class Conn:
    """A driver connection inside a transaction, with one calling convention for both engines.

    Rows come back as tuples (SQLite) or asyncpg Records; both index by position.
    """

    def __init__(self, raw: Any, kind: str):
        self.raw = raw
        self.kind = kind
        self.postgres = kind == "postgres"

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        if self.postgres:
            return await self.raw.fetch(_dollar(sql), *args)
        return list(await self.raw.execute_fetchall(sql, args))

    async def fetchrow(self, sql: str, *args: Any) -> Sequence[Any] | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def execute(self, sql: str, *args: Any) -> None:
        if self.postgres:
            await self.raw.execute(_dollar(sql), *args)
        else:
            await self.raw.execute(sql, args)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            await self.raw.executemany(_dollar(sql), rows)
        else:
            await self.raw.executemany(sql, rows)

    async def insert_many(self, table: str, names: Sequence[str], pg_types: Sequence[str],
                          rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """``INSERT INTO table (names) … tail`` of every row: ``executemany`` on SQLite; on
        PostgreSQL one statement whose single parameter is every row as one JSON array of
        arrays, taken apart by ``jsonb_array_elements`` (msgspec encodes it in one call;
        arrays per column cost asyncpg a check per element, 1.4x the time: docs/performance.md).
        With an upsert ``tail`` the rows must have distinct keys (PostgreSQL refuses to update
        a row twice in one statement)."""
        if not rows:
            return
        if self.postgres:
            await self.raw.execute(_rows_sql(table, tuple(names), tuple(pg_types), tail),
                                   _json_encode(rows).decode())
        else:
            await self.raw.executemany(_values_sql(table, tuple(names), tail), rows)

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (...)`` as SQL and its parameters (one array parameter on PostgreSQL)."""
        if self.postgres:
            return f"{column} = ANY(?)", [list(values)]
        if not values:
            return "1 = 0", []
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def chunks(self, values: Sequence[Any]) -> Iterable[Sequence[Any]]:
        size = (len(values) or 1) if self.postgres else SQLITE_CHUNK  # one array on PostgreSQL
        for start in range(0, len(values), size):
            yield values[start:start + size]


_writer_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())


def _writer_gate(db: SQLiteEngine | PostgresEngine) -> asyncio.Semaphore:
    """Writers of this process queue here before they ask the database for its write lock.

    Every write transaction serializes on the clock row anyway; queueing in memory first
    means SQLite writers wait their turn instead of polling the file lock until the busy
    timeout ("database is locked" under a burst of phones), and on PostgreSQL waiting
    writers do not hold every pooled connection, so pulls still get one."""
    loop = asyncio.get_running_loop()
    gate = _writer_gates.get(loop)
    if gate is None:
        width = 1 if isinstance(db, SQLiteEngine) else max(1, db.pool.get_max_size() // 2)
        gate = _writer_gates[loop] = asyncio.Semaphore(width)
    return gate


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Conn]:
    """A write transaction (IMMEDIATE on SQLite); rolled back if the body raises."""
    db = engine()
    async with _writer_gate(db):
        if isinstance(db, PostgresEngine):
            async with db.transaction() as tx:
                yield Conn(tx.connection, "postgres")
            return
        async with sqlite_pool.borrowed(*_sqlite_file(db), writer=True) as raw:
            await raw.execute("BEGIN IMMEDIATE")
            try:
                yield Conn(raw, "sqlite")
            except BaseException:
                if raw.in_transaction:  # SQLite may have rolled back itself (disk full)
                    await raw.execute("ROLLBACK")
                raise
            await raw.execute("COMMIT")


def decides_ahead() -> bool:
    """Whether a push is decided on a snapshot before it asks for the write lock
    (``sync.engine.plan_batch``). On PostgreSQL, whose work runs in its own processes, one
    push's merge then overlaps another's writes and the lock is held for the writes alone
    (1.1–1.2x the pushes a second with two phones at once); on SQLite the database works in
    this process, so the second read would only add work (0.9x). docs/performance.md."""
    return isinstance(engine(), PostgresEngine)


@asynccontextmanager
async def read_snapshot() -> AsyncIterator[Conn]:
    """One consistent read-only snapshot: REPEATABLE READ READ ONLY on PostgreSQL, a single
    read transaction on SQLite (WAL readers see the database as of their first read)."""
    db = engine()
    if isinstance(db, PostgresEngine):
        async with db.pool.acquire() as raw:
            async with raw.transaction(isolation="repeatable_read", readonly=True):
                yield Conn(raw, "postgres")
    else:
        async with sqlite_pool.borrowed(*_sqlite_file(db), writer=False) as raw:
            await raw.execute("BEGIN DEFERRED")
            try:
                yield Conn(raw, "sqlite")
            finally:
                await raw.execute("ROLLBACK")


def _sqlite_file(db: SQLiteEngine) -> tuple[str, float]:
    """The database file and busy timeout of a Piccolo SQLite engine. The sync paths use
    their own kept connections (``sqlite_pool``) without Piccolo's type converters: they
    convert only the JSON and boolean columns themselves, which is much cheaper per row."""
    kwargs = db.connection_kwargs
    return str(kwargs["database"]), float(kwargs.get("timeout", 30))


# --- rows in and out ---------------------------------------------------------------------

def row_from_db(columns: Columns, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """A database row as the plain dict the engine merges (JSON decoded, booleans as bool)."""
    row = dict(zip(names, values))
    for name in columns.json:
        if name in row and isinstance(row[name], (str, bytes)):
            row[name] = _json_decode(row[name])
    for name in columns.booleans:
        if name in row and row[name] is not None:
            row[name] = bool(row[name])
    return row


def row_to_db(columns: Columns, row: dict[str, Any]) -> list[Any]:
    """Every column of ``row`` in table order, JSON encoded, missing ones at their default."""
    try:
        values = [row[name] for name in columns.names]  # the engine gives every column
    except KeyError:
        values = [row.get(name, default) for name, default in zip(columns.names, columns.defaults)]
    for at in columns.json_at:
        values[at] = _json_encode(values[at]).decode()
    return values


@cache
def _values_sql(table: str, names: tuple[str, ...], tail: str) -> str:
    quoted = ", ".join(f'"{n}"' for n in names)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(names))}){tail}'


@cache
def _rows_sql(table: str, names: tuple[str, ...], pg_types: tuple[str, ...], tail: str) -> str:
    """PostgreSQL: insert the rows of one JSON array of arrays (``$1``), each value cast from
    its text to its column's type (a JSON null is SQL NULL)."""
    quoted = ", ".join(f'"{n}"' for n in names)
    values = ", ".join(f"(r->>{i})::{kind}" for i, kind in enumerate(pg_types))
    return f'INSERT INTO "{table}" ({quoted}) SELECT {values} FROM jsonb_array_elements($1::text::jsonb) r{tail}'


@cache
def upsert_tail(collection: str) -> str:
    """What makes an insert of whole rows an upsert by id."""
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in columns_of(collection).names if n != "id")
    return f' ON CONFLICT ("id") DO UPDATE SET {updates}'


def upsert_sql(collection: str) -> str:
    """The upsert of one whole row (``?`` placeholders): the floor the benches measure against."""
    return _values_sql(collection, columns_of(collection).names, upsert_tail(collection))


async def upsert_rows(conn: Conn, collection: str, rows: Sequence[Sequence[Any]]) -> None:
    """Upsert whole rows (in ``row_to_db`` order); of two rows of one id the later wins."""
    columns = columns_of(collection)
    at = columns.names.index("id")
    if len(rows) > 1:
        rows = list({row[at]: row for row in rows}.values())
    await conn.insert_many(collection, columns.names, columns.pg_types, rows, upsert_tail(collection))


CHANGE_LOG = ("change_log", ("version", "collection", "record_id", "building_id", "op", "device_id",
                             "seq", "user_id", "at"),
              ("int8", "text", "text", "text", "text", "text", "int8", "text", "text"))
APPLIED_SQL = ("INSERT INTO applied_batch (device_id, first_seq, last_seq, mutations, applied_at) "
               "VALUES (?, ?, ?, ?, ?)")
CHANGE_LOG_SQL = _values_sql(CHANGE_LOG[0], CHANGE_LOG[1], "")


async def lock_clock(conn: Conn) -> tuple[int, int]:
    """Take the write lock (the single sync_clock row, created at id 1 if absent) until
    commit; return (version, purged_through)."""
    sql = "UPDATE sync_clock SET version = version WHERE id = 1 RETURNING version, purged_through"
    row = await conn.fetchrow(sql)
    if row is None:
        await conn.execute("INSERT INTO sync_clock (id, version, purged_through) VALUES (1, 0, 0) "
                           "ON CONFLICT (id) DO NOTHING")
        row = await conn.fetchrow(sql)
    assert row is not None
    return int(row[0]), int(row[1])


async def load_rows(conn: Conn, collection: str, ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """Current rows by id (tombstones included)."""
    columns = columns_of(collection)
    wanted = list(dict.fromkeys(ids))
    found: dict[str, dict[str, Any]] = {}
    select = ", ".join(f'"{n}"' for n in columns.names)
    for chunk in conn.chunks(wanted):
        where, params = conn.in_list('"id"', chunk)
        for values in await conn.fetch(f'SELECT {select} FROM "{collection}" WHERE {where}', *params):
            row = row_from_db(columns, columns.names, values)
            found[row["id"]] = row
    return found


async def write_records(conn: Conn, writes: Sequence[RecordWrite], *, device_id: str | None,
                        user_id: str, at: str) -> None:
    """Upsert every write whole and log each one in change_log (in version order)."""
    by_collection: dict[str, list[list[Any]]] = {}
    log: list[tuple[Any, ...]] = []
    for write in writes:
        columns = columns_of(write.collection)
        by_collection.setdefault(write.collection, []).append(row_to_db(columns, write.row))
        row = write.row
        log.append((row["version"], write.collection, row["id"], row.get("building_id"), write.op,
                    device_id, write.seq, user_id, at))
    for collection, rows in by_collection.items():
        await upsert_rows(conn, collection, rows)
    await conn.insert_many(*CHANGE_LOG, log)


class SqlStorage:
    """``sync.storage.Storage`` on one open write transaction."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def begin(self, device_id: str | None) -> Position:
        clock, _ = await lock_clock(self.conn)
        return Position(last_seq=await self._last_seq(device_id, lock=self.conn.postgres), clock=clock)

    async def position(self, device_id: str | None) -> Position:
        row = await self.conn.fetchrow("SELECT version FROM sync_clock WHERE id = 1")
        return Position(last_seq=await self._last_seq(device_id, lock=False),
                        clock=int(row[0]) if row else 0)

    async def _last_seq(self, device_id: str | None, *, lock: bool) -> int:
        """The device's last processed seq (0 for a desk actor or a new device); ``lock``
        takes its row until commit."""
        if device_id is None:
            return 0
        row = await self.conn.fetchrow(
            f"SELECT last_seq FROM sync_device WHERE id = ?{' FOR UPDATE' if lock else ''}", device_id)
        return int(row[0]) if row else 0

    async def stored_results(self, device_id: str, seqs: Sequence[int]) -> list[MutationResult]:
        if not seqs:
            return []
        rows = await self.conn.fetch(
            "SELECT mutations FROM applied_batch WHERE device_id = ? AND last_seq >= ? AND first_seq <= ?",
            device_id, min(seqs), max(seqs))
        stored = {p.seq: p.result for (mutations,) in rows for p in decode_processed(mutations)}
        return [stored[s] for s in seqs if s in stored]

    async def load(self, collection: str, ids: Collection[str]) -> dict[str, dict[str, Any]]:
        if collection == BLOBS:
            return await load_blob_facts(self.conn, ids)
        return await load_rows(self.conn, collection, ids)

    async def counted(self, collection: str, key: Sequence[str],
                      first: Collection[str]) -> dict[tuple[Any, ...], str]:
        assert set(key) <= set(columns_of(collection).names), key  # the spec's own fields
        select = ", ".join(f'"{name}"' for name in key)
        found: dict[tuple[Any, ...], str] = {}
        for chunk in self.conn.chunks(sorted(first)):
            where, params = self.conn.in_list(f'"{key[0]}"', chunk)
            for values in await self.conn.fetch(
                    f'SELECT {select}, "id" FROM "{collection}" WHERE {where} '
                    'AND "duplicate_of" IS NULL AND NOT "deleted"', *params):
                found[tuple(values[:-1])] = values[-1]
        return found

    async def numbering(self, estate_ids: Collection[str]) -> dict[str, Numbering]:
        if not estate_ids:
            return {}
        marks = ", ".join("?" for _ in estate_ids)
        rows = await self.conn.fetch(f"SELECT id, code, ticket_seq FROM estate WHERE id IN ({marks})",
                                     *estate_ids)
        # an estate without a code (made outside the product) is named by its id's random tail
        return {r[0]: Numbering(code=r[1] or "E" + r[0][-8:].upper(), last=int(r[2])) for r in rows}

    async def terms(self, estate_ids: Collection[str]) -> dict[str, Terms]:
        if not estate_ids:
            return {}
        where, params = self.conn.in_list("id", list(estate_ids))
        rows = await self.conn.fetch(f"SELECT id, terms FROM estate WHERE {where} AND terms IS NOT NULL", *params)
        return {r[0]: msgspec.json.decode(r[1], type=Terms) for r in rows}

    async def rosters(self, days: Mapping[str, str]) -> dict[str, Roster]:
        if not days:
            return {}
        where, params = self.conn.in_list("r.estate_id", sorted(days))
        rows = await self.conn.fetch(
            "SELECT r.estate_id, r.day, r.team, r.user_id, u.display_name FROM duty_roster r "
            f"JOIN staff_user u ON u.id = r.user_id WHERE {where} AND u.active = ?", *params, True)
        teams: dict[str, dict[str, OnDuty]] = {}
        for estate_id, day, team, user_id, name in rows:
            if days.get(estate_id) == day:
                teams.setdefault(estate_id, {})[team] = OnDuty(user_id=user_id, name=name, team=team)
        return {e: Roster(day=days[e], teams=t) for e, t in teams.items()}

    async def history(self, collection: str, ids: Collection[str]) -> dict[str, Past]:
        from server.store.meters import past_of_meters  # the one collection checked against a past

        if collection != "meter_reading" or not ids:
            return {}
        return await past_of_meters(self.conn, ids)

    async def commit(self, batch: Batch) -> None:
        await mark_arrived_photos(self.conn, batch.writes)
        await write_records(self.conn, batch.writes, device_id=batch.device_id,
                            user_id=batch.user_id, at=batch.now)
        if batch.device_id is not None and batch.processed:  # one row for the whole batch
            await self.conn.execute(APPLIED_SQL, batch.device_id, batch.processed[0].seq,
                                    batch.processed[-1].seq, _json_encode(batch.processed).decode(),
                                    batch.now)
        if batch.device_id is not None:
            await self.conn.execute(
                "UPDATE sync_device SET last_seq = ?, last_push_at = ?, reported_pending = ?, "
                "app_version = ?, protocol = ? WHERE id = ?",
                batch.last_seq, batch.now, batch.pending, batch.app_version[:32], batch.protocol,
                batch.device_id)
        await self.conn.executemany("UPDATE estate SET ticket_seq = ? WHERE id = ?",
                                    [(last, estate_id) for estate_id, last in batch.numbers.items()])
        await self.conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1 AND version < ?",
                                batch.clock, batch.clock)


decode_processed = msgspec.json.Decoder(list[ProcessedMutation]).decode
"""A batch row's mutations (``applied_batch.mutations``, JSON text from either driver)."""


async def mark_arrived_photos(conn: Conn, writes: Sequence[RecordWrite]) -> None:
    """An attachment record whose bytes are already stored is written with stored=True
    (photos may arrive before or after their record)."""
    pending = [w for w in writes if w.collection == "attachment" and not w.row.get("stored")]
    if not pending:
        return
    shas = sorted({w.row["sha256"] for w in pending})
    where, params = conn.in_list("sha256", shas)
    stored = {r[0] for r in await conn.fetch(f"SELECT sha256 FROM attachment_blob WHERE {where}", *params)}
    for write in pending:
        if write.row["sha256"] in stored:
            write.row["stored"] = True


async def load_blob_facts(conn: Conn, shas: Collection[str]) -> dict[str, dict[str, Any]]:
    """What the engine needs to know of stored bytes (``sync.specs.attachments.BLOBS``), by
    sha256: who uploaded them and where the live records naming them are placed. Bytes not
    stored are absent."""
    facts: dict[str, dict[str, Any]] = {}
    for chunk in conn.chunks(sorted(set(shas))):
        where, params = conn.in_list("sha256", chunk)
        stored = {r[0] for r in await conn.fetch(f"SELECT sha256 FROM attachment_blob WHERE {where}", *params)}
        if not stored:
            continue
        facts |= {sha: {"sha256": sha, "uploaded_by": [], "attached": []} for sha in stored}
        for sha, user_id in await conn.fetch(
                f"SELECT DISTINCT sha256, user_id FROM attachment_upload WHERE {where}", *params):
            facts[sha]["uploaded_by"].append(user_id)
        for collection, field in BYTES_FIELDS.items():
            named, named_params = conn.in_list(f'"{field}"', chunk)
            for sha, building_id, estate_id, created_by in await conn.fetch(
                    f'SELECT DISTINCT "{field}", building_id, estate_id, created_by FROM "{collection}" '
                    f"WHERE {named} AND deleted = ?", *named_params, False):
                if sha in facts:
                    facts[sha]["attached"].append(
                        {"building_id": building_id, "estate_id": estate_id, "created_by": created_by})
    return facts
