"""The server process is killed with SIGKILL while phones push, then started again: every
phone's retry applies exactly once, nothing is half-applied (integrity check), and every
phone converges. Real processes: uvicorn on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import httpx

from bench.load_phones import Phone, ServerProcess, Stats, seed, verify
from server.settings import Settings


def env_of(settings: Settings) -> dict[str, str]:
    """The environment a server process needs to serve ``settings``' database."""
    env = {"STEWARDSYNC_DATA_DIR": str(settings.data_dir), "STEWARDSYNC_SECRET_KEY": "fault-secret"}
    if settings.database_url:
        env["STEWARDSYNC_DATABASE_URL"] = settings.database_url
    return env


async def phones_with_backlog(count: int, mutations: int, base_url: str, http: httpx.AsyncClient,
                              deadline: float, **phone: object) -> list[Phone]:
    """Seed an estate (tables bound to the test database), enrol ``count`` phones, let them
    pull their scope and capture ``mutations`` each offline."""
    stewards, _ = await seed(count)
    phones = [Phone(s, base_url, **phone) for s in stewards]  # type: ignore[arg-type]
    await asyncio.gather(*(p.pull(http, Stats(), deadline) for p in phones))
    for i, p in enumerate(phones):
        p.capture_backlog(mutations, random.Random(i), photos=2)
    return phones


async def finish(phones: list[Phone], http: httpx.AsyncClient, stats: Stats, deadline: float) -> None:
    """Push what is left, upload photos, then pull until every phone is up to date."""
    for p in phones:
        await p.push(http, stats, deadline)
        await p.upload_photos(http, stats, deadline)
    await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))
    await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))


async def test_sigkill_mid_push_then_restart(db: Settings, tmp_path: Path) -> None:
    server = ServerProcess(env_of(db), tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    deadline = time.monotonic() + 150
    stats = Stats()
    try:
        async with httpx.AsyncClient() as http:
            phones = await phones_with_backlog(3, 300, server.url, http, deadline)
            pushes = [asyncio.create_task(p.push(http, stats, deadline, batch=30)) for p in phones]
            while sum(p.acknowledged for p in phones) < 100:  # some batches in, most to come
                await asyncio.sleep(0.002)
            killed_at = sum(p.acknowledged for p in phones)
            server.kill()
            await asyncio.sleep(0.5)  # phones retry against a dead port meanwhile
            await asyncio.to_thread(server.start)
            await asyncio.gather(*pushes)
            await finish(phones, http, stats, deadline)
    finally:
        server.stop()
    assert killed_at < sum(len(p.outbox) for p in phones)
    assert stats.retries > 0 and any(k.startswith("push") for k in stats.errors), stats.errors
    assert await verify(phones) == []
