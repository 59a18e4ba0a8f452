"""The desk's ticket queue with 1,000,000 tickets, on SQLite and PostgreSQL.

For each engine: build a throwaway database (a temp folder / a temp PostgreSQL database,
removed afterwards), migrate it, drop the ticket indexes, bulk-load the tickets in one
INSERT … SELECT (a recursive CTE on SQLite, generate_series on PostgreSQL), rebuild the
indexes, then time
in one run, for the first page and a deep page with filters:

- the page through the real app (httpx on the ASGI app, same process: server time, with
  session auth, the keyset query, the status counts, the look-ups and the template);
- the bare SQL of the page (the keyset query alone, and with the status counts).

Usage: .venv/bin/python bench/bench_queue.py [--tickets N] [--runs R] [--engines sqlite,postgres]
Target: p95 of the page under 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from server import db as database
from server.app import close_database, create_app, open_database
from server.auth.middleware import SESSION_COOKIE
from server.clock import now_iso
from server.settings import Settings
from server.store import staff
from server.store import tickets as store
from sync.scope import Scope

PG_URL = os.environ.get("STEWARDSYNC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BUILDINGS, UNITS_PER_BUILDING = 25, 12
KINDS = ("repair", "complaint", "inquiry", "patrol_finding", "vacant_defect")
PRIORITIES = ("urgent", "high", "normal", "low")
TEAMS = ("工程部", "保洁", "秩序", "绿化", "客服")
OPEN = ("received", "dispatched", "in_progress", "done", "called_back")
SPAN_DAYS = 3 * 365
ESTATE = "e"  # the one estate of the built database
SCOPE = Scope(estates=frozenset({ESTATE}), buildings=None)  # the desk clerk's: every building of it
COLUMNS = ("id", "version", "created_at", "updated_at", "deleted", "building_id", "estate_id", "number", "kind",
           "priority", "status", "title", "description", "unit_id", "place", "channel", "assignee",
           "resolve_due_at", "escalated", "owner_signed", "paid_service")


# --- building the databases -------------------------------------------------------------------


def _case(values: tuple[str, ...], expression: str) -> str:
    """SQL choosing one of ``values`` by ``expression`` (0-based)."""
    arms = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE {expression} {arms} END"


async def migrate(settings: Settings) -> None:
    engine = await database.connect(settings)
    await database.migrate()
    await database.disconnect(engine)


def reference_rows() -> tuple[list[str], dict[str, list[str]]]:
    rng = random.Random(1)
    buildings = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(BUILDINGS)]
    units = {b: [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(UNITS_PER_BUILDING)] for b in buildings}
    return buildings, units


def build_sqlite(path: Path, n: int) -> tuple[list[str], dict[str, list[str]]]:
    buildings, units = reference_rows()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")  # a throwaway file: no journal while loading
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB for the index builds
    at = now_iso()
    conn.execute("INSERT INTO estate (id, name, address) VALUES ('e', '压测花园', '')")
    conn.executemany("INSERT INTO building (id, version, created_at, updated_at, deleted, building_id, estate_id, code, "
                     "name, floors, lifts) VALUES (?, 0, ?, ?, 0, ?, 'e', ?, ?, 6, 1)",
                     [(b, at, at, b, f"{i + 1}栋", f"{i + 1}号楼") for i, b in enumerate(buildings)])
    conn.executemany("INSERT INTO unit (id, version, created_at, updated_at, deleted, building_id, estate_id, code, "
                     "floor, unit_type, area_m2, occupancy) VALUES (?, 0, ?, ?, 0, ?, 'e', ?, 1, 'yangfang', 90, "
                     "'occupied')",
                     [(u, at, at, b, f"{i + 1}-{j + 1:02d}01") for i, b in enumerate(buildings)
                      for j, u in enumerate(units[b])])
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket' "
                           "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("CREATE TEMP TABLE pick_unit (k INTEGER PRIMARY KEY, building_id TEXT, unit_id TEXT)")
    conn.executemany("INSERT INTO pick_unit VALUES (?, ?, ?)",
                     [(i * UNITS_PER_BUILDING + j, b, u) for i, b in enumerate(buildings)
                      for j, u in enumerate(units[b])])
    start = (datetime.now(UTC) - timedelta(days=SPAN_DAYS)).timestamp()
    conn.execute(f"""
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {int(n)}),
             -- a deterministic scramble of i (Knuth's multiplicative hash) picks the values
             draw AS (SELECT i, (i * 2654435761) % 4294967291 AS r, {start} + i * {SPAN_DAYS * 86400 / n} AS t
                      FROM seq)
        INSERT INTO ticket ({', '.join(COLUMNS)})
        SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-7' || substr(hex(randomblob(2)), 2)
                     || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
               i, strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch'),
               0, p.building_id, 'e', printf('GD%08d', i),
               ({_case(KINDS, "r / 301 % 5")}), ({_case(PRIORITIES, "r / 1511 % 4")}),
               CASE WHEN i > {n} * 0.98 THEN ({_case(OPEN, "r / 6047 % 5")}) ELSE 'closed' END,
               '工单标题', '', p.unit_id, '', 'phone', ({_case(TEAMS, "r / 30241 % 5")}),
               strftime('%Y-%m-%dT%H:%M:%fZ', t + 86400, 'unixepoch'), 0, 0, 0
        FROM draw JOIN pick_unit AS p ON p.k = draw.r % {BUILDINGS * UNITS_PER_BUILDING}
    """)
    conn.commit()
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.commit()
    conn.execute("PRAGMA journal_mode=WAL")  # as the server runs it
    conn.close()
    return buildings, units


async def build_postgres(url: str, n: int) -> tuple[list[str], dict[str, list[str]]]:
    buildings, units = reference_rows()
    conn = await asyncpg.connect(url)
    try:
        at = now_iso()
        await conn.execute("INSERT INTO estate (id, name, address) VALUES ('e', '压测花园', '')")
        await conn.executemany("INSERT INTO building (id, version, created_at, updated_at, deleted, building_id, "
                               "estate_id, code, name, floors, lifts) VALUES ($1, 0, $2, $2, false, $1, 'e', $3, $4, 6, 1)",
                               [(b, at, f"{i + 1}栋", f"{i + 1}号楼") for i, b in enumerate(buildings)])
        await conn.executemany("INSERT INTO unit (id, version, created_at, updated_at, deleted, building_id, "
                               "estate_id, code, floor, unit_type, area_m2, occupancy) VALUES ($1, 0, $2, $2, false, "
                               "$3, 'e', $4, 1, 'yangfang', 90, 'occupied')",
                               [(u, at, b, f"{i + 1}-{j + 1:02d}01") for i, b in enumerate(buildings)
                                for j, u in enumerate(units[b])])
        indexes = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ticket' "
                                   "AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        await conn.execute("""
            INSERT INTO ticket (id, version, created_at, updated_at, deleted, building_id, estate_id, number, kind,
                                priority,
                                status, title, description, unit_id, place, channel, assignee, resolve_due_at,
                                escalated, owner_signed, paid_service)
            SELECT md5(g::text)::uuid::text, g,
                   to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), false,
                   ($2::text[])[1 + (hashint % $3)], 'e', 'GD' || lpad(g::text, 8, '0'),
                   (ARRAY['repair','complaint','inquiry','patrol_finding','vacant_defect'])[1 + (hashint / 7) % 5],
                   (ARRAY['urgent','high','normal','low'])[1 + (hashint / 11) % 4],
                   CASE WHEN g > $1 * 0.98
                        THEN (ARRAY['received','dispatched','in_progress','done','called_back'])[1 + (hashint / 13) % 5]
                        ELSE 'closed' END,
                   '工单标题', '', ($4::text[])[1 + (hashint / 17) % array_length($4::text[], 1)], '', 'phone',
                   (ARRAY['工程部','保洁','秩序','绿化','客服'])[1 + (hashint / 19) % 5],
                   to_char((t + interval '24 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   false, false, false
            FROM (SELECT g, abs(hashtext(g::text)) AS hashint,
                         now() - make_interval(days => $5) + (g * ($5 * 86400.0 / $1)) * interval '1 second' AS t
                  FROM generate_series(1, $1::int) AS g) AS s
        """, n, buildings, len(buildings), [u for b in buildings for u in units[b]], SPAN_DAYS)
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("VACUUM ANALYZE ticket")  # as autovacuum would have: index-only scans need the visibility map
    finally:
        await conn.close()
    return buildings, units


# --- timing -----------------------------------------------------------------------------------


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    for _ in range(3):  # warm caches and the connection pool
        await fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return samples


async def deep_cursor(f: store.QueueFilter, depth: int) -> str:
    """A keyset cursor ``depth`` rows into the filtered order (set-up only: OFFSET here is fine)."""
    sql, args = store.queue_sql(f, now_iso(), limit=1, scope=SCOPE)
    sql = sql.replace("LIMIT 2", f"LIMIT 1 OFFSET {depth}")
    row = (await store.Ticket.raw(sql, *args))[0]
    return store.encode_cursor(row["created_at"], row["id"])


async def measure(settings: Settings, buildings: list[str], runs: int, n: int) -> list[tuple[str, str, str, str]]:


    app = create_app(settings, migrate=False)
    await open_database(app, migrate=False)
    try:
        user_id = await staff.add_user(f"bench{uuid.uuid4().hex[:6]}", "bench-password", "压测", "desk",
                                       estate_ids=[ESTATE])
        token = await staff.open_session(user_id)
        filters = store.QueueFilter(building_id=buildings[3], status="closed", kind="repair")
        deep = await deep_cursor(filters, max(1, n // 500))  # 2,000 rows deep at 1M tickets
        cases = {
            "first page": (store.QueueFilter(), {}),
            "deep page, building+status+kind": (
                store.QueueFilter(building_id=buildings[3], status="closed", kind="repair", after=deep),
                {"building_id": buildings[3], "status": "closed", "kind": "repair", "after": deep}),
            "overdue only": (store.QueueFilter(overdue=True), {"overdue": "true"}),
        }
        results = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     cookies={SESSION_COOKIE: token}) as client:
            for name, (f, params) in cases.items():
                async def page() -> None:
                    response = await client.get("/desk/tickets", params=params)
                    assert response.status_code == 200 and "GD" in response.text, response.text[:300]

                async def bare() -> None:
                    sql, args = store.queue_sql(f, now_iso(), scope=SCOPE)
                    await store.Ticket.raw(sql, *args)

                async def bare_with_counts() -> None:
                    await bare()
                    await store.status_counts(f, now_iso(), scope=SCOPE)

                results.append((name, summary(await timed(page, runs)), summary(await timed(bare, runs)),
                                summary(await timed(bare_with_counts, runs))))

            async def floor() -> None:
                assert (await client.get("/desk/live")).status_code == 200

            results.append(("floor: GET /desk/live (session auth + one query, no queue)",
                            summary(await timed(floor, runs)), "", ""))
        return results
    finally:
        await close_database(app)


def machine_load() -> str:
    """The load average and a 1M-iteration Python loop (~0.06 s on an idle core)."""
    started = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    return f"load average {os.getloadavg()[0]:.1f}, 1M-iteration loop {time.perf_counter() - started:.3f} s"


def report(engine: str, n: int, build_seconds: float, rows: list[tuple[str, str, str, str]]) -> None:
    print(f"\n== {engine}: {n:,} tickets (built in {build_seconds:.1f} s; {machine_load()})")
    for name, page, bare, counts in rows:
        print(f"  {name}")
        print(f"    page (server time)      {page}")
        if bare:
            print(f"    bare keyset query       {bare}")
            print(f"    bare query + counts     {counts}")


async def bench_sqlite(n: int, runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ss_bench_"))
    try:
        settings = Settings(data_dir=folder, secret_key="bench", log_level="WARNING")
        await migrate(settings)
        started = time.perf_counter()
        buildings, _ = build_sqlite(folder / "stewardsync.db", n)
        report("SQLite", n, time.perf_counter() - started, await measure(settings, buildings, runs, n))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def scratch_postgres(prefix: str) -> AsyncIterator[tuple[str, Settings]]:
    """A fresh, migrated PostgreSQL database of its own for one bench run (its URL and
    settings), dropped afterwards."""
    name = f"{prefix}_{os.getpid()}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        settings = Settings(database_url=url, secret_key="bench", log_level="WARNING")
        await migrate(settings)
        yield url, settings
    finally:
        admin = await asyncpg.connect(PG_URL)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def bench_postgres(n: int, runs: int) -> None:
    async with scratch_postgres("ss_bench") as (url, settings):
        started = time.perf_counter()
        buildings, _ = await build_postgres(url, n)
        report("PostgreSQL", n, time.perf_counter() - started, await measure(settings, buildings, runs, n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if "sqlite" in engines:
        asyncio.run(bench_sqlite(args.tickets, args.runs))
    if "postgres" in engines:
        asyncio.run(bench_postgres(args.tickets, args.runs))


if __name__ == "__main__":
    main()
