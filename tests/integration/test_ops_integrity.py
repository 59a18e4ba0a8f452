"""The integrity check finds each kind of disagreement between the tables, the change log,
the applied mutations and the clock, on both engines (and passes a consistent state)."""

from __future__ import annotations

import pytest

from server.ops.integrity import run_check
from server.tables import AppliedBatch, ChangeLog, Conflict, Finding, SyncClock, SyncDevice
from tests.factories import new_id

AT = "2026-11-22T08:00:00.000Z"


async def applied(device_id: str, seq: int, collection: str, record_id: str, op: str,
                  result: dict) -> None:
    """Record one processed mutation, as a push of that one mutation (``applied_batch``)."""
    await AppliedBatch.insert(AppliedBatch(
        device_id=device_id, first_seq=seq, last_seq=seq, applied_at=AT,
        mutations=[{"seq": seq, "collection": collection, "record_id": record_id, "op": op,
                    "result": result}]))


async def forget(device_id: str, seq: int) -> None:
    await AppliedBatch.delete().where((AppliedBatch.device_id == device_id) & (AppliedBatch.first_seq == seq))


async def consistent_state(writes: int = 3) -> tuple[str, list[str]]:
    """A device whose seqs 1…writes each created a finding at versions 1…writes."""
    device_id, user_id = new_id(), new_id()
    await SyncDevice.insert(SyncDevice(id=device_id, user_id=user_id, credential_hash="x" * 64,
                                       last_seq=writes))
    finding_ids = []
    for seq in range(1, writes + 1):
        finding_id = new_id()
        finding_ids.append(finding_id)
        await Finding.insert(Finding(id=finding_id, version=seq, kind="leak", steward_id=user_id,
                                     created_at=AT, updated_at=AT))
        await ChangeLog.insert(ChangeLog(version=seq, collection="finding", record_id=finding_id,
                                         op="create", device_id=device_id, seq=seq, user_id=user_id, at=AT))
        await applied(device_id, seq, "finding", finding_id, "create",
                      {"seq": seq, "status": "applied", "version": seq})
    await SyncClock.insert(SyncClock(id=1, version=writes, purged_through=0))
    return device_id, finding_ids


async def codes() -> list[str]:
    return [p.code for p in (await run_check()).problems]


async def test_consistent_state_passes(db) -> None:
    await consistent_state()
    report = await run_check()
    assert report.ok, report.problems
    assert report.counts["mutations"] == 3 and report.counts["clock"] == 3


async def test_fresh_database_passes(db) -> None:
    assert (await run_check()).ok


async def test_record_without_change_log_row(db) -> None:
    _, ids = await consistent_state()
    await Finding.update({Finding.version: 2}).where(Finding.id == ids[0])  # v2 belongs to ids[1]
    assert await codes() == ["record_without_change"]


async def test_versions_above_the_clock(db) -> None:
    await consistent_state()
    await SyncClock.update({SyncClock.version: 2}).where(SyncClock.id == 1)
    found = await codes()
    assert {"record_above_clock", "change_log_above_clock", "mutation_above_clock"} <= set(found)


async def test_half_applied_push_is_found(db) -> None:
    """A mutation recorded as applied whose record write and change-log row are missing."""
    device_id, ids = await consistent_state()
    await ChangeLog.delete().where(ChangeLog.version == 3)
    await Finding.delete().where(Finding.id == ids[2])
    assert await codes() == ["mutation_without_change"]


async def test_mutation_answered_without_a_write_is_consistent(db) -> None:
    """A create identical to an existing record is applied at that record's version."""
    device_id, ids = await consistent_state()
    await applied(device_id, 4, "finding", ids[0], "create", {"seq": 4, "status": "applied", "version": 1})
    await SyncDevice.update({SyncDevice.last_seq: 4}).where(SyncDevice.id == device_id)
    assert (await run_check()).ok
    await forget(device_id, 4)
    await applied(device_id, 4, "finding", ids[0], "create", {"seq": 4, "status": "applied", "version": 2})
    assert await codes() == ["mutation_without_change"]  # version 2 is another record's


async def test_seq_gap_and_stale_last_seq(db) -> None:
    device_id, _ = await consistent_state()
    await forget(device_id, 2)
    assert "device_seq" in await codes()


async def test_last_seq_behind_the_mutations(db) -> None:
    device_id, _ = await consistent_state()
    await SyncDevice.update({SyncDevice.last_seq: 2}).where(SyncDevice.id == device_id)
    assert await codes() == ["device_seq"]


async def test_mutations_of_an_unknown_device(db) -> None:
    device_id, _ = await consistent_state()
    await SyncDevice.delete().where(SyncDevice.id == device_id)
    assert await codes() == ["mutation_unknown_device"]


async def test_unknown_collection_and_bad_horizon(db) -> None:
    await consistent_state()
    await ChangeLog.insert(ChangeLog(version=3_000, collection="nonsense", record_id="x", op="create", at=AT))
    await SyncClock.update({SyncClock.version: 3_000, SyncClock.purged_through: 3_001}).where(SyncClock.id == 1)
    assert sorted(await codes()) == ["change_log_collection", "clock"]


@pytest.mark.parametrize("engine_kind", ["sqlite"])
async def test_rejected_mutations_need_no_change(db) -> None:
    """A rejected mutation advances the seq without a write: that is consistent."""
    device_id, _ = await consistent_state()
    await applied(device_id, 4, "finding", new_id(), "update",
                  {"seq": 4, "status": "rejected", "code": "unknown_record"})
    await SyncDevice.update({SyncDevice.last_seq: 4}).where(SyncDevice.id == device_id)
    assert (await run_check()).ok


async def test_conflict_named_by_a_result_must_exist(db) -> None:
    device_id, ids = await consistent_state()
    conflict_id = new_id()
    await applied(device_id, 4, "finding", ids[0], "update",
                  {"seq": 4, "status": "conflict", "version": 4, "conflict_ids": [conflict_id]})
    await ChangeLog.insert(ChangeLog(version=4, collection="conflict", record_id=conflict_id, op="create",
                                     device_id=device_id, seq=4, at=AT))
    await SyncDevice.update({SyncDevice.last_seq: 4}).where(SyncDevice.id == device_id)
    await SyncClock.update({SyncClock.version: 4}).where(SyncClock.id == 1)
    assert await codes() == ["conflict_missing"]
    await Conflict.insert(Conflict(id=conflict_id, version=4, collection="finding", record_id=ids[0],
                                   field="description", kind="field", rule="first_sync_wins"))
    assert (await run_check()).ok
