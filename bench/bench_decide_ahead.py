"""Pushes decided ahead of the write lock, or under it: both ways in one run, interleaved.

    .venv/bin/python bench/bench_decide_ahead.py [--engine postgres|sqlite|both] [--rounds 5] [--phones 2]

``--phones`` phones push at once, in-process (``sync_service.push``, no HTTP), five batches of
1,000 finding creates each, on a fresh database. Each round times them twice, on new phones:
once with every push decided ahead on a read-only snapshot and kept under the lock when
nothing it read changed (``sync.engine.plan_batch``), once decided under the lock alone.
Prints the median mutations/s of each and their ratio. ``sync_storage.decides_ahead`` turns
the first on where it pays: on PostgreSQL, whose work runs in its own processes, one push's
merge overlaps another's writes; on SQLite the database works in this process and the
second read only adds work. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_sync import BATCH, add_phone, calibrate, creates, fresh_estate  # noqa: E402
from schemas.sync import PushRequest  # noqa: E402
from server import sync_service  # noqa: E402
from server.auth.principal import Principal  # noqa: E402

BATCHES = 5


async def run(kind: str, rounds: int, phones: int) -> None:
    async with fresh_estate(kind) as (_, _, building, unit):
        gc.freeze()
        rates: dict[str, list[float]] = {"ahead": [], "under the lock": []}
        for _ in range(rounds):
            for way in rates:
                sync_service.decides_ahead = lambda way=way: way == "ahead"  # type: ignore[assignment]
                pushers = [(await add_phone("steward", [building]))[0] for _ in range(phones)]
                batches = [[PushRequest(protocol=2, device_id=p.device_id,
                                        mutations=creates(unit, 1 + n * BATCH, BATCH))
                            for n in range(BATCHES)] for p in pushers]

                async def push_all(principal: Principal, requests: list[PushRequest]) -> None:
                    for request in requests:
                        response = await sync_service.push(principal, request, protocol=2)
                        assert all(r.status == "applied" for r in response.results)

                started = time.perf_counter()
                await asyncio.gather(*(push_all(p, b) for p, b in zip(pushers, batches)))
                rates[way].append(BATCH * BATCHES * phones / (time.perf_counter() - started))
        for way, measured in rates.items():
            listed = " / ".join(f"{r:,.0f}" for r in measured)
            print(f"[{kind}] {phones} phones at once, decided {way}: median "
                  f"{statistics.median(measured):,.0f} mutations/s (runs {listed})", flush=True)
        print(f"[{kind}] ahead / under the lock: "
              f"{statistics.median(rates['ahead']) / statistics.median(rates['under the lock']):.2f}x",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--phones", type=int, default=2)
    args = parser.parse_args()
    for kind in (["postgres", "sqlite"] if args.engine == "both" else [args.engine]):
        print(f"[{kind}] machine: {calibrate()}", flush=True)
        asyncio.run(run(kind, args.rounds, args.phones))
        print(f"[{kind}] machine after: {calibrate()}", flush=True)


if __name__ == "__main__":
    main()
