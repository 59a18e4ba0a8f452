"""Sync throughput and memory, each figure printed beside its raw floor measured in the same run.

    .venv/bin/python bench/bench_sync.py                  # SQLite and PostgreSQL
    .venv/bin/python bench/bench_sync.py --engine sqlite --batches 5 --scope 20000

Measures, on a fresh database per engine:
1. push merge, in-process: batches of 1,000 creates through ``sync_service.push`` (one
   transaction each: lock, dedupe, load, merge, write rows + change_log + applied_mutation),
   beside the floor: the same rows plus their change_log rows in one transaction, by the
   database's fastest bulk load (``executemany`` on SQLite, binary ``COPY`` on PostgreSQL);
2. push through HTTP: the same batches POSTed to uvicorn on loopback (one worker), from two
   phones at once (after one untimed 10-mutation push each); on PostgreSQL again with two
   workers, as a company deploys it (SQLite runs one: docs/operations.md); and first of all,
   as a new deployment meets them, on the freshly migrated, empty tables (2 workers on
   PostgreSQL, 1 on SQLite), the tables growing from run to run;
3. initial pull of a ``--scope``-record scope through the endpoint (gzip, as a browser asks),
   and in-process (pages of 5,000, encoded to JSON as the endpoint does) beside a raw
   select of the same rows encoded with msgspec;
4. peak Python memory (tracemalloc) of a full initial pull at 5k / 20k / 40k records.

Targets (2-core machine): merge ≤ 5x floor; ≥ 20,000 mutations/s via HTTP on SQLite;
pull ≥ 100,000 records/s with flat peak memory. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schemas.sync import Create, PushRequest, PullResponse  # noqa: E402
from server import db as database  # noqa: E402
from server import sync_service  # noqa: E402
from server.ids import uuid7  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.store import pull as pulls  # noqa: E402
from server.store import staff  # noqa: E402
from server.store.sync_storage import (  # noqa: E402
    CHANGE_LOG, CHANGE_LOG_SQL, columns_of, lock_clock, row_to_db, upsert_sql, write_records, write_transaction,
    read_snapshot,
)
from server.tables import Building, Estate, StaffUser, Unit  # noqa: E402
from sync.storage import RecordWrite  # noqa: E402

PG_ADMIN = os.environ.get("STEWARDSYNC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 1000
PAGE = 5000
encode = msgspec.json.Encoder().encode


# --- a fresh database ----------------------------------------------------------------------

async def fresh_settings(kind: str, folder: Path) -> Settings:
    if kind == "sqlite":
        return Settings(data_dir=folder, secret_key="bench")
    import asyncpg

    name = f"ss_bench_{os.getpid()}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    return Settings(data_dir=folder, database_url=url, secret_key="bench")


@asynccontextmanager
async def fresh_estate(kind: str) -> AsyncIterator[tuple[Settings, str, str, str]]:
    """A fresh, migrated database of ``kind`` holding one estate with one building of one
    unit: (settings, estate id, building id, unit id); disconnected and dropped after."""
    with tempfile.TemporaryDirectory() as folder:
        settings = await fresh_settings(kind, Path(folder))
        engine = await database.connect(settings)
        try:
            await database.migrate()
            estate_id = str(uuid.uuid4())
            await Estate.insert(Estate(id=estate_id, code="YC", name="压测花园"))
            building, unit = await add_building(estate_id)
            yield settings, estate_id, building, unit
        finally:
            await database.disconnect(engine)
            await drop_pg(settings)


async def drop_pg(settings: Settings) -> None:
    if settings.engine_kind == "postgres":
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f"DROP DATABASE IF EXISTS {settings.database_url.rsplit('/', 1)[1]} WITH (FORCE)")
        await conn.close()


async def add_building(estate_id: str) -> tuple[str, str]:
    building_id, unit_id = str(uuid.uuid4()), str(uuid.uuid4())
    await Building.insert(Building(id=building_id, building_id=building_id, estate_id=estate_id,
                                   code="1栋", name="1号楼", floors=18))
    await Unit.insert(Unit(id=unit_id, building_id=building_id, estate_id=estate_id, code="1-0101", floor=1,
                           unit_type="yangfang", area_m2=90.0, occupancy="occupied"))
    return building_id, unit_id


async def add_phone(role: str, buildings: list[str]) -> tuple[Any, str]:
    """A user (no password: never logs in) with an enrolled device: (principal, token)."""
    user_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    await StaffUser.insert(StaffUser(id=user_id, username=f"bench-{user_id[:8]}", display_name="压测",
                                     role=role, password_hash="!"))
    await staff.assign_buildings(user_id, buildings)
    token, _ = await staff.enrol_device(user_id, device_id, "bench", 30)
    return await staff.principal_of(user_id, device_id=device_id), token


def creates(unit_id: str, start_seq: int, count: int) -> list[Create]:
    """Findings as a phone captures them (ids are UUIDv7, as web/static/app/ids.js makes)."""
    return [Create(seq=start_seq + i, collection="finding", id=uuid7(), fields={
        "kind": "public_damage", "unit_id": unit_id, "severity": "medium",
        "description": f"3楼走廊灯不亮 #{start_seq + i}", "occurred_at": "2026-11-22T08:00:00.000Z"})
        for i in range(count)]


# --- 1. push merge in-process vs the floor -------------------------------------------------

class Capture:
    """Wraps the real storage to keep each batch's writes (for the floor)."""

    batches: list[list[RecordWrite]] = []

    def __init__(self, inner: Any):
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def commit(self, batch: Any) -> None:
        Capture.batches.append(batch.writes)
        await self.inner.commit(batch)


async def bench_merge(principal: Any, unit_id: str, batches: int) -> tuple[float, float]:
    merge_times = []
    seq = 1
    for _ in range(batches):
        request = PushRequest(protocol=2, device_id=principal.device_id, mutations=creates(unit_id, seq, BATCH))
        seq += BATCH
        started = time.perf_counter()
        response = await sync_service.push(principal, request, protocol=2, wrap=Capture)
        merge_times.append(time.perf_counter() - started)
        assert all(r.status == "applied" for r in response.results)
    floor_times = []
    for writes in Capture.batches[-batches:]:
        floor_times.append(await floor_write(writes))
    return BATCH * batches / sum(merge_times), BATCH * batches / sum(floor_times)


async def floor_write(writes: list[RecordWrite]) -> float:
    """The same rows under fresh ids and versions written with the database's fastest bulk
    load, timed; then removed again (untimed). SQLite: ``executemany`` of the upsert and the
    change_log rows (a prepared statement stepped per row, in-process). PostgreSQL: binary
    ``COPY`` of the rows and the change_log rows (no upsert, no per-row statement), or
    ``executemany`` as before with ``--executemany-floor``."""
    async with write_transaction() as conn:
        clock, _ = await lock_clock(conn)
    columns = columns_of("finding")
    rows, log, ids = [], [], []
    for n, write in enumerate(writes, start=1):
        row = dict(write.row, id=uuid7(), version=clock + 10_000_000 + n)
        ids.append(row["id"])
        rows.append(row_to_db(columns, row))
        log.append((row["version"], "finding", row["id"], row["building_id"], "create", None, None,
                    row["created_by"], row["created_at"]))
    started = time.perf_counter()
    async with write_transaction() as conn:
        if conn.postgres and not EXECUTEMANY_FLOOR:  # the fastest way rows get into PostgreSQL
            await conn.raw.copy_records_to_table("finding", records=rows, columns=list(columns.names))
            await conn.raw.copy_records_to_table("change_log", records=log, columns=list(CHANGE_LOG[1]))
        else:
            await conn.executemany(upsert_sql("finding"), rows)
            await conn.executemany(CHANGE_LOG_SQL, log)
    elapsed = time.perf_counter() - started
    async with write_transaction() as conn:
        await conn.execute("DELETE FROM change_log WHERE version > ?", clock + 10_000_000)
        await conn.execute("DELETE FROM finding WHERE version > ?", clock + 10_000_000)
    return elapsed


# --- 2. push through HTTP ------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def served(settings: Settings, workers: int = 1) -> AsyncIterator[httpx.AsyncClient]:
    """The app under uvicorn on loopback, as deployed (several workers: the entry point
    ``stewardsync serve`` gives its workers, which never migrates); a client for it."""
    port = free_port()
    env = {**os.environ, "STEWARDSYNC_DATA_DIR": str(settings.data_dir),
           "STEWARDSYNC_DATABASE_URL": settings.database_url, "STEWARDSYNC_SECRET_KEY": "bench",
           "STEWARDSYNC_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    app = "server.app:create_app" if workers == 1 else "server.asgi:create"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(workers)],
        cwd=ROOT, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(300):
                if server.poll() is not None:
                    raise RuntimeError("the server did not start (see its output above)")
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the server did not answer /health within 30 s")
            yield http
    finally:
        server.terminate()
        server.wait(timeout=30)


def push_body(device_id: str, mutations: list[Create]) -> bytes:
    return encode({"protocol": 2, "device_id": device_id, "mutations": msgspec.to_builtins(mutations)})


async def bench_http_push(http: httpx.AsyncClient, phones: list[tuple[Any, str]], unit_id: str,
                          batches: int) -> float:
    """Phones pushing at once, each its batches in turn (after one small warm-up push each,
    untimed: the server's first request builds its handlers' signature models)."""
    bodies = []
    for principal, token in phones:
        warm_up = push_body(principal.device_id, creates(unit_id, 1, 10))
        mine = [push_body(principal.device_id, creates(unit_id, 11 + n * BATCH, BATCH)) for n in range(batches)]
        bodies.append((token, warm_up, mine))

    async def send(token: str, body: bytes) -> None:
        response = await http.post("/api/v1/sync/push", content=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert response.status_code == 200, response.text[:300]

    async def phone(token: str, mine: list[bytes]) -> None:
        for body in mine:
            await send(token, body)

    for token, warm_up, _ in bodies:
        await send(token, warm_up)
    started = time.perf_counter()
    await asyncio.gather(*(phone(token, mine) for token, _, mine in bodies))
    elapsed = time.perf_counter() - started
    return BATCH * batches * len(phones) / elapsed


class PageCount(msgspec.Struct):
    """Enough of a pull page to count its records and go on (records left undecoded)."""

    cursor: str
    more: bool
    records: dict[str, list[msgspec.Raw]] = {}


async def bench_http_pull(http: httpx.AsyncClient, principal: Any, token: str) -> tuple[float, int, int]:
    """A phone's initial pull through the endpoint, gzip as browsers ask for it:
    (records/s, records, bytes on the wire)."""
    cursor, records, wire = None, 0, 0
    started = time.perf_counter()
    while True:
        response = await http.post("/api/v1/sync/pull", content=encode(
            {"protocol": 2, "device_id": principal.device_id, "cursor": cursor, "limit": PAGE}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                     "Accept-Encoding": "gzip"})
        assert response.status_code == 200, response.text[:300]
        wire += int(response.headers.get("content-length", 0))
        page = msgspec.json.decode(response.content, type=PageCount)
        records += sum(len(rows) for rows in page.records.values())
        cursor = page.cursor
        if not page.more:
            return records / (time.perf_counter() - started), records, wire


# --- 3 and 4. pull -------------------------------------------------------------------------

async def seed_scope(building_id: str, unit_id: str, user_id: str, count: int) -> None:
    """``count`` findings in one building, written through the sync write path in chunks."""
    now = "2026-11-22T08:00:00.000Z"
    for start in range(0, count, 5000):
        async with write_transaction() as conn:
            clock, _ = await lock_clock(conn)
            writes = []
            for n in range(min(5000, count - start)):
                clock += 1
                writes.append(RecordWrite(collection="finding", op="create", row={
                    "id": uuid7(), "version": clock, "created_at": now, "updated_at": now,
                    "created_by": user_id, "updated_by": user_id, "deleted": False,
                    "building_id": building_id, "round_id": None, "floor": "3", "area": "lighting",
                    "unit_id": unit_id, "kind": "public_damage", "severity": "medium",
                    "description": f"3楼走廊灯不亮 #{start + n}", "occurred_at": now, "ticket_id": None,
                    "steward_id": user_id}))
            await write_records(conn, writes, device_id=None, user_id=user_id, at=now)
            await conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1", clock)


async def full_pull(principal: Any) -> tuple[int, int]:
    """Pull a scope from the start as the endpoint does (pages encoded); (records, bytes)."""
    actor = sync_service.actor_of(principal)
    cursor, records, size = None, 0, 0
    while True:
        page: PullResponse = await pulls.pull_page(actor, cursor, PAGE)
        size += len(encode(page))
        records += sum(len(rows) for rows in page.records.values())
        cursor = page.cursor
        if not page.more:
            return records, size


async def raw_select(building_id: str) -> int:
    """The floor: one select of the same rows, as dicts, encoded with msgspec."""
    names = columns_of("finding").names
    async with read_snapshot() as conn:
        rows = await conn.fetch(f'SELECT {", ".join(names)} FROM finding WHERE building_id = ?', building_id)
        body = encode([dict(zip(names, r)) for r in rows])
    return len(rows) if body else 0


async def bench_pull(principal: Any, building_id: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    records, _ = await full_pull(principal)
    pull_rate = records / (time.perf_counter() - started)
    started = time.perf_counter()
    raw = await raw_select(building_id)
    raw_rate = raw / (time.perf_counter() - started)
    return pull_rate, raw_rate, records


async def peak_memory(principal: Any) -> tuple[int, float]:
    tracemalloc.start()
    records, _ = await full_pull(principal)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return records, peak / 1024 / 1024


# --- the run -------------------------------------------------------------------------------

EXECUTEMANY_FLOOR = False


def floor_name(kind: str) -> str:
    return "COPY" if kind == "postgres" and not EXECUTEMANY_FLOOR else "executemany"


def runs(rates: list[float]) -> str:
    """"median M (runs a / b / c)": the machine is shared, so each figure is repeated."""
    listed = " / ".join(f"{r:,.0f}" for r in rates)
    return f"median {statistics.median(rates):,.0f} (runs {listed})" if len(rates) > 1 else listed


async def run(kind: str, batches: int, scope: int, memory_sizes: list[int], repeat: int) -> None:
    async with fresh_estate(kind) as (settings, estate_id, push_building, push_unit):
        gc.freeze()  # as the server does once started (server/app.py)
        # a new deployment: the server's first pushes meet empty tables, and on PostgreSQL
        # the plans it keeps are made then (server.db.PLANNER_SETTINGS)
        workers = 2 if kind == "postgres" else 1
        async with served(settings, workers=workers) as http:
            rates = []
            for _ in range(repeat):  # two new phones each time, the tables growing
                phones = [await add_phone("steward", [push_building]) for _ in range(2)]
                rates.append(await bench_http_push(http, phones, push_unit, batches))
        print(f"[{kind}] push via HTTP on fresh tables (uvicorn, {workers} worker{'s' * (workers > 1)}, "
              f"2 phones): {runs(rates)} mutations/s", flush=True)
        merges, floors = [], []
        for _ in range(repeat):  # a new phone each time
            pusher = await add_phone("steward", [push_building])
            merge_rate, floor_rate = await bench_merge(pusher[0], push_unit, batches)
            merges.append(merge_rate)
            floors.append(floor_rate)
        print(f"[{kind}] push merge in-process: {runs(merges)} mutations/s; "
              f"floor ({floor_name(kind)} rows + change_log): {runs(floors)} rows/s; "
              f"merge/floor time ratio of medians {statistics.median(floors) / statistics.median(merges):.2f}x",
              flush=True)
        building, unit = await add_building(estate_id)
        reader = await add_phone("steward", [building])
        await seed_scope(building, unit, reader[0].user_id, scope)
        async with served(settings) as http:
            rates = []
            for _ in range(repeat):  # two new phones each time, pushing into the same tables
                phones = [await add_phone("steward", [push_building]) for _ in range(2)]
                rates.append(await bench_http_push(http, phones, push_unit, batches))
            print(f"[{kind}] push via HTTP (uvicorn, 1 worker, 2 phones): {runs(rates)} mutations/s",
                  flush=True)
            rates, wire = [], 0
            for _ in range(repeat):
                rate, pulled, wire = await bench_http_pull(http, *reader)
                rates.append(rate)
            print(f"[{kind}] initial pull via HTTP of {pulled:,} records (gzip): {runs(rates)} records/s, "
                  f"{wire / pulled:.0f} bytes/record on the wire", flush=True)
        if kind == "postgres":  # as a company deploys it: several workers (docs/operations.md)
            async with served(settings, workers=2) as http:
                rates = []
                for _ in range(repeat):
                    phones = [await add_phone("steward", [push_building]) for _ in range(2)]
                    rates.append(await bench_http_push(http, phones, push_unit, batches))
                print(f"[{kind}] push via HTTP (uvicorn, 2 workers, 2 phones): {runs(rates)} mutations/s",
                      flush=True)
        pulls_, raws = [], []
        for _ in range(repeat):
            pull_rate, raw_rate, records = await bench_pull(reader[0], building)
            pulls_.append(pull_rate)
            raws.append(raw_rate)
        print(f"[{kind}] initial pull of {records:,} records: {runs(pulls_)} records/s; "
              f"raw select + msgspec: {runs(raws)} records/s; "
              f"ratio of medians {statistics.median(raws) / statistics.median(pulls_):.2f}x", flush=True)
        for size in memory_sizes:
            building, unit = await add_building(estate_id)
            phone = await add_phone("steward", [building])
            await seed_scope(building, unit, phone[0].user_id, size)
            records, peak = await peak_memory(phone[0])
            print(f"[{kind}] peak traced memory, initial pull of {records:,} records: {peak:.1f} MiB",
                  flush=True)


def calibrate() -> str:
    """How busy this machine is: the load average and a pure-Python loop (an idle core of
    this class does 1M iterations in about 0.06 s). Read every figure against it."""
    started = time.perf_counter()
    sum(i * i for i in range(1_000_000))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load average {load:.1f}; 1M-iteration Python loop {time.perf_counter() - started:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--batches", type=int, default=5, help="push batches of 1,000 per measure")
    parser.add_argument("--scope", type=int, default=20_000, help="records in the pulled scope")
    parser.add_argument("--memory", default="5000,20000,40000", help="scope sizes for peak memory")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each HTTP and pull figure")
    parser.add_argument("--executemany-floor", action="store_true",
                        help="PostgreSQL's floor by executemany (as before) instead of COPY")
    args = parser.parse_args()
    global EXECUTEMANY_FLOOR
    EXECUTEMANY_FLOOR = args.executemany_floor
    sizes = [int(s) for s in args.memory.split(",") if s]
    for kind in (["sqlite", "postgres"] if args.engine == "both" else [args.engine]):
        print(f"[{kind}] machine: {calibrate()}", flush=True)
        asyncio.run(run(kind, args.batches, args.scope, sizes, args.repeat))
        print(f"[{kind}] machine after: {calibrate()}", flush=True)


if __name__ == "__main__":
    main()
