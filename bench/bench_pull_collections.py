"""Pull pages as the number of synced collections grows (11 today, about 25 to come).

    .venv/bin/python bench/bench_pull_collections.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/bench_pull_collections.py --engine sqlite --runs 7 --pages 40

Issue 11: a pull page queried every collection even when nothing of it changed. Now
``server.store.pull.read_range`` first asks ``changed_ranks`` (one statement, one EXISTS
probe of the ``(version, id)`` index per collection) and runs the per-collection key query
(``in_order``: a UNION ALL of one index range per scope key) only for the collections that
changed in the page's version range. This measures one pull page (``pull_page``, the real
function, with an ``Actor`` made from a ``Principal`` that ``server.store.staff`` builds)
with 11 and with 25 collections, the current way ("probe") and the old way ("old"), for the
pulls phones make:

(a) at the head: nothing new for this reader, but the log moved (others wrote 20 findings
    and 5 tickets in another estate since its cursor): the common pull every few minutes;
(b) incremental: 20 new findings in the reader's scope since its cursor;
readers (c): a steward with 5 buildings (6 index ranges per collection: one per building
and one for its own records without a building), a desk user of one estate (one range) and
a manager of two estates (two ranges, one per estate).

Each figure is the median over ``--runs`` runs of the median page time of ``--pages``
pages (each run goes through every configuration, and within one the pages alternate
between the two ways, so drift of the shared machine's load hits them alike), beside two floors measured in the same run: one bare ``SELECT 1`` round trip
inside a read snapshot, and a pull page when the log has not moved (``pull_page`` returns
after reading the clock: snapshot, clock read, cursor decode and encode). Both ways must
return the same records and cursor; the bench checks it.

The database (fresh per engine, removed afterwards): estate E1 with the steward's 5
buildings holding ``--findings`` findings and ``--tickets`` tickets, estate E2 with as
many, estate E3 where the others write; 14 extra synced tables ``extra_01``..``extra_14``,
each created with ``finding``'s columns, primary key and exactly ``sync_index_ddl`` (the
indexes every synced table has), each holding ``--extra-rows`` rows in E1 and E2 at older
versions: future capabilities' records exist, they just did not change in the page's range.

What is patched, inside this process only, to make pull see 25 collections
(``with_collections``), and why it is faithful:
- ``pull.PULLED_COLLECTIONS``: the 11 names of ``sync.policy`` followed by the 14 extra
  tables. ``read_range``, ``_changed_sql`` and ``purge_tombstones`` read the module global.
- ``pull.END`` (and ``pull.START``, which holds it): the rank after every collection, 25.
  Cursors are made after the patch, so their positions use it. (``Cursor.backfill_at``'s
  class default keeps the old ``START``; no backfill happens here.)
- ``pull._changed_sql`` (the probe statement, built from the collection list) and
  ``pull.record_sql`` (built with ``columns_of``) are ``@cache``d: their caches are cleared
  at every switch, so the probe has 25 EXISTS arms with 25 collections and 11 with 11.
- ``pull.columns_of`` and ``pull.readable_fields``: the extra names map to ``finding``'s
  columns and to what each role may read of a finding (``columns_of`` reads Piccolo's
  ``SYNCED_TABLES``, where the extra tables are not). ``redacts_rows`` is False for them,
  as for every collection but ``conflict``.
The extra tables are real tables with the real indexes and rows, and every statement is the
one pull builds; only the name lists are longer. The old way is the real ``read_range``
with ``pull.changed_ranks`` patched to report every collection as changed and to issue no
statement: exactly the loop before the probe (a key query per collection, then the rows of
the collections with keys up to the cut).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_sync import calibrate, drop_pg, fresh_settings  # noqa: E402
from server import db as database  # noqa: E402
from server.ids import uuid7  # noqa: E402
from server.store import pull  # noqa: E402
from server.store import staff  # noqa: E402
from server.store.sync_storage import (  # noqa: E402
    columns_of, lock_clock, read_snapshot, row_to_db, write_records, write_transaction,
)
from server.sync_service import actor_of  # noqa: E402
from server.tables import Building, Estate, StaffUser, Unit  # noqa: E402
from server.tables.base import sync_index_ddl  # noqa: E402
from sync import policy  # noqa: E402
from sync.storage import Actor, RecordWrite  # noqa: E402

TODAY = policy.PULLED_COLLECTIONS
EXTRA = tuple(f"extra_{n:02d}" for n in range(1, 26 - len(TODAY)))  # 25 collections in all
NOW = "2026-11-23T08:00:00.000Z"
LIMIT = 5000  # the page size phones ask for (web/static/app sync)


# --- 25 collections, in this process only ----------------------------------------------

def _columns_of(collection: str) -> Any:
    return columns_of("finding" if collection in EXTRA else collection)


def _readable_fields(role: str, collection: str) -> frozenset[str] | None:
    return policy.readable_fields(role, "finding" if collection in EXTRA else collection)


def with_collections(count: int) -> None:
    """Make ``server.store.pull`` pull the first ``count`` of today's collections + extras."""
    names = (TODAY + EXTRA)[:count]
    pull.PULLED_COLLECTIONS = names
    pull.END = len(names)
    pull.START = (-1, pull.END, "")
    pull.columns_of = _columns_of
    pull.readable_fields = _readable_fields
    pull._changed_sql.cache_clear()
    pull.record_sql.cache_clear()


async def every_collection(conn: Any, lo_version: int, hi_version: int) -> set[int]:
    """The old way: no probe, every collection is read."""
    return set(range(len(pull.PULLED_COLLECTIONS)))


PROBE = pull.changed_ranks


@contextmanager
def old_way(on: bool) -> Iterator[None]:
    pull.changed_ranks = every_collection if on else PROBE
    try:
        yield
    finally:
        pull.changed_ranks = PROBE


# --- the database ------------------------------------------------------------------------

async def create_extra_tables(postgres: bool) -> None:
    """``extra_NN``: ``finding``'s columns and primary key, and the sync indexes."""
    async with write_transaction() as conn:
        if postgres:
            ddl = ['CREATE TABLE "{name}" (LIKE finding INCLUDING DEFAULTS, PRIMARY KEY (id))']
        else:
            row = await conn.fetchrow("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'finding'")
            assert row is not None
            head, rest = row[0].split("(", 1)
            assert "finding" in head, head
            ddl = ['CREATE TABLE "{name}" (' + rest]
        for name in EXTRA:
            for statement in ddl:
                await conn.execute(statement.format(name=name))
            for statement in sync_index_ddl(name):
                await conn.execute(statement)


async def add_buildings(estate_id: str, count: int) -> list[tuple[str, str]]:
    """``count`` buildings of ``estate_id``, one unit each: [(building, unit)]."""
    made = []
    for n in range(count):
        building_id, unit_id = str(uuid.uuid4()), str(uuid.uuid4())
        await Building.insert(Building(id=building_id, building_id=building_id, estate_id=estate_id,
                                       code=f"{n + 1}栋", name=f"{n + 1}号楼", floors=18))
        await Unit.insert(Unit(id=unit_id, building_id=building_id, estate_id=estate_id, code="1-0101",
                               floor=1, unit_type="yangfang", area_m2=90.0, occupancy="occupied"))
        made.append((building_id, unit_id))
    return made


async def add_user(role: str) -> str:
    user_id = str(uuid.uuid4())
    await StaffUser.insert(StaffUser(id=user_id, username=f"bench-{user_id[:8]}", display_name="压测",
                                     role=role, password_hash="!"))
    return user_id


def finding(building: tuple[str, str], estate_id: str, user_id: str, n: int) -> dict[str, Any]:
    return {"id": uuid7(), "created_at": NOW, "updated_at": NOW, "created_by": user_id,
            "updated_by": user_id, "deleted": False, "building_id": building[0], "estate_id": estate_id,
            "round_id": None, "floor": "3", "area": "lighting", "unit_id": building[1],
            "kind": "public_damage", "severity": "medium", "description": f"3楼走廊灯不亮 #{n}",
            "occurred_at": NOW, "ticket_id": None, "steward_id": user_id}


def ticket(building: tuple[str, str], estate_id: str, user_id: str, n: int) -> dict[str, Any]:
    return {"id": uuid7(), "created_at": NOW, "updated_at": NOW, "created_by": user_id,
            "updated_by": user_id, "deleted": False, "building_id": building[0], "estate_id": estate_id,
            "number": f"B{uuid.uuid4().hex[:12]}", "kind": "repair", "title": f"厨房漏水 #{n}",
            "unit_id": building[1], "status": "received"}


async def write(rows: list[tuple[str, dict[str, Any]]], user_id: str) -> int:
    """(collection, row) pairs written through the sync write path (versions from the clock,
    change_log rows), in transactions of 5,000; returns the clock."""
    clock = 0
    for start in range(0, len(rows), 5000):
        async with write_transaction() as conn:
            clock, _ = await lock_clock(conn)
            writes = []
            for collection, row in rows[start:start + 5000]:
                clock += 1
                writes.append(RecordWrite(collection=collection, op="create", row={**row, "version": clock}))
            await write_records(conn, writes, device_id=None, user_id=user_id, at=NOW)
            await conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1", clock)
    return clock


async def write_extra(buildings: list[tuple[tuple[str, str], str]], user_id: str, per_table: int) -> None:
    """``per_table`` rows in each extra table, spread over ``buildings``, versions from the clock."""
    columns = columns_of("finding")
    names = ", ".join(f'"{n}"' for n in columns.names)
    marks = ", ".join("?" * len(columns.names))
    async with write_transaction() as conn:
        clock, _ = await lock_clock(conn)
        for name in EXTRA:
            rows = []
            for n in range(per_table):
                building, estate_id = buildings[n % len(buildings)]
                clock += 1
                rows.append(row_to_db(columns, {**finding(building, estate_id, user_id, n), "version": clock}))
            await conn.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
        await conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1", clock)


async def seed(findings: int, tickets: int, extra_rows: int, postgres: bool) -> dict[str, Any]:
    await create_extra_tables(postgres)
    estates = {}
    for name in ("E1", "E2", "E3"):
        estate_id = str(uuid.uuid4())
        await Estate.insert(Estate(id=estate_id, code=name, name=f"压测花园 {name}"))
        estates[name] = (estate_id, await add_buildings(estate_id, 5))
    steward = await add_user("steward")
    await staff.assign_buildings(steward, [b for b, _ in estates["E1"][1]])
    other = await add_user("steward")
    await staff.assign_buildings(other, [b for b, _ in estates["E2"][1]])
    await write_extra([(b, estates[e][0]) for e in ("E1", "E2") for b in estates[e][1]], steward, extra_rows)
    for name, user_id in (("E1", steward), ("E2", other)):
        estate_id, buildings = estates[name]
        rows = [("finding", finding(buildings[n % 5], estate_id, user_id, n)) for n in range(findings)]
        rows += [("ticket", ticket(buildings[n % 5], estate_id, user_id, n)) for n in range(tickets)]
        await write(rows, user_id)
    desk, manager = await add_user("desk"), await add_user("manager")
    await staff.assign_estates(desk, [estates["E1"][0]])
    await staff.assign_estates(manager, [estates["E1"][0], estates["E2"][0]])
    readers = {
        "steward, 5 buildings": actor_of(await staff.principal_of(steward, device_id=str(uuid.uuid4()))),
        "desk, 1 estate": actor_of(await staff.principal_of(desk), device=False),
        "manager, 2 estates": actor_of(await staff.principal_of(manager), device=False),
    }
    return {"estates": estates, "steward": steward, "other": other, "readers": readers}


# --- timing ------------------------------------------------------------------------------

CURSORS: dict[tuple[str, int], str] = {}  # (reader, collections): its cursor (END differs)


async def head_cursor(actor: Actor) -> str:
    """The cursor a reader holds after pulling everything up to now."""
    async with read_snapshot() as conn:
        clock, purged_through = await pull.read_clock(conn)
    cursor = pull.start_cursor(actor, purged_through)
    cursor.at = (clock, pull.END, "")
    return pull.encode_cursor(cursor)


async def median_ms(call: Callable[[], Awaitable[Any]], pages: int) -> float:
    for _ in range(3):  # warm-up, untimed
        await call()
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def both_ways_ms(call: Callable[[], Awaitable[Any]], pages: int) -> tuple[float, float]:
    """Median page time the current way and the old way, pages alternating between them."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for n in range(pages + 3):  # the first 3 of each are a warm-up
        for old in (False, True):
            with old_way(old):
                started = time.perf_counter()
                await call()
                elapsed = time.perf_counter() - started
            if n >= 3:
                times[old].append(elapsed)
    return statistics.median(times[False]) * 1000, statistics.median(times[True]) * 1000


async def floor_round_trip(pages: int) -> float:
    """One bare ``SELECT 1`` on a read-snapshot connection (the snapshot itself untimed)."""
    times = []
    for n in range(pages + 3):  # the first 3 are a warm-up
        async with read_snapshot() as conn:
            started = time.perf_counter()
            await conn.fetch("SELECT 1")
            times.append(time.perf_counter() - started)
    return statistics.median(times[3:]) * 1000


def page_of(actor: Actor, cursor: str) -> Callable[[], Awaitable[Any]]:
    return lambda: pull.pull_page(actor, cursor, LIMIT)


async def same_answer(actor: Actor, cursor: str, expected: int) -> None:
    """Both ways give the same records and cursor (and as many records as written)."""
    new = await pull.pull_page(actor, cursor, LIMIT)
    with old_way(True):
        old = await pull.pull_page(actor, cursor, LIMIT)
    count = sum(len(rows) for rows in new.records.values())
    assert new.cursor == old.cursor and not new.more, (new.cursor, old.cursor)
    assert {c: len(r) for c, r in new.records.items()} == {c: len(r) for c, r in old.records.items()}
    assert count == expected, (count, expected)


def cell(values: list[float]) -> str:
    listed = " / ".join(f"{v:.2f}" for v in values)
    return f"{statistics.median(values):.2f} ms (runs {listed})"


async def measure(kind: str, case: str, readers: dict[str, Actor], expected: dict[str, int],
                  runs: int, pages: int) -> None:
    """Every reader's page from its cursor, 11 and 25 collections, probe and old way."""
    for count in (11, 25):
        with_collections(count)
        for name, actor in readers.items():
            await same_answer(actor, CURSORS[name, count], expected[name])
    figures: dict[tuple[str, int, bool], list[float]] = {}
    for _ in range(runs):
        for count in (11, 25):
            with_collections(count)
            for name, actor in readers.items():
                probe, old = await both_ways_ms(page_of(actor, CURSORS[name, count]), pages)
                figures.setdefault((name, count, False), []).append(probe)
                figures.setdefault((name, count, True), []).append(old)
    with_collections(len(TODAY))
    for name in readers:
        probe = {c: statistics.median(figures[name, c, False]) for c in (11, 25)}
        was = {c: statistics.median(figures[name, c, True]) for c in (11, 25)}
        print(f"[{kind}] ({case}) {name}, {expected[name]} records:", flush=True)
        for count in (11, 25):
            print(f"[{kind}]   {count} collections: probe {cell(figures[name, count, False])}; "
                  f"old {cell(figures[name, count, True])}; old/probe {was[count] / probe[count]:.2f}x",
                  flush=True)
        print(f"[{kind}]   25/11 collections: probe {probe[25] / probe[11]:.2f}x, old {was[25] / was[11]:.2f}x",
              flush=True)


async def take_cursors(readers: dict[str, Actor]) -> None:
    for count in (11, 25):
        with_collections(count)
        for name, actor in readers.items():
            CURSORS[name, count] = await head_cursor(actor)
    with_collections(len(TODAY))


async def run(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = await fresh_settings(kind, Path(folder))
        engine = await database.connect(settings)
        try:
            await database.migrate()
            started = time.perf_counter()
            world = await seed(args.findings, args.tickets, args.extra_rows, kind == "postgres")
            if kind == "postgres":
                async with write_transaction() as conn:
                    await conn.execute("ANALYZE")  # as autovacuum would after the load
            readers: dict[str, Actor] = world["readers"]
            print(f"[{kind}] seeded in {time.perf_counter() - started:.1f} s: {args.findings:,} findings and "
                  f"{args.tickets:,} tickets in each of E1 (the steward's 5 buildings) and E2; "
                  f"{len(EXTRA)} extra tables of {args.extra_rows:,} rows", flush=True)
            gc.freeze()  # as the server does once started (server/app.py)
            await take_cursors(readers)
            floors, idle = [], {}
            for _ in range(args.runs):
                floors.append(await floor_round_trip(args.pages))
                for count in (11, 25):
                    with_collections(count)
                    for name, actor in readers.items():
                        idle.setdefault((name, count), []).append(
                            await median_ms(page_of(actor, CURSORS[name, count]), args.pages))
            with_collections(len(TODAY))
            print(f"[{kind}] floor: SELECT 1 round trip {cell(floors)}", flush=True)
            for name in readers:
                print(f"[{kind}] floor: page, log not moved, {name}: 11 collections {cell(idle[name, 11])}; "
                      f"25 {cell(idle[name, 25])}", flush=True)

            # (a) others write in E3: the log moves, nothing is new for the readers
            e3_id, e3_buildings = world["estates"]["E3"]
            others = ([("finding", finding(e3_buildings[n % 5], e3_id, world["other"], n)) for n in range(20)]
                      + [("ticket", ticket(e3_buildings[n % 5], e3_id, world["other"], n)) for n in range(5)])
            await write(others, world["other"])
            await measure(kind, "a: head, others wrote 20 findings + 5 tickets elsewhere", readers,
                          dict.fromkeys(readers, 0), args.runs, args.pages)

            # (b) 20 new findings in the steward's buildings (E1: every reader's scope)
            await take_cursors(readers)
            e1_id, e1_buildings = world["estates"]["E1"]
            mine = [("finding", finding(e1_buildings[n % 5], e1_id, world["steward"], n)) for n in range(20)]
            await write(mine, world["steward"])
            await measure(kind, "b: 20 new findings in scope", readers, dict.fromkeys(readers, 20),
                          args.runs, args.pages)
        finally:
            await database.disconnect(engine)
            await drop_pg(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--findings", type=int, default=20_000, help="findings in each of E1 and E2")
    parser.add_argument("--tickets", type=int, default=2_000, help="tickets in each of E1 and E2")
    parser.add_argument("--extra-rows", type=int, default=2_000, help="rows in each extra table")
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure (median taken)")
    parser.add_argument("--pages", type=int, default=40, help="pages timed per run (median taken)")
    args = parser.parse_args()
    for kind in (["sqlite", "postgres"] if args.engine == "both" else [args.engine]):
        print(f"[{kind}] machine: {calibrate()}", flush=True)
        asyncio.run(run(kind, args))
        print(f"[{kind}] machine after: {calibrate()}", flush=True)


if __name__ == "__main__":
    main()
