"""One bookkeeping row per push (``applied_batch``, migration 0028), on both engines: a
replayed batch is answered from it exactly as first answered, rejected mutations keep their
payload, the ``applied_mutation`` view lists every processed mutation, and the migration
moves rows of the old per-mutation table into batch rows (and back) without losing one."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.commands.backwards import BackwardsMigrationManager

from schemas.sync import Create, Mutation, Update
from server import db as database
from server.tables import AppliedBatch, AppliedMutation, SyncClock
from server.store.sync_storage import decode_processed
from tests.factories import make_estate, new_id
from tests.integration.test_decided_ahead import phone, push

MIGRATION = "2026-12-04T21:40:00:000000"


def batch(unit: str, household: str, first: int) -> list[Mutation]:
    """A finding, a notes edit from a stale version (a conflict) and a refused create."""
    return [
        Create(seq=first, collection="finding", id=new_id(), fields={
            "kind": "other", "unit_id": unit, "occurred_at": "2026-11-22T08:00:00.000Z"}),
        Update(seq=first + 1, collection="household", id=household, base_version=0,
               base={"notes": None}, changes={"notes": f"管家 {first}"}),
        Create(seq=first + 2, collection="finding", id=new_id(), fields={
            "kind": "no-such-kind", "unit_id": unit, "occurred_at": "2026-11-22T08:00:00.000Z"}),
    ]


async def view() -> list[dict[str, Any]]:
    rows = await AppliedMutation.select(
        AppliedMutation.device_id, AppliedMutation.seq, AppliedMutation.collection,
        AppliedMutation.record_id, AppliedMutation.op, AppliedMutation.status,
        AppliedMutation.version).order_by(AppliedMutation.seq)
    return [dict(row) for row in rows]


async def test_one_row_per_push_answers_replays_and_lists_every_mutation(client: Any) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][0]
    actor = await phone(client, building)
    first = await push(actor, batch(unit, estate.household_ids[unit], 1), "2026-11-22T08:00:00.000Z")
    second = await push(actor, batch(unit, estate.household_ids[unit], 4), "2026-11-22T08:01:00.000Z")
    assert [r.status for r in first.results + second.results] == \
        ["applied", "applied", "rejected", "applied", "conflict", "rejected"]

    rows = await AppliedBatch.select().order_by(AppliedBatch.first_seq)
    assert [(r["first_seq"], r["last_seq"]) for r in rows] == [(1, 3), (4, 6)]
    kept = decode_processed(rows[0]["mutations"])
    assert kept[2].payload is not None and kept[2].payload["fields"]["kind"] == "no-such-kind"
    assert kept[0].payload is None

    # a re-sent batch spanning both pushes is answered from both rows, unchanged
    replay = batch(unit, estate.household_ids[unit], 1)[1:] + batch(unit, estate.household_ids[unit], 4)[:2]
    again = await push(actor, replay, "2026-11-22T08:02:00.000Z")
    assert again.results == first.results[1:] + second.results[:2]
    assert await AppliedBatch.count() == 2  # a replay writes nothing

    listed = await view()
    assert [(r["seq"], r["status"]) for r in listed] == [
        (1, "applied"), (2, "applied"), (3, "rejected"), (4, "applied"), (5, "conflict"), (6, "rejected")]
    assert {r["device_id"] for r in listed} == {actor.device_id}
    assert [r["version"] for r in listed] == [r.version for r in first.results + second.results]
    assert listed[1]["collection"] == "household" and listed[1]["op"] == "update"
    conflict = (await AppliedMutation.select(AppliedMutation.result).where(AppliedMutation.seq == 5))[0]["result"]
    assert "conflict_ids" in str(conflict)


async def test_the_migration_moves_old_rows_into_batches_and_back(client: Any) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][0]
    actor = await phone(client, building)
    for first, at in ((1, "2026-11-22T08:00:00.000Z"), (4, "2026-11-22T08:01:00.000Z")):
        await push(actor, batch(unit, estate.household_ids[unit], first), at)
    before = await view()
    clock = (await SyncClock.select(SyncClock.version))[0]["version"]

    # back to the per-mutation table: every mutation a row of its own
    manager = BackwardsMigrationManager(app_name="server", migration_id=MIGRATION, auto_agree=True)
    assert (await manager.run()).success
    old = await SyncClock.raw("SELECT seq, status, result FROM applied_mutation ORDER BY seq")
    assert [(r["seq"], r["status"]) for r in old] == [(s, r["status"]) for s, r in zip(range(1, 7), before)]
    assert "no-such-kind" in str(old[2]["result"])  # a rejected mutation's payload rides in its result

    # and forwards again: one row per push (its applied_at), the same mutations listed
    await database.migrate()
    rows = await AppliedBatch.select(AppliedBatch.first_seq, AppliedBatch.last_seq).order_by(AppliedBatch.first_seq)
    assert [(r["first_seq"], r["last_seq"]) for r in rows] == [(1, 3), (4, 6)]
    assert await view() == before
    replay = batch(unit, estate.household_ids[unit], 4)
    again = await push(actor, replay[:1], "2026-11-22T08:02:00.000Z")
    assert again.results[0].seq == 4 and again.results[0].status == "applied"
    assert (await SyncClock.select(SyncClock.version))[0]["version"] == clock
