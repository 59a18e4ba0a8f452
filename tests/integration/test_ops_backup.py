"""Backup and restore on both engines: a round trip keeps every row, a backup taken while
writes commit is a consistent snapshot, restore opens a new epoch and refuses a database
that is not empty."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from server import db as database
from server.ops.backup import OpsError, backup
from server.ops.integrity import run_check
from server.ops.restore import RESTORE_GAP, restore
from server.settings import Settings
from server.tables import ChangeLog, Finding, SyncClock
from tests.conftest import pg_admin, pg_url_for
from tests.integration.test_ops_integrity import AT, consistent_state
from tests.factories import new_id

_n = iter(range(10**6))


@pytest.fixture
async def empty_target(settings: Settings, tmp_path: Path):
    """Settings for an empty database of the same engine."""
    if settings.engine_kind == "sqlite":
        yield Settings(data_dir=tmp_path / "restored", secret_key="test-secret")
        return
    name = f"ss_restore_{os.getpid()}_{next(_n)}"
    await pg_admin(f"CREATE DATABASE {name}")
    yield Settings(data_dir=tmp_path / "restored", database_url=pg_url_for(name), secret_key="test-secret")
    await pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def counts() -> dict[str, int]:
    return {"finding": await Finding.count(), "change_log": await ChangeLog.count()}


async def test_round_trip_keeps_every_row_and_opens_a_new_epoch(db: Settings, empty_target: Settings,
                                                                tmp_path: Path) -> None:
    await consistent_state(writes=5)
    before = await counts()
    path = tmp_path / "stewardsync.backup"
    info = await asyncio.to_thread(backup, db, path)
    assert info.bytes > 0 and path.exists() and not Path(f"{path}.partial").exists()

    restored = await asyncio.to_thread(restore, empty_target, path)
    assert (restored.clock_before, restored.clock_after) == (5, 5 + RESTORE_GAP)
    original, engine = Finding._meta.db, await database.connect(empty_target)
    try:
        assert await counts() == before
        clock = await SyncClock.select().first()
        assert clock["version"] == clock["purged_through"] == 5 + RESTORE_GAP
        assert (await run_check()).ok
    finally:
        await database.disconnect(engine)
        database.use_engine(original)  # rebind the tables to the fixture's database


async def test_restore_refuses_a_database_with_tables(db: Settings, tmp_path: Path) -> None:
    path = tmp_path / "b.backup"
    await asyncio.to_thread(backup, db, path)
    with pytest.raises(OpsError, match="not empty"):
        await asyncio.to_thread(restore, db, path)


async def test_backup_refuses_to_overwrite_and_restore_refuses_other_files(db: Settings, tmp_path: Path) -> None:
    path = tmp_path / "exists.backup"
    path.write_bytes(b"keep me")
    with pytest.raises(OpsError, match="already exists"):
        await asyncio.to_thread(backup, db, path)
    assert path.read_bytes() == b"keep me"
    with pytest.raises(OpsError, match="neither"):
        await asyncio.to_thread(restore, db, path)


async def _writer(stop: asyncio.Event, written: list[int]) -> None:
    """Commit finding + change_log + clock in one transaction, as a push does, until told."""
    from piccolo.engine.sqlite import SQLiteEngine, TransactionType

    engine = Finding._meta.db
    kind = {"transaction_type": TransactionType.immediate} if isinstance(engine, SQLiteEngine) else {}
    version = (await SyncClock.select(SyncClock.version).first())["version"]
    while not stop.is_set():
        version += 1
        finding_id = new_id()
        async with engine.transaction(**kind):
            await SyncClock.update({SyncClock.version: version}).where(SyncClock.id == 1)
            await Finding.insert(Finding(id=finding_id, version=version, kind="leak", steward_id="s",
                                         created_at=AT, updated_at=AT))
            await ChangeLog.insert(ChangeLog(version=version, collection="finding", record_id=finding_id,
                                             op="create", at=AT))
        written.append(version)
        await asyncio.sleep(0)


async def test_backup_during_live_writes_is_a_consistent_snapshot(db: Settings, empty_target: Settings,
                                                                  tmp_path: Path) -> None:
    await consistent_state(writes=2)
    stop, written = asyncio.Event(), []
    task = asyncio.create_task(_writer(stop, written))
    while len(written) < 20:
        await asyncio.sleep(0.01)
    path = tmp_path / "live.backup"
    await asyncio.to_thread(backup, db, path)
    at_backup_end = len(written)
    while len(written) < at_backup_end + 20:  # writes went on during and after the backup
        await asyncio.sleep(0.01)
    stop.set()
    await task

    info = await asyncio.to_thread(restore, empty_target, path)
    original, engine = Finding._meta.db, await database.connect(empty_target)
    try:
        restored = await counts()
        report = await run_check()
        assert report.ok, report.problems
        # a snapshot: findings, change-log rows and the clock agree exactly
        assert restored["finding"] == 2 + (info.clock_before - 2) == restored["change_log"]
        assert 2 + 20 <= info.clock_before < 2 + len(written)
    finally:
        await database.disconnect(engine)
        database.use_engine(original)
