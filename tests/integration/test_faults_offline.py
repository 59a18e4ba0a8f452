"""A phone offline for 30 days with 2,000 pending mutations syncs in batches of at most
1,000 with progress after each, in bounded memory (tracemalloc peak per batch does not grow
with the backlog), then pulls its scope in pages, and converges; exactly once throughout."""

from __future__ import annotations

import random
import time
import tracemalloc

import httpx

from bench.load_phones import Phone, Stats, seed, verify
from schemas.sync import MAX_BATCH
from server.tables import SyncDevice

DAY = 86400.0
MB = 1024 * 1024


async def test_thirty_days_offline_with_2000_pending(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 300
    stats = Stats()
    stewards, _ = await seed(2, units_per_building=24)
    away, partner = (Phone(s, str(client.base_url).rstrip("/")) for s in stewards)
    for phone in (away, partner):
        await phone.pull(client, stats, deadline)
    away.clock_offset_s = -30 * DAY  # captured over the last 30 days
    away.capture_backlog(2000, random.Random(1), photos=8)
    away.clock_offset_s = 0
    partner.capture_backlog(50, random.Random(2))
    await partner.push(client, stats, deadline)  # the building moved on meanwhile

    progress: list[tuple[int, int, int]] = []  # (acknowledged, reported pending, traced peak)
    tracemalloc.start()
    try:
        def note(done: int, total: int) -> None:
            progress.append((done, total - done, tracemalloc.get_traced_memory()[1]))
            tracemalloc.reset_peak()

        await away.push(client, stats, deadline, batch=MAX_BATCH, progress=note)
        tracemalloc.reset_peak()
        await away.upload_photos(client, stats, deadline)
        pages_before = len(stats.latency["pull"])
        await away.pull(client, stats, deadline, limit=500)
        pull_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    await partner.pull(client, stats, deadline)

    assert [(done, left) for done, left, _ in progress] == [(1000, 1000), (2000, 0)]
    first, second = progress[0][2], progress[1][2]
    assert second < 1.5 * first + 8 * MB, f"batch peaks {first / MB:.1f} MB then {second / MB:.1f} MB"
    assert max(first, second) < 96 * MB and pull_peak < 96 * MB
    assert len(stats.latency["pull"]) - pages_before >= 5  # 2,000+ records came in pages of 500
    device = await SyncDevice.select().where(SyncDevice.id == away.steward.device_id).first()
    assert device["last_seq"] == 2000 and device["last_pull_at"]
    assert await verify([away, partner]) == []
    # the check can fail: a stale field and a missing record on a phone are both reported
    key = next(k for k in partner.replica if k[0] == "finding")
    partner.replica[key] = {**partner.replica[key], "description": "stale"}
    del partner.replica[next(k for k in partner.replica if k[0] == "visit")]
    problems = " ".join(await verify([away, partner]))
    assert "not converged" in problems and "missing on phone" in problems and "description" in problems
    print(f"30 days offline: batch peaks {first / MB:.1f} / {second / MB:.1f} MB, "
          f"pull peak {pull_peak / MB:.1f} MB, push {stats.latency['push'][-2:]} s")
