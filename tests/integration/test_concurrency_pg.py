"""No missed change on PostgreSQL: several writer processes (each with its own engine and
connection pool, like several server workers) push concurrently while readers pull in a
loop; every reader ends holding every committed change, none twice applied."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path

import pytest

from server.store.staff import principal_of
from server.store.sync_storage import read_snapshot
from tests.factories import enrol, make_estate, make_user
from tests.integration.test_sync_support import Phone

ROOT = Path(__file__).resolve().parents[2]
WRITERS, BATCHES, BATCH_SIZE, READERS = 4, 12, 15, 2

WRITER = textwrap.dedent("""
    import asyncio, sys, uuid
    from pathlib import Path
    from schemas.sync import Create, PushRequest
    from server import db, sync_service
    from server.settings import Settings
    from server.store.staff import principal_of

    async def main():
        url, user_id, device_id, unit_id, batches, size = sys.argv[1:7]
        await db.connect(Settings(data_dir=Path("."), database_url=url, secret_key="x", db_pool_size=2))
        principal = await principal_of(user_id, device_id=device_id)
        seq = 0
        for b in range(int(batches)):
            mutations = []
            for _ in range(int(size)):
                seq += 1
                mutations.append(Create(seq=seq, collection="finding", id=str(uuid.uuid4()),
                    fields={"kind": "other", "unit_id": unit_id, "description": f"{device_id} {seq}",
                            "occurred_at": "2026-11-22T08:00:00.000Z"}))
            response = await sync_service.push(principal, PushRequest(protocol=2, device_id=device_id,
                                               mutations=mutations), protocol=2)
            assert all(r.status == "applied" for r in response.results), response.results
        print(seq, flush=True)

    asyncio.run(main())
""")


@pytest.mark.slow
@pytest.mark.parametrize("engine_kind", ["postgres"])
async def test_readers_pulling_during_concurrent_pushes_miss_nothing(client):
    settings = client.app.state.settings
    estate = await make_estate(buildings=1, units_per_building=2)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][0]
    writers = []
    for _ in range(WRITERS):
        user_id = await make_user("steward", [building])
        principal = await principal_of(user_id)
        headers = await enrol(client, principal.username)
        writers.append((user_id, headers["X-Device-Id"]))
    readers = []
    for _ in range(READERS):
        user_id = await make_user("steward", [building])
        principal = await principal_of(user_id)
        readers.append(Phone(client, await enrol(client, principal.username), user_id))

    processes = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, settings.database_url, user_id, device_id, unit,
        str(BATCHES), str(BATCH_SIZE), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)}) for user_id, device_id in writers]

    async def pull_while_writing(phone: Phone) -> int:
        rounds = 0
        while any(p.returncode is None for p in processes):
            await phone.pull(limit=7)  # small pages: many cursors cross concurrent commits
            rounds += 1
            await asyncio.sleep(0.005)
        await phone.pull(limit=7)
        return rounds

    waits = [asyncio.create_task(p.communicate()) for p in processes]
    rounds = await asyncio.gather(*(pull_while_writing(phone) for phone in readers))
    outputs = await asyncio.gather(*waits)
    assert [p.returncode for p in processes] == [0] * WRITERS, outputs
    assert [int(out.strip()) for out, _ in outputs] == [BATCHES * BATCH_SIZE] * WRITERS
    assert min(rounds) > 1, "the readers never pulled while the writers wrote"

    async with read_snapshot() as conn:
        committed = {r[0] for r in await conn.fetch("SELECT id FROM finding")}
        log_versions = [r[0] for r in await conn.fetch("SELECT version FROM change_log ORDER BY version")]
    assert len(committed) == WRITERS * BATCHES * BATCH_SIZE  # nothing applied twice
    assert log_versions == list(range(log_versions[0], log_versions[0] + len(log_versions)))
    for phone in readers:
        assert set(phone.live("finding")) == committed
