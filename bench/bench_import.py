"""The ledger import (业户台账) beside a raw ``executemany`` of the same rows, in one run.

    .venv/bin/python bench/bench_import.py                    # SQLite and PostgreSQL, 10,000 households
    .venv/bin/python bench/bench_import.py --engine sqlite --households 3000

On a fresh database per engine, a generated ledger (tests/ledger_sample.py: 10,000 units
with their households and one month's bills, 50 buildings, 15 staff) is:
1. read (calamine) and planned: the preview;
2. imported into an empty estate: read + plan + every building, unit and household through
   the sync merge and the change log, staff and bills as rows, in one transaction;
3. imported again (nothing changes) and exported (then re-imported: unchanged).
The floor: the rows the import wrote, written by the driver's ``executemany`` (upsert and
change_log rows, bills) in one transaction into a second empty estate: no reading, no
checks, no merge. Ratios are import time / floor time of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_sync import calibrate, drop_pg, fresh_settings  # noqa: E402

from server import db as database  # noqa: E402
from server.clock import now_iso  # noqa: E402
from server.ids import uuid7  # noqa: E402
from server.ledger import service  # noqa: E402
from server.ledger.plan import make_plan  # noqa: E402
from server.ledger.workbook import read_book  # noqa: E402
from server.store.sync_storage import (  # noqa: E402
    CHANGE_LOG_SQL, columns_of, lock_clock, row_to_db, upsert_sql, write_transaction,
)
from tests.ledger_sample import sample_rows, workbook  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def timed(label: str, started: float) -> float:
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s", flush=True)
    return elapsed


async def floor(plan, estate_id: str) -> float:
    """The plan's records as rows (ids, versions, places filled in by hand), written with
    executemany + change_log, and its bills: the same rows the import wrote."""
    now = now_iso()
    async with write_transaction() as conn:
        clock, _ = await lock_clock(conn)
    ids = {m.id: uuid7() for m in plan.mutations}
    buildings = {m.id: ids[m.id] for m in plan.mutations if m.collection == "building"}
    unit_building: dict[str, str] = {}
    by_collection: dict[str, list[list]] = {}
    log = []
    for n, m in enumerate(plan.mutations, start=1):
        fields = dict(m.fields)
        fields.pop("estate_id", None)
        if m.collection == "building":
            building_id = ids[m.id]
        elif m.collection == "unit":
            building_id = buildings[fields.pop("building_id")]
            unit_building[ids[m.id]] = building_id
        else:
            fields["unit_id"] = ids[fields["unit_id"]]
            building_id = unit_building[fields["unit_id"]]
        row = {**fields, "id": ids[m.id], "version": clock + n, "created_at": now, "updated_at": now,
               "created_by": "bench", "updated_by": "bench", "deleted": False,
               "building_id": building_id, "estate_id": estate_id}
        by_collection.setdefault(m.collection, []).append(row_to_db(columns_of(m.collection), row))
        log.append((row["version"], m.collection, row["id"], building_id, "create", None, None, "bench", now))
    bills = [(b.unit_id, b.building_id, estate_id, b.month, b.amount_due, b.amount_paid, b.paid_at)
             for b in plan.bills]
    started = time.perf_counter()
    async with write_transaction() as conn:
        for collection, rows in by_collection.items():
            await conn.executemany(upsert_sql(collection), rows)
        await conn.executemany(CHANGE_LOG_SQL, log)
        await conn.executemany("INSERT INTO fee_bill (unit_id, building_id, estate_id, month, amount_due, "
                               "amount_paid, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?)", bills)
    return time.perf_counter() - started


async def run(kind: str, households: int) -> None:
    data = workbook(sample_rows(households))
    with tempfile.TemporaryDirectory() as folder:
        settings = await fresh_settings(kind, Path(folder))
        engine = await database.connect(settings)
        try:
            await database.migrate()
            estate = await service.add_estate("BENCH", "压测花园")
            other = await service.add_estate("FLOOR", "对照花园")
            print(f"[{kind}] ledger of {households:,} households: {len(data) / 2**20:.1f} MB", flush=True)
            started = time.perf_counter()
            book = read_book(data, "ledger.xlsx")
            read = timed("read the workbook (calamine)", started)
            started = time.perf_counter()
            plan = await service.preview(data, "ledger.xlsx", estate.id, tz=TZ)
            preview = timed("preview (read + plan, nothing written)", started)
            rows = sum(c.new for c in plan.counts.values())
            started = time.perf_counter()
            applied = await service.apply(data, "ledger.xlsx", estate.id, user_id="bench", tz=TZ)
            imported = timed(f"import into an empty estate ({rows:,} rows)", started)
            assert not applied.plan.errors and applied.plan.changes == rows
            started = time.perf_counter()
            again = await service.apply(data, "ledger.xlsx", estate.id, user_id="bench", tz=TZ)
            timed("the same file again (nothing changes)", started)
            assert again.plan.changes == 0
            started = time.perf_counter()
            exported = await service.export_estate(estate.id, tz=TZ)
            timed("export the estate", started)
            back = await service.preview(exported, "export.xlsx", estate.id, tz=TZ)
            assert back.changes == 0
            written = await floor(make_plan(book, await _empty_state(other.id), tz=TZ), other.id)
            print(f"  floor: executemany of the same {rows:,} rows + change_log: {written:.2f} s", flush=True)
            print(f"[{kind}] import {imported:.2f} s = {imported / written:.1f}x the raw executemany "
                  f"({written:.2f} s); of which reading the workbook {read:.2f} s, preview {preview:.2f} s; "
                  f"{rows / imported:,.0f} rows/s", flush=True)
        finally:
            await database.disconnect(engine)
            await drop_pg(settings)


async def _empty_state(estate_id: str):
    from server.store.sync_storage import read_snapshot

    async with read_snapshot() as conn:
        return await service.load_state(conn, estate_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()
    for kind in (["sqlite", "postgres"] if args.engine == "both" else [args.engine]):
        print(f"[{kind}] machine: {calibrate()}", flush=True)
        asyncio.run(run(kind, args.households))


if __name__ == "__main__":
    main()
