"""A backup taken while phones push, restored with `stewardsync
restore` into an empty database: `stewardsync check` passes, and phones that then sync
against the restored server re-push what the backup lacked (exactly once), re-upload their
photos, resync from scratch (the restore moved the tombstone horizon past every old
cursor) and converge. Real processes on both engines."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.load_phones import ROOT, Phone, ServerProcess, Stats, verify
from server import db as database
from server.ops.backup import backup
from server.settings import Settings
from server.tables import AppliedMutation, Finding
from tests.integration.test_faults_sigkill import env_of, phones_with_backlog
from tests.integration.test_ops_backup import empty_target  # noqa: F401 - a fixture


def stewardsync(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_of(settings)}
    if not settings.database_url:
        env.pop("STEWARDSYNC_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


async def sync_after_restore(phones: list[Phone], http: httpx.AsyncClient, stats: Stats, deadline: float) -> None:
    for phone in phones:
        phone.uploaded.clear()  # the restored server may lack photos: re-send (idempotent)
        await phone.push(http, stats, deadline, probe=True)
        await phone.upload_photos(http, stats, deadline)
    for _ in range(2):
        await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))


async def test_backup_during_pushes_restore_and_converge(db: Settings, empty_target: Settings,  # noqa: F811
                                                         tmp_path: Path) -> None:
    original = Finding._meta.db
    backup_file = tmp_path / "live.backup"
    deadline = time.monotonic() + 150
    stats = Stats()
    server = ServerProcess(env_of(db), tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient() as http:
            phones = await phones_with_backlog(3, 300, server.url, http, deadline)
            pushes = [asyncio.create_task(p.push(http, stats, deadline, batch=20)) for p in phones]
            while sum(p.acknowledged for p in phones) < 200:
                await asyncio.sleep(0.002)
            assert not all(p.done() for p in pushes), "the backup must start while phones push"
            await asyncio.to_thread(backup, db, backup_file)  # what `stewardsync backup` runs
            await asyncio.gather(*pushes)
            for phone in phones:
                await phone.upload_photos(http, stats, deadline)
            await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))
    finally:
        server.stop()
    sent = sum(len(p.outbox) for p in phones)

    done = await asyncio.to_thread(stewardsync, empty_target, "restore", str(backup_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "integrity check: ok" in done.stdout
    engine = await database.connect(empty_target)
    try:
        lacking = sent - await AppliedMutation.count()
        assert lacking > 0, "the backup was taken mid-push: it must lack some mutations"

        restored = ServerProcess(env_of(empty_target), tmp_path / "restored.log")
        await asyncio.to_thread(restored.start)
        try:
            for phone in phones:
                phone.base_url = restored.url
            async with httpx.AsyncClient() as http:
                await sync_after_restore(phones, http, stats, deadline)
        finally:
            restored.stop()
        assert all(p.resets == 1 for p in phones)  # every old cursor was behind the new horizon
        assert await verify(phones) == []
        checked = await asyncio.to_thread(stewardsync, empty_target, "check")
        assert checked.returncode == 0, checked.stderr
    finally:
        await database.disconnect(engine)
        database.use_engine(original)
