"""How a push's rows get into PostgreSQL: the statement shapes side by side, interleaved.

    .venv/bin/python bench/bench_pg_writes.py [--rounds 15] [--batch 1000]

One push of ``--batch`` finding creates writes three sets of rows in one transaction: the
records, their change_log rows and the push's one applied_batch row (one row per push
since migration 0028; before, one applied_mutation row per mutation). Each round times, on the same
connection type and a fresh database, in turn (so that every shape meets the same machine
load):
- **executemany**: asyncpg's ``executemany`` of the one-row upsert / inserts (what the
  product did before: one statement execution per row, pipelined);
- **unnest**: one ``INSERT … SELECT FROM unnest($1::type[], …)`` per table, an array per
  column (what the product did until 2026-12-04: asyncpg checks every array element against
  three abstract base classes, about 15 ms per 1,000 rows of Python);
- **json**: one ``INSERT … SELECT … FROM jsonb_array_elements($1)`` per table, every row in
  one JSON parameter encoded by msgspec (what the product does now:
  ``server.store.sync_storage.Conn.insert_many``);
- **COPY**: binary ``COPY`` of the same rows (no upsert, no statement per row): the floor;
- **push**: the whole in-process push of a new batch through ``sync_service.push`` (lock,
  dedupe, load, merge, the writes above by json, commit).
Prints the median of each and the ratios. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_sync import BATCH, Capture, add_phone, calibrate, creates, fresh_estate  # noqa: E402
import msgspec  # noqa: E402

from schemas.sync import MutationResult, PushRequest  # noqa: E402
from server import sync_service  # noqa: E402
from server.ids import uuid7  # noqa: E402
from sync.storage import ProcessedMutation  # noqa: E402
from server.store.sync_storage import (  # noqa: E402
    APPLIED_SQL, CHANGE_LOG, CHANGE_LOG_SQL, columns_of, lock_clock, row_to_db, upsert_rows, upsert_sql,
    upsert_tail, write_transaction,
)

APPLIED_COLUMNS = ["device_id", "first_seq", "last_seq", "mutations", "applied_at"]
FAR = 10_000_000  # the bench's own seqs and versions, far above the push's
Rows = tuple[list[list[Any]], list[tuple[Any, ...]], tuple[Any, ...]]


def fresh_rows(template: list[Any], clock: int) -> Rows:
    """The captured push's rows under fresh ids and versions far above the clock."""
    columns = columns_of("finding")
    rows, log, processed = [], [], []
    device = str(uuid.uuid4())
    for n, write in enumerate(template, start=1):
        row = dict(write.row, id=uuid7(), version=clock + FAR + n)
        rows.append(row_to_db(columns, row))
        log.append((row["version"], "finding", row["id"], row["building_id"], "create", device, n,
                    row["created_by"], row["created_at"]))
        processed.append(ProcessedMutation(seq=FAR + n, collection="finding", record_id=row["id"], op="create",
                                           result=MutationResult(seq=FAR + n, status="applied",
                                                                 version=row["version"])))
    applied = (device, FAR + 1, FAR + len(processed), msgspec.json.encode(processed).decode(),
               template[0].row["created_at"])
    return rows, log, applied


async def executemany(rows: Rows) -> None:
    async with write_transaction() as conn:
        await conn.executemany(upsert_sql("finding"), rows[0])
        await conn.executemany(CHANGE_LOG_SQL, rows[1])
        await conn.execute(APPLIED_SQL, *rows[2])


def unnest_sql(table: str, names: tuple[str, ...], pg_types: tuple[str, ...], tail: str = "") -> str:
    quoted = ", ".join(f'"{n}"' for n in names)
    arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(pg_types, start=1))
    return f'INSERT INTO "{table}" ({quoted}) SELECT * FROM unnest({arrays}){tail}'


async def unnest(rows: Rows) -> None:
    columns = columns_of("finding")
    async with write_transaction() as conn:
        upsert = unnest_sql("finding", columns.names, columns.pg_types, upsert_tail("finding"))
        for sql, table_rows in ((upsert, rows[0]), (unnest_sql(*CHANGE_LOG), rows[1])):
            await conn.raw.execute(sql, *(list(column) for column in zip(*table_rows)))
        await conn.execute(APPLIED_SQL, *rows[2])


async def json(rows: Rows) -> None:
    async with write_transaction() as conn:
        await upsert_rows(conn, "finding", rows[0])
        await conn.insert_many(*CHANGE_LOG, rows[1])
        await conn.execute(APPLIED_SQL, *rows[2])


async def copy(rows: Rows) -> None:
    async with write_transaction() as conn:
        await conn.raw.copy_records_to_table("finding", records=rows[0], columns=list(columns_of("finding").names))
        await conn.raw.copy_records_to_table("change_log", records=rows[1], columns=list(CHANGE_LOG[1]))
        await conn.raw.copy_records_to_table("applied_batch", records=[rows[2]], columns=APPLIED_COLUMNS)


async def clean(clock: int) -> None:
    async with write_transaction() as conn:
        for table in ("change_log", "finding"):
            await conn.execute(f"DELETE FROM {table} WHERE version > ?", clock + FAR)
        await conn.execute("DELETE FROM applied_batch WHERE first_seq > ?", FAR)


async def run(rounds: int, batch: int) -> None:
    async with fresh_estate("postgres") as (_, _, building, unit):
        principal, _ = await add_phone("steward", [building])
        gc.freeze()
        seq = 1

        async def push() -> None:
            nonlocal seq
            request = PushRequest(protocol=2, device_id=principal.device_id, mutations=creates(unit, seq, batch))
            seq += batch
            response = await sync_service.push(principal, request, protocol=2, wrap=Capture)
            assert all(r.status == "applied" for r in response.results)

        await push()  # warm up, and the template of the rows
        template = Capture.batches[-1]
        shapes: dict[str, Callable[[Rows], Awaitable[None]]] = {
            "executemany": executemany, "unnest": unnest, "json": json, "COPY": copy}
        times: dict[str, list[float]] = {name: [] for name in [*shapes, "push"]}
        for _ in range(rounds):
            for name, write in shapes.items():
                async with write_transaction() as conn:
                    clock, _ = await lock_clock(conn)
                rows = fresh_rows(template, clock)
                started = time.perf_counter()
                await write(rows)
                times[name].append(time.perf_counter() - started)
                await clean(clock)
            started = time.perf_counter()
            await push()
            times["push"].append(time.perf_counter() - started)
        median = {name: statistics.median(t) for name, t in times.items()}
        for name, seconds in median.items():
            what = "whole push, in-process" if name == "push" else "rows + change_log + applied_batch"
            print(f"[postgres] {name:>11}: {seconds * 1000:7.1f} ms per {batch:,} ({what}), "
                  f"{batch / seconds:,.0f} rows/s")
        print(f"[postgres] executemany / json {median['executemany'] / median['json']:.2f}x; "
              f"unnest / json {median['unnest'] / median['json']:.2f}x; "
              f"json / COPY floor {median['json'] / median['COPY']:.2f}x; "
              f"whole push / COPY floor {median['push'] / median['COPY']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    print(f"[postgres] machine: {calibrate()}", flush=True)
    asyncio.run(run(args.rounds, args.batch))
    print(f"[postgres] machine after: {calibrate()}", flush=True)


if __name__ == "__main__":
    main()
