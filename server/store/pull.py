"""Pull: the records a device must hold that changed after its cursor, one page per call.

A page is read inside one consistent snapshot. Each collection of ``PULLED_COLLECTIONS`` is
read ``WHERE version > lo AND version <= hi AND <scope>`` ordered by version; the page is
cut at ``limit`` records across collections (a versions-only pass finds the cut first, so
only the rows of the page are fetched) and the next cursor is exact: nothing is skipped and
nothing is repeated. Fields are redacted by role by selecting only the readable columns.

The scope is the principal's (``sync.scope``): a steward reads its buildings (one index
range of ``(building_id, version, id)`` per building), an office role its estates (one
range of ``(estate_id, version, id)`` per estate), a role not in the role table nothing.

The cursor is opaque to the phone: base64url of a msgpack ``Cursor`` that also holds the
scope snapshot (sorted building ids; an office role's estates), so that a change of
assignment is noticed: buildings that entered are backfilled (their records up to the
cursor's version, paginated) and buildings that left are listed in ``evict_buildings``;
an office role whose estates changed starts again from the beginning (``reset``). A cursor older than the tombstone
horizon (``sync_clock.purged_through``) is answered ``reset``: the phone drops its cache and
takes the pages that follow from the start.

A phone holds personal data only as the desk's pages show it: masked fields (a household's
ID number) come masked, also inside conflict records (``sync.policy.masked_view``), and a
page that carries households is written to the audit log as an archive read (counts and the
device, never the data).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from operator import itemgetter
from typing import Any

import msgspec

from schemas.sync import PROTOCOL_VERSION, PullResponse
from server.clock import iso_in
from server.store import audit
from server.store.scoping import NO_ROW, scope_sql, with_row_filter
from server.store.sync_storage import (
    Conn, columns_of, lock_clock, read_snapshot, write_transaction,
)
from sync.policy import (
    PERSONAL, PULLED_COLLECTIONS, masked_view, masks_rows, personal_records, readable_fields,
    redacts_rows,
)
from sync.scope import Scope
from sync.storage import Actor

_json_encode = msgspec.json.Encoder().encode
_json_decode = msgspec.json.decode


# A position in the pull order: (version, collection rank, id). Versions are unique once
# a record went through sync; reference data loaded outside it shares version 0, so the
# collection's rank in PULLED_COLLECTIONS and the id break ties and keep pages exact.
Position = tuple[int, int, str]
END = len(PULLED_COLLECTIONS)  # rank after every collection: "all of this version"
START: Position = (-1, END, "")  # before everything (reference data has version 0)
MAX_ARMS = 200  # scope keys read as separate index ranges; more are read as one IN list

# A pulled record as it goes on the wire: the JSON object SQLite built, or asyncpg's row
# as a dict (asyncpg decodes rows faster than PostgreSQL's json_build_object builds them).
WireRecord = msgspec.Raw | dict[str, Any]


class Cursor(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """Where a device stands. ``buildings`` None means every building of ``estates``
    (office roles)."""

    at: Position  # everything in ``buildings`` up to here has been delivered
    role: str
    buildings: list[str] | None
    horizon: int  # the tombstone horizon when this chain of pages started
    backfill: list[str] = []  # buildings that entered the scope, delivered up to ``at``
    backfill_at: Position = START  # backfill progress
    estates: list[str] = []  # an office role's estates when this chain of pages started

    @property
    def version(self) -> int:
        return self.at[0]


class BadCursor(ValueError):
    """The cursor is not one this server made."""


def encode_cursor(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(msgspec.msgpack.encode(cursor)).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.msgpack.decode(raw, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise BadCursor(str(exc)) from None


def current_scope(actor: Actor) -> list[str] | None:
    """The buildings a cursor follows: a steward's (sorted), or None for the whole of an
    office role's estates."""
    scope = actor.scope()
    return None if scope.whole_estates else sorted(scope.buildings or ())


def start_cursor(actor: Actor, horizon: int) -> Cursor:
    scope = actor.scope()
    return Cursor(at=START, role=actor.role, buildings=current_scope(actor), horizon=horizon,
                  estates=sorted(scope.estates) if scope.whole_estates else [])


async def pull_page(actor: Actor, cursor_text: str | None, limit: int) -> PullResponse:
    """One page for ``actor`` from ``cursor_text`` (None: from the start)."""
    given = decode_cursor(cursor_text) if cursor_text else None
    async with read_snapshot() as conn:
        clock, purged_through = await read_clock(conn)
        reset = given is not None and stale(given, actor, clock, purged_through)
        cursor = start_cursor(actor, purged_through) if given is None or reset else given
        cursor.horizon = purged_through
        evict = rescope(cursor, current_scope(actor))
        records: dict[str, list[WireRecord]] = {}
        room = limit
        if cursor.backfill:
            scope = Scope(buildings=frozenset(cursor.backfill))
            got, cut = await read_range(conn, actor.role, scope, cursor.backfill_at, cursor.at, room)
            merge_into(records, got)
            room -= sum(len(rows) for rows in got.values())
            if cut < cursor.at:
                cursor.backfill_at = cut
            else:
                cursor.buildings = sorted({*(cursor.buildings or []), *cursor.backfill})
                cursor.backfill, cursor.backfill_at = [], START
        if not cursor.backfill and room > 0:
            scope = Scope(estates=frozenset(cursor.estates), own_user=actor.user_id,
                          buildings=None if cursor.buildings is None else frozenset(cursor.buildings))
            got, cursor.at = await read_range(conn, actor.role, scope, cursor.at, (clock, END, ""), room)
            merge_into(records, got)
    more = bool(cursor.backfill) or cursor.at < (clock, END, "")
    await audit_personal(actor, records)
    return PullResponse(protocol=PROTOCOL_VERSION, cursor=encode_cursor(cursor), more=more,
                        reset=reset, evict_buildings=evict, records=records)


async def audit_personal(actor: Actor, records: dict[str, list[WireRecord]]) -> None:
    """Log a page that carries owners' personal data (households, conflicts about one) as
    an archive read of the device: how many, never what."""
    households = sum(len(records.get(collection, [])) for collection in PERSONAL)
    conflicts = [r for r in records.get("conflict", []) if isinstance(r, dict)]  # masked_view's
    about = len(personal_records("conflict", conflicts))
    if not households and not about:
        return
    detail: dict[str, Any] = {"device": actor.device_id}
    detail |= {"households": households} if households else {}
    detail |= {"conflicts": about} if about else {}
    await audit.record("archive_read", user_id=actor.user_id, target="sync_pull", detail=detail)


def stale(cursor: Cursor, actor: Actor, clock: int, purged_through: int) -> bool:
    """Whether the device must drop its cache: tombstones it may need were purged since
    its cursor, its role changed, or the cursor is not from this database's history."""
    purged_since = cursor.horizon < purged_through and cursor.version < purged_through
    scope = actor.scope()
    estates_changed = scope.whole_estates and cursor.estates != sorted(scope.estates)
    return (purged_since or cursor.role != actor.role or estates_changed
            or (cursor.buildings is None) != scope.whole_estates or cursor.version > clock)


def rescope(cursor: Cursor, scope: list[str] | None) -> list[str]:
    """Bring the cursor's scope snapshot to ``scope``; return the buildings that left."""
    if scope is None or cursor.buildings is None:
        return []
    now = set(scope)
    held = set(cursor.buildings) | set(cursor.backfill)
    evict = sorted(held - now)
    entered = sorted(now - held)
    cursor.buildings = [b for b in cursor.buildings if b in now]
    cursor.backfill = [b for b in cursor.backfill if b in now]
    if entered and cursor.at == START:
        cursor.buildings = sorted({*cursor.buildings, *entered})
    elif entered:
        # restart the backfill with the newcomers (repeats of a partial backfill are harmless)
        cursor.backfill, cursor.backfill_at = sorted({*cursor.backfill, *entered}), START
    return evict


async def read_clock(conn: Conn) -> tuple[int, int]:
    row = await conn.fetchrow("SELECT version, purged_through FROM sync_clock WHERE id = 1")
    return (int(row[0]), int(row[1])) if row else (0, 0)


def after(position: Position, rank: int) -> tuple[str, list[Any]]:
    """SQL for "comes after ``position``" on the collection of rank ``rank``."""
    version, at_rank, at_id = position
    if rank > at_rank:
        return "version >= ?", [version]
    if rank < at_rank:
        return "version > ?", [version]
    return "(version, id) > (?, ?)", [version, at_id]


def up_to(position: Position, rank: int) -> tuple[str, list[Any]]:
    """SQL for "comes no later than ``position``" on the collection of rank ``rank``."""
    version, at_rank, at_id = position
    if rank < at_rank:
        return "version <= ?", [version]
    if rank > at_rank:
        return "version < ?", [version]
    return "(version, id) <= (?, ?)", [version, at_id]


def in_order(conn: Conn, collection: str, select: str, scope: Scope, where: str,
             params: list[Any], limit: int | None) -> tuple[str, list[Any]]:
    """``SELECT select FROM collection WHERE where`` in scope, in no particular order (the
    caller sorts by ``(version, id)``). A read is one arm per scope key (each building of a
    steward, and one for the user's records without a building; each estate of an office
    role), each an in-order range of the ``(building_id | estate_id, version, id)`` index
    that stops after ``limit`` rows. Whatever the arms, the first ``limit`` rows in pull
    order are among those returned."""
    cap = "" if limit is None else f" ORDER BY version, id LIMIT {int(limit)}"
    arms: list[tuple[str, list[Any]]]
    if scope.buildings is None:
        arms = [("estate_id = ?", [e]) for e in sorted(scope.estates)]
    else:
        arms = [("building_id = ?", [b]) for b in sorted(scope.buildings)]
        if scope.own_user is not None:
            arms.append(("building_id IS NULL AND created_by = ?", [scope.own_user]))
    if not arms:
        return f'SELECT {select} FROM "{collection}" WHERE {NO_ROW}', []
    if len(arms) == 1 or len(arms) > MAX_ARMS:  # one range, or a very wide scope: one IN list
        clause, args = scope_sql(scope)
        return f'SELECT {select} FROM "{collection}" WHERE {where} AND {clause}{cap}', [*params, *args]
    sql = " UNION ALL ".join(
        f'SELECT * FROM (SELECT {select} FROM "{collection}" WHERE {arm} AND {where}{cap}) AS a{n}'
        for n, (arm, _) in enumerate(arms))
    return sql, [value for _, arm_params in arms for value in (*arm_params, *params)]


async def read_range(conn: Conn, role: str, scope: Scope, lo: Position, hi: Position,
                     limit: int) -> tuple[dict[str, list[WireRecord]], Position]:
    """Records after ``lo`` and up to ``hi`` in scope, at most ``limit`` of them in pull
    order across collections; returns them and the position the page reaches (exact)."""
    if lo >= hi or limit <= 0:
        return {}, lo
    bounds: dict[int, tuple[str, list[Any]]] = {}  # the collections to read: their range
    cut_arms: list[str] = []
    cut_params: list[Any] = []
    live = await changed_ranks(conn, lo[0], hi[0])
    for rank, collection in enumerate(PULLED_COLLECTIONS):
        if rank not in live or readable_fields(role, collection) is None:
            continue  # nothing changed in the range, or nothing the role may read
        lo_sql, lo_params = after(lo, rank)
        hi_sql, hi_params = up_to(hi, rank)
        bounds[rank] = with_row_filter(role, collection, f"{lo_sql} AND {hi_sql}", [*lo_params, *hi_params])
        sql, args = in_order(conn, collection, f"version, {rank} AS rank, id", scope, *bounds[rank], limit + 1)
        cut_arms.append(f"SELECT * FROM ({sql}) AS p{rank}")
        cut_params.extend(args)
    if not bounds:
        return {}, hi
    # the page ends at the limit-th position across collections, found by the database:
    # each collection offers its first limit + 1 positions (an in-order index range)
    rows = await conn.fetch(f"SELECT version, rank, id FROM ({' UNION ALL '.join(cut_arms)}) AS positions "
                            f"ORDER BY version, rank, id LIMIT 2 OFFSET {int(limit) - 1}", *cut_params)
    cut: Position = (int(rows[0][0]), int(rows[0][1]), str(rows[0][2])) if len(rows) > 1 else hi
    records: dict[str, list[WireRecord]] = {}
    for rank, (sql, args) in bounds.items():
        collection = PULLED_COLLECTIONS[rank]
        cut_sql, up_params = up_to(cut, rank)
        found = await read_rows(conn, role, collection, scope, f"{sql} AND {cut_sql}", [*args, *up_params])
        if found:
            records[collection] = found
    return records, cut


@cache
def _changed_sql() -> str:
    return " UNION ALL ".join(
        f'SELECT {rank} WHERE EXISTS (SELECT 1 FROM "{collection}" WHERE version >= ? AND version <= ?)'
        for rank, collection in enumerate(PULLED_COLLECTIONS))


async def changed_ranks(conn: Conn, lo_version: int, hi_version: int) -> set[int]:
    """The ranks of the collections holding any record (in anyone's scope) whose version
    lies in ``[lo_version, hi_version]``: one statement of one ``(version, id)`` index probe
    per collection, so that a page reads only the collections that changed (a phone at the
    head of the log reads none), however many collections there are."""
    rows = await conn.fetch(_changed_sql(), *[lo_version, hi_version] * len(PULLED_COLLECTIONS))
    return {int(row[0]) for row in rows}


async def read_rows(conn: Conn, role: str, collection: str, scope: Scope, where: str,
                    params: list[Any]) -> list[WireRecord]:
    """The records of one page in pull order, with only the fields ``role`` may read."""
    select, order = record_sql(conn.postgres, role, collection)
    sql, args = in_order(conn, collection, select, scope, where, params, None)
    rows = sorted(await conn.fetch(sql, *args), key=order)  # pull order
    if conn.postgres:
        json_columns = columns_of(collection).json
        records: list[WireRecord] = [dict(row) for row in rows]
        for record in records if json_columns else ():
            for name in json_columns:  # JSON text from the driver passes through
                if record.get(name) is not None:
                    record[name] = msgspec.Raw(record[name])
    else:
        records = [msgspec.Raw(row[2]) for row in rows]
    if masks_rows(role, collection) or redacts_rows(role, collection):
        # values inside the record may be hidden from the role, or shown masked
        return [masked_view(role, collection, _json_decode(_json_encode(r))) for r in records]
    return records


@cache
def record_sql(postgres: bool, role: str, collection: str) -> tuple[str, Callable[[Any], Any]]:
    """The select list of one pulled record, and how to get its ``(version, id)`` from a
    row. PostgreSQL: the columns ``role`` may read (asyncpg decodes rows faster than the
    server's json_build_object builds them). SQLite: ``version, id`` and one JSON object
    built by the database, JSON columns as JSON and booleans as booleans (SQLite keeps
    0/1), as bytes: Python never materializes the row's columns, it passes the JSON
    through (``msgspec.Raw``)."""
    columns = columns_of(collection)
    names = readable_columns(role, collection)
    if postgres:
        return ", ".join(f'"{name}"' for name in names), itemgetter(names.index("version"), names.index("id"))

    def value(name: str) -> str:
        quoted = f'"{name}"'
        if name in columns.json:
            return f"json({quoted})"
        if name in columns.booleans:
            return f"json(CASE {quoted} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
        return quoted

    assert len(names) <= 63, "SQLite functions take at most 127 arguments"
    pairs = ", ".join(f"'{name}', {value(name)}" for name in names)
    return f"version, id, CAST(json_object({pairs}) AS BLOB)", itemgetter(0, 1)


def readable_columns(role: str, collection: str) -> tuple[str, ...]:
    fields = readable_fields(role, collection) or frozenset()
    return tuple(n for n in columns_of(collection).names if n in fields)


def merge_into(records: dict[str, list[WireRecord]], more: dict[str, list[WireRecord]]) -> None:
    for collection, rows in more.items():
        records.setdefault(collection, []).extend(rows)


async def record_pull(device_id: str, at: str) -> None:
    async with write_transaction() as conn:
        await conn.execute("UPDATE sync_device SET last_pull_at = ? WHERE id = ?", at, device_id)


async def purge_tombstones(tombstone_days: int) -> int:
    """Delete tombstones older than ``tombstone_days`` and move the horizon past them;
    returns how many were deleted. A cursor older than the horizon must resync."""
    before = iso_in(timedelta(days=-tombstone_days))
    deleted = 0
    async with write_transaction() as conn:
        _, purged_through = await lock_clock(conn)
        horizon = purged_through
        for collection in PULLED_COLLECTIONS:
            condition = f'FROM "{collection}" WHERE deleted = ? AND updated_at < ?'
            row = await conn.fetchrow(f"SELECT COUNT(*), MAX(version) {condition}", True, before)
            if row and row[0]:
                deleted += int(row[0])
                horizon = max(horizon, int(row[1]))
                await conn.execute(f"DELETE {condition}", True, before)
        if horizon > purged_through:
            await conn.execute("UPDATE sync_clock SET purged_through = ? WHERE id = 1", horizon)
    return deleted
