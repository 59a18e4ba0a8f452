"""The ops commands as operators run them: `stewardsync check|backup|restore` in a
subprocess, exit statuses, one line per problem, no tracebacks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.settings import Settings
from server.tables import SyncDevice
from tests.integration.test_faults_backup_restore import stewardsync
from tests.integration.test_ops_integrity import consistent_state

pytestmark = pytest.mark.parametrize("engine_kind", ["sqlite"])


async def test_check_exits_1_with_one_line_per_problem(db: Settings) -> None:
    device_id, _ = await consistent_state()
    ok = await asyncio.to_thread(stewardsync, db, "check")
    assert ok.returncode == 0 and "integrity check: ok" in ok.stdout, ok.stderr
    await SyncDevice.update({SyncDevice.last_seq: 7}).where(SyncDevice.id == device_id)
    bad = await asyncio.to_thread(stewardsync, db, "check")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        f"device_seq: device {device_id} last_seq 7, processed seqs 1…3 (3 distinct; expected 1…7 without gaps)"]
    assert "1 problem(s)" in bad.stdout


async def test_backup_then_refusals_are_one_line(db: Settings, tmp_path: Path) -> None:
    await consistent_state()
    target = tmp_path / "nightly.db"
    made = await asyncio.to_thread(stewardsync, db, "backup", str(target))
    assert made.returncode == 0 and "backup written" in made.stdout, made.stderr
    again = await asyncio.to_thread(stewardsync, db, "backup", str(target))
    into_full = await asyncio.to_thread(stewardsync, db, "restore", str(target))
    for refused, words in ((again, "already exists"), (into_full, "not empty")):
        assert refused.returncode == 1
        assert "Traceback" not in refused.stderr and words in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
