"""Atomicity: a push that fails inside its transaction (an exception in commit, a constraint
violation, a server process killed mid-transaction) leaves nothing applied; the phone's
retry then applies the batch exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import msgspec
import pytest

from schemas.sync import push_request_decoder
from server import sync_service
from server.store.staff import principal_of
from server.store.sync_storage import read_snapshot
from sync.storage import Batch, RecordWrite
from tests.integration.test_sync_support import STATE_TABLES, estate_and_phone, table_counts, ticket_fields

ROOT = Path(__file__).resolve().parents[2]


class FailAfterWriting:
    """A storage that writes everything, then fails before the transaction commits."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def commit(self, batch: Batch) -> None:
        await self.inner.commit(batch)
        raise RuntimeError("disk full (simulated)")


class ViolateConstraint(FailAfterWriting):
    """A storage that slips a row breaking a NOT NULL constraint into the batch's writes."""

    async def commit(self, batch: Batch) -> None:
        bad = dict(batch.writes[0].row, id="bad-row", title=None, number=None, version=batch.clock + 1)
        batch.writes.append(RecordWrite(collection="ticket", op="create", row=bad))
        batch.clock += 1
        await self.inner.commit(batch)


async def _state(device_id: str) -> tuple[dict, int, int]:
    async with read_snapshot() as conn:
        seq = (await conn.fetchrow("SELECT last_seq FROM sync_device WHERE id = ?", device_id))[0]
        clock = await conn.fetchrow("SELECT version FROM sync_clock WHERE id = 1")
    return await table_counts(*STATE_TABLES), int(seq), int(clock[0]) if clock else 0


async def _scene(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit))  # a first push so that the clock row exists
    await phone.push()
    for title in ("漏水", "门禁坏了", "电梯异响"):
        phone.create("ticket", ticket_fields(unit, title))
    principal = await principal_of(phone.user_id, device_id=phone.device_id)
    body = {"protocol": 2, "device_id": phone.device_id, "mutations": phone.outbox}
    return phone, principal, push_request_decoder.decode(msgspec.json.encode(body))


@pytest.mark.parametrize("storage", [FailAfterWriting, ViolateConstraint])
async def test_failure_inside_the_transaction_applies_nothing_and_retry_applies_once(client, storage):
    phone, principal, request = await _scene(client)
    before = await _state(phone.device_id)
    with pytest.raises(Exception):
        await sync_service.push(principal, request, protocol=2, wrap=storage)
    assert await _state(phone.device_id) == before
    results = await phone.push()  # the phone kept its outbox and retries
    assert [r["status"] for r in results] == ["applied"] * 3
    tickets = (await table_counts("ticket"))["ticket"]
    assert tickets == before[0]["ticket"] + 3
    await phone.post_push(msgspec.to_builtins(request.mutations))  # a replay of the same batch
    assert (await table_counts("ticket"))["ticket"] == tickets


CRASHING_WORKER = textwrap.dedent("""
    import asyncio, os, sys
    import msgspec
    from server import db, sync_service
    from server.settings import Settings
    from server.store.staff import principal_of
    from schemas.sync import push_request_decoder

    class Hang:
        def __init__(self, inner): self.inner = inner
        def __getattr__(self, name): return getattr(self.inner, name)
        async def commit(self, batch):
            await self.inner.commit(batch)
            print("written", flush=True)
            await asyncio.sleep(3600)  # killed here, inside the open transaction

    async def main():
        settings = Settings(data_dir=__import__("pathlib").Path(sys.argv[1]), database_url=sys.argv[2],
                            secret_key="x")
        await db.connect(settings)
        request = push_request_decoder.decode(sys.stdin.buffer.read())
        principal = await principal_of(sys.argv[3], device_id=request.device_id)
        await sync_service.push(principal, request, protocol=2, wrap=Hang)

    asyncio.run(main())
""")


async def test_server_process_killed_mid_transaction_applies_nothing(client):
    phone, principal, request = await _scene(client)
    settings = client.app.state.settings
    before = await _state(phone.device_id)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_WORKER, str(settings.data_dir), settings.database_url,
        phone.user_id, cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    worker.stdin.write(msgspec.json.encode(msgspec.to_builtins(request)))
    worker.stdin.close()
    line = await asyncio.wait_for(worker.stdout.readline(), timeout=60)
    assert line.strip() == b"written"
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    assert await _state(phone.device_id) == before
    results = await phone.push()
    assert [r["status"] for r in results] == ["applied"] * 3
    assert (await table_counts("ticket"))["ticket"] == before[0]["ticket"] + 3
