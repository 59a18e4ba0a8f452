"""A push decided ahead of the write lock (``sync.engine.plan_batch``, as every push is on
PostgreSQL), on both engines: kept when nothing it read changed while another push
committed, with its versions moved up to the clock the lock found and its conflict and
timeline records renamed for their new versions; decided again when something it read did
change. The reads on a snapshot and under the lock must compare equal, or no plan would
ever be kept."""

from __future__ import annotations

from typing import Any

from schemas.sync import Create, Mutation, Update
from server import sync_service
from server.clock import now_iso
from server.store.staff import principal_of
from server.tables import ChangeLog, Conflict, SyncClock, TicketEvent
from server.store.sync_storage import SqlStorage, read_snapshot, write_transaction
from sync.engine import Plan, apply_batch, plan_batch
from sync.merge import server_id
from sync.storage import Actor
from tests.factories import enrol, make_estate, make_user, new_id


async def phone(client: Any, building: str) -> Actor:
    user_id = await make_user("steward", [building])
    principal = await principal_of(user_id)
    device_id = (await enrol(client, principal.username))["X-Device-Id"]
    return sync_service.actor_of(await principal_of(user_id, device_id=device_id))


def finding(seq: int, unit: str) -> Create:
    return Create(seq=seq, collection="finding", id=new_id(), fields={
        "kind": "other", "unit_id": unit, "occurred_at": "2026-11-22T08:00:00.000Z"})


async def plan(actor: Actor, batch: list[Mutation], now: str) -> Plan:
    async with read_snapshot() as conn:
        made = await plan_batch(SqlStorage(conn), actor, batch, now=now)
    assert made is not None
    return made


async def push(actor: Actor, batch: list[Mutation], now: str, made: Plan | None = None) -> Any:
    async with write_transaction() as conn:
        return await apply_batch(SqlStorage(conn), actor, batch, now=now, plan=made)


async def setup(client: Any) -> tuple[str, str, Actor, Actor, list[Mutation]]:
    """Two phones of one building; the desk has changed a household's notes, and the first
    phone's batch (a ticket, its notes edit from before the desk's) makes a timeline line and
    a conflict record, both named by their versions."""
    estate = await make_estate(buildings=1, units_per_building=2)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][0]
    household = estate.household_ids[unit]
    desk = await principal_of(await make_user("desk"))
    [done] = await sync_service.apply_desk_mutations(desk, [Update(
        seq=0, collection="household", id=household, base_version=0, base={"notes": None},
        changes={"notes": "前台: 周末在家"})])
    assert done.status == "applied"
    first, second = await phone(client, building), await phone(client, building)
    batch: list[Mutation] = [
        Create(seq=1, collection="ticket", id=new_id(), fields={
            "kind": "repair", "title": "厨房漏水", "unit_id": unit}),
        Update(seq=2, collection="household", id=household, base_version=0,
               base={"notes": None}, changes={"notes": "管家: 工作日在家"}),
        finding(3, unit),
    ]
    return unit, household, first, second, batch


async def test_a_plan_is_kept_and_moved_up_when_another_push_commits_in_between(client):
    unit, household, first, second, batch = await setup(client)
    now = now_iso()
    made = await plan(first, batch, now)
    planned = [w.row["version"] for w in made.run.writes]
    between = await push(second, [finding(1, unit), finding(2, unit)], now)
    moved_by = between.results[-1].version - made.run.base  # type: ignore[operator]
    assert moved_by == 2
    outcome = await push(first, batch, now, made)

    assert [w.row["version"] for w in made.run.writes] == [v + moved_by for v in planned]  # kept
    assert [r.status for r in outcome.results] == ["applied", "conflict", "applied"]
    [conflict_id] = outcome.results[1].conflict_ids
    [conflict] = await Conflict.select(Conflict.version, Conflict.record_id).where(Conflict.id == conflict_id)
    assert conflict["record_id"] == household
    assert conflict_id == server_id("conflict", "household", household, conflict["version"])
    ticket_id = batch[0].id
    lines = await TicketEvent.select(TicketEvent.id, TicketEvent.version).where(TicketEvent.ticket_id == ticket_id)
    assert [line["id"] for line in lines] == [server_id("ticket_event", ticket_id, lines[0]["version"])]
    log = await ChangeLog.select(ChangeLog.version).where(
        ChangeLog.version > made.run.base - len(planned)).order_by(ChangeLog.version)
    assert [row["version"] for row in log] == list(range(log[0]["version"], made.run.clock + 1))
    clock = await SyncClock.select(SyncClock.version).first()
    assert clock is not None and clock["version"] == made.run.clock
    written = {w.seq: w.row["version"] for w in made.run.writes if w.seq is not None}
    assert [outcome.results[0].version, outcome.results[2].version] == [written[1], written[3]]
    assert outcome.results[1].version == 1  # the desk's notes stay: the household not written


async def test_a_plan_is_decided_again_when_what_it_read_has_changed(client):
    unit, household, first, second, batch = await setup(client)
    now = now_iso()
    made = await plan(first, batch, now)
    planned = (made.run.base, [w.row["version"] for w in made.run.writes])
    [changed] = (await push(second, [Update(
        seq=1, collection="household", id=household, base_version=1,
        base={"notes": "前台: 周末在家"}, changes={"notes": "管家乙: 晚上在家"})], now)).results
    assert changed.status == "applied"
    outcome = await push(first, batch, now, made)

    assert (made.run.base, [w.row["version"] for w in made.run.writes]) == planned  # not kept
    assert [r.status for r in outcome.results] == ["applied", "conflict", "applied"]
    assert outcome.results[1].version == changed.version  # the notes the lock found
    assert outcome.results[0].version > changed.version  # type: ignore[operator]
    [conflict_id] = outcome.results[1].conflict_ids
    [conflict] = await Conflict.select(Conflict.version, Conflict.kept_value).where(Conflict.id == conflict_id)
    assert conflict_id == server_id("conflict", "household", household, conflict["version"])
    assert "管家乙" in str(conflict["kept_value"])
