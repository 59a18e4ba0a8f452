"""The SQLite database on a full disk: a push fails with a clear error (5xx with a code),
nothing is applied or corrupted (``PRAGMA integrity_check``, the integrity check), and the
same push applies once space is back. A real ENOSPC: the data folder is a small tmpfs that
a filler file fills up (needs root, as on CI; skipped elsewhere)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bench.load_phones import PROTOCOL, ServerProcess, Stats, verify
from server import db as database
from server.ops.integrity import run_check
from server.settings import Settings
from server.tables import AppliedMutation
from tests.integration.test_faults_sigkill import env_of, finish, phones_with_backlog

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 24 MB tmpfs, unmounted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ss_small_disk_"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        folder.rmdir()
        message = f"cannot mount a tmpfs here: {done.stderr.strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


@pytest.fixture
async def disk_db(small_disk: Path, sqlite_template: Path) -> AsyncIterator[Settings]:
    target = small_disk / "stewardsync.db"
    target.write_bytes(sqlite_template.read_bytes())
    settings = Settings(data_dir=small_disk, secret_key="fault-secret")
    engine = await database.connect(settings)
    yield settings
    await database.disconnect(engine)


def fill(folder: Path) -> Path:
    """Write a filler file until the disk is full (ENOSPC), down to the last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def integrity(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


async def test_full_disk_refuses_cleanly_then_applies(disk_db: Settings, tmp_path: Path) -> None:
    server = ServerProcess(env_of(disk_db), tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    deadline = time.monotonic() + 120
    stats = Stats()
    try:
        async with httpx.AsyncClient() as http:
            phones = await phones_with_backlog(2, 1000, server.url, http, deadline)
            for phone in phones:  # long notes: the push needs far more room than is left
                for mutation in phone.outbox:
                    if mutation.get("fields", {}).get("description") is not None:
                        mutation["fields"]["description"] = "楼道灯不亮，" * 200
            with sqlite3.connect(disk_db.data_dir / "stewardsync.db") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no WAL room left to reuse
            filler = fill(disk_db.data_dir)

            phone = phones[0]
            body = {"protocol": PROTOCOL, "device_id": phone.steward.device_id, "pending": 1000,
                    "mutations": phone.outbox}
            refused = await http.post(server.url + "/api/v1/sync/push", json=body, headers=phone.headers,
                                      timeout=60)
            assert refused.status_code == 507, refused.text
            assert refused.json()["code"] == "storage_full", refused.text
            assert refused.headers["retry-after"], refused.headers
            print("full disk answer:", refused.status_code, refused.json())
            assert await AppliedMutation.count() == 0  # nothing half-applied
            assert (await run_check()).ok

            filler.unlink()  # space is back
            await finish(phones, http, stats, deadline)
    finally:
        server.stop()
    assert integrity(disk_db.data_dir / "stewardsync.db") == "ok"
    assert await verify(phones) == []
