"""The KPI dashboard's reads over a large history, on SQLite and PostgreSQL.

Builds the ticket history of bench_queue.py (25 buildings, N tickets over three years; the
closed ones given a completion, a callback on a third and a paid service on a tenth), then
times, for the last month:

- the 12-month trend (``server.store.kpi.trend``: six grouped queries), which is also what
  the dashboard reads (its month, trend and breakdown come from the same counts);
- the breakdown per building and steward (``server.store.kpi_breakdown.breakdown``);
- for comparison, what the grouping avoids: the month's figures asked building by building
  and month by month (12 × 25 calls of ``month_kpis`` with a building).

Usage: .venv/bin/python bench/bench_kpi.py [--tickets N] [--runs R] [--engines sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bench.bench_queue import SCOPE, build_postgres, build_sqlite, migrate, scratch_postgres
from server import db as database
from server.clock import iso
from server.settings import Settings
from server.store import kpi, kpi_breakdown

HISTORY = ("UPDATE ticket SET done_at = resolve_due_at, "
           "called_back_at = CASE WHEN version % 3 = 0 THEN resolve_due_at END, "
           "satisfaction = CASE WHEN version % 3 = 0 THEN version % 5 + 1 END, "
           "paid_service = (version % 10 = 0) WHERE status = 'closed'")


def months_to_now(count: int = 12) -> list[tuple[str, str, str]]:
    local = ZoneInfo("Asia/Shanghai")
    today = datetime.now(local)
    index = today.year * 12 + today.month - 1
    out = []
    for i in range(index - count + 1, index + 1):
        start = datetime(i // 12, i % 12 + 1, 1, tzinfo=local)
        end = datetime((i + 1) // 12, (i + 1) % 12 + 1, 1, tzinfo=local)
        out.append((f"{i // 12:04d}-{i % 12 + 1:02d}", iso(start.astimezone(UTC)), iso(end.astimezone(UTC))))
    return out


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> str:
    await fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - started) * 1000)
    return f"{statistics.median(samples):.0f} ms (max {max(samples):.0f})"


async def measure(settings: Settings, buildings: list[str], runs: int) -> list[tuple[str, str]]:
    engine = await database.connect(settings)
    try:
        months = months_to_now()
        month, start, end = months[-1]

        async def per_building_per_month() -> None:
            for m, s, e in months:
                for b in buildings:
                    await kpi.month_kpis(s, e, m, b, scope=SCOPE)

        return [("trend, 12 months", await timed(lambda: kpi.trend(months, None, scope=SCOPE), runs)),
                ("breakdown of the month", await timed(
                    lambda: kpi_breakdown.breakdown(month, start, end, scope=SCOPE), runs)),
                ("the month's figures", await timed(lambda: kpi.month_kpis(start, end, month, None, scope=SCOPE),
                                                    runs)),
                ("12 x 25 per-building calls (avoided)", await timed(per_building_per_month, 1))]
    finally:
        await database.disconnect(engine)


def report(engine: str, n: int, rows: list[tuple[str, str]]) -> None:
    print(f"\n{engine}, {n:,} tickets")
    print("| read | median |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


async def bench_sqlite(n: int, runs: int) -> None:
    import sqlite3

    folder = Path(tempfile.mkdtemp(prefix="ss_bench_kpi_"))
    try:
        settings = Settings(data_dir=folder, secret_key="bench", log_level="WARNING")
        await migrate(settings)
        buildings, _ = build_sqlite(folder / "stewardsync.db", n)
        conn = sqlite3.connect(folder / "stewardsync.db")
        conn.execute(HISTORY)
        conn.commit()
        conn.close()
        report("SQLite", n, await measure(settings, buildings, runs))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def bench_postgres(n: int, runs: int) -> None:
    async with scratch_postgres("ss_bench_kpi") as (url, settings):
        buildings, _ = await build_postgres(url, n)
        conn = await asyncpg.connect(url)
        await conn.execute(HISTORY)
        await conn.execute("ANALYZE ticket")
        await conn.close()
        report("PostgreSQL", n, await measure(settings, buildings, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if "sqlite" in engines:
        asyncio.run(bench_sqlite(args.tickets, args.runs))
    if "postgres" in engines:
        asyncio.run(bench_postgres(args.tickets, args.runs))


if __name__ == "__main__":
    main()
