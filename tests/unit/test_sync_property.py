"""Property test of the pure engine: several offline phones and a desk editing the same
tickets, findings and household, pushes delivered in random order, with replays, lost
responses and refused gaps. Then every phone pushes what is left, and:

- no mutation is applied twice, and every seq of every phone is processed exactly once;
- a replayed seq answers the very result it got the first time;
- every value a phone or the desk got accepted is in the record's history or in a conflict
  record, and no field changed unless the mutation changing it had seen the value it
  replaced (or the ticket lifecycle moved forward): no silent lost update;
- no ticket's status sequence contains a move the lifecycle forbids;
- the same pushes on a fresh server give the very same results and state (determinism);
- and again when each push is decided ahead, on the state before the push in front of it
  committed (``sync.engine.plan_batch``, as on PostgreSQL): a plan whose reads are unchanged
  is moved to the clock the lock finds, any other is decided again.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import msgspec
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from schemas.sync import Create, Delete, Mutation, MutationResult, Update
from sync import lifecycle, policy
from sync.engine import BatchRejected, PushOutcome, SeqGap, apply_batch, plan_batch
from sync.storage import Actor
from tests.unit.memory_storage import (
    E1, B1, H1, NOW, U1, MemoryStorage, estate, run, snapshot,
)

# Office actors work in the test estate: every row carries its estate now, and an office
# role sees only its estates (sync.scope).
OFFICE_ESTATES = frozenset({E1})

TICKETS = ("t-1", "t-2", "t-3")
PHONES = ("dev-1", "dev-2", "dev-3", "dev-4", "dev-5")
DESK = Actor(user_id="user-desk", role="desk", estate_ids=OFFICE_ESTATES)
TEXTS = ("漏水", "已修复", "业主不在家", "明天再来", "门锁坏了")
HOUSEHOLD_FIELDS = ("notes", "opinions", "family_structure", "special_needs")
STAMPED = frozenset(lifecycle.TICKET.stamps.values()) | {lifecycle.TICKET.left_start, "resolved_by", "resolved_at"}


def seeded() -> MemoryStorage:
    storage = estate()
    for ticket in TICKETS:
        storage.put("ticket", {"id": ticket, "building_id": B1, "unit_id": U1,
                               "kind": "repair", "title": "报修", "created_by": "user-desk",
                               "updated_by": "user-desk"})
    storage.put("finding", {"id": "f-0", "building_id": B1, "kind": "other",
                            "occurred_at": NOW, "steward_id": "user-desk"})
    return storage


class Replica:
    """One writer: a phone (offline, with an outbox) or the desk (online)."""

    def __init__(self, actor: Actor, storage: MemoryStorage) -> None:
        self.actor = actor
        self.rows = snapshot(storage)
        self.outbox: list[Mutation] = []
        self.acked = 0  # highest seq whose response arrived
        self.first: dict[int, MutationResult] = {}
        self.made = 0

    def next_seq(self) -> int:
        return len(self.outbox) + 1

    def edit(self, data: st.DataObject) -> Mutation | None:
        kind = data.draw(st.sampled_from(["status", "ticket_field", "household", "finding",
                                          "finding_field", "delete", "note"]))
        seq = self.next_seq()
        if kind == "status":
            ticket = self.rows[("ticket", data.draw(st.sampled_from(TICKETS)))]
            moves = sorted(s for s in lifecycle.TICKET.states
                           if lifecycle.TICKET.allows(ticket["status"], s)
                           and policy.allows_value(self.actor.role, "ticket", "status", s,
                                                      create=False))
            if not moves:
                return None
            return self._update("ticket", ticket, {"status": data.draw(st.sampled_from(moves))},
                                seq)
        if kind == "ticket_field":
            ticket = self.rows[("ticket", data.draw(st.sampled_from(TICKETS)))]
            field = data.draw(st.sampled_from(["description", "priority"]))
            value = data.draw(st.sampled_from(
                TEXTS if field == "description" else ("urgent", "high", "normal", "low")))
            return self._update("ticket", ticket, {field: value}, seq)
        if kind == "household":
            fields = data.draw(st.lists(st.sampled_from(HOUSEHOLD_FIELDS), min_size=1,
                                        max_size=2, unique=True))
            changes = {f: data.draw(st.sampled_from(TEXTS)) for f in fields}
            return self._update("household", self.rows[("household", H1)], changes, seq)
        if kind == "finding":
            self.made += 1
            record_id = f"{self.actor.device_id or 'desk'}-f{self.made}"
            fields = {"kind": "public_damage", "occurred_at": NOW, "unit_id": U1,
                      "description": data.draw(st.sampled_from(TEXTS))}
            if self.actor.device_id is None:
                fields["steward_id"] = "user-desk"
            self.rows[("finding", record_id)] = {"id": record_id, "version": 0,
                                                 "deleted": False, **fields}
            return Create(seq=seq, collection="finding", id=record_id, fields=fields)
        if kind == "finding_field":
            findings = sorted(k[1] for k, r in self.rows.items()
                              if k[0] == "finding" and not r["deleted"])
            if not findings:
                return None
            row = self.rows[("finding", data.draw(st.sampled_from(findings)))]
            return self._update("finding", row, {"description": data.draw(st.sampled_from(TEXTS))},
                                seq)
        if kind == "delete":
            findings = sorted(k[1] for k, r in self.rows.items()
                              if k[0] == "finding" and not r["deleted"])
            if not findings:
                return None
            record_id = data.draw(st.sampled_from(findings))
            row = self.rows[("finding", record_id)]
            row["deleted"] = True
            return Delete(seq=seq, collection="finding", id=record_id,
                          base_version=row["version"])
        ticket_id = data.draw(st.sampled_from(TICKETS))
        self.made += 1
        return Create(seq=seq, collection="ticket_event",
                      id=f"{self.actor.device_id or 'desk'}-e{self.made}",
                      fields={"ticket_id": ticket_id, "type": "note",
                              "body": data.draw(st.sampled_from(TEXTS))})

    def _update(self, collection: str, row: dict[str, Any], changes: dict[str, Any],
                seq: int) -> Update:
        base = {f: row.get(f) for f in changes}
        row.update(changes)
        return Update(seq=seq, collection=collection, id=row["id"],
                      base_version=row.get("version", 0), base=base, changes=changes)


class Simulation:
    def __init__(self) -> None:
        self.server = seeded()
        self.initial = snapshot(self.server)
        self.phones = {
            device: Replica(Actor(user_id=f"user-{device}", role="steward",
                                  building_ids=frozenset({B1}), device_id=device), self.server)
            for device in PHONES
        }
        self.desk = Replica(DESK, self.server)
        self.calls: list[tuple[Actor, list[Mutation], str]] = []  # every push, for replay
        self.outcomes: list[PushOutcome | str] = []
        self.mutations: dict[tuple[str, int], Mutation] = {}
        self.results: dict[tuple[str, int], MutationResult] = {}
        self.desk_seq = 0

    def push(self, actor: Actor, batch: list[Mutation]) -> PushOutcome:
        now = f"2026-11-22T{8 + len(self.calls) // 60:02d}:{len(self.calls) % 60:02d}:00.000Z"
        self.calls.append((actor, batch, now))
        try:
            outcome = run(apply_batch(self.server, actor, batch, now=now))
        except BatchRejected as refused:
            self.outcomes.append(refused.code)
            raise
        self.outcomes.append(outcome)
        return outcome

    def phone_edits(self, phone: Replica, data: st.DataObject) -> None:
        mutation = phone.edit(data)
        if mutation is not None:
            phone.outbox.append(mutation)
            self.mutations[(phone.actor.device_id or "", mutation.seq)] = mutation

    def desk_edits(self, data: st.DataObject) -> None:
        if data.draw(st.booleans()):  # the desk page was reloaded, or is an older one
            self.desk.rows = snapshot(self.server)
        mutation = self.desk.edit(data)
        if mutation is None:
            return
        self.desk_seq += 1
        mutation = msgspec.structs.replace(mutation, seq=self.desk_seq)
        [result] = self.push(DESK, [mutation]).results
        self.mutations[("desk", self.desk_seq)] = mutation
        self.results[("desk", self.desk_seq)] = result

    def phone_pushes(self, phone: Replica, start: int, end: int, lost: bool) -> None:
        batch = phone.outbox[start - 1:end]
        server_seq = self.server.last_seq.get(phone.actor.device_id or "", 0)
        try:
            outcome = self.push(phone.actor, batch)
        except SeqGap:
            assert batch and start > server_seq + 1
            return
        assert not batch or start <= server_seq + 1
        for result in outcome.results:
            key = (phone.actor.device_id or "", result.seq)
            if key in self.results:
                assert result == self.results[key], "a replay answered differently"
            self.results[key] = result
        if not lost:
            phone.acked = max(phone.acked, outcome.last_seq)

    def phone_pulls(self, phone: Replica) -> None:
        if phone.acked == len(phone.outbox):  # nothing pending: take the server's state
            phone.rows = snapshot(self.server)

    def finish(self) -> None:
        for phone in self.phones.values():
            self.phone_pushes(phone, phone.acked + 1, len(phone.outbox), lost=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_offline_phones_and_the_desk_converge_without_losing_anything(
        data: st.DataObject) -> None:
    sim = Simulation()
    steps = data.draw(st.integers(min_value=5, max_value=60))
    for _ in range(steps):
        action = data.draw(st.sampled_from(["edit", "edit", "edit", "push", "pull", "desk"]))
        phone = sim.phones[data.draw(st.sampled_from(PHONES))]
        if action == "edit":
            sim.phone_edits(phone, data)
        elif action == "desk":
            sim.desk_edits(data)
        elif action == "pull":
            sim.phone_pulls(phone)
        else:
            start = data.draw(st.integers(min_value=1, max_value=phone.acked + 2))
            end = data.draw(st.integers(min_value=start - 1,
                                           max_value=max(start - 1, len(phone.outbox))))
            sim.phone_pushes(phone, start, end, lost=data.draw(st.booleans()))
    sim.finish()
    for conflict in sim.server.rows("conflict"):
        event(f"conflict {conflict['kind']}")
    for result in sim.results.values():
        event(f"result {result.status} {result.code or ''}".strip())
    check_exactly_once(sim)
    check_nothing_lost(sim)
    check_lifecycle(sim)
    check_determinism(sim)
    check_decided_ahead(sim)


def check_exactly_once(sim: Simulation) -> None:
    for device, phone in sim.phones.items():
        processed = sorted(seq for (d, seq) in sim.server.processed if d == device)
        assert processed == list(range(1, len(phone.outbox) + 1))
    caused = Counter((writer, w.seq) for writer, w in zip(sim.server.writers, sim.server.log)
                     if w.seq is not None and writer is not None)
    assert not [key for key, count in caused.items() if count > 1]


def history(sim: Simulation) -> dict[tuple[str, str], list[tuple[dict, tuple[str, int] | None]]]:
    """Every version of every record, with the (writer, seq) that made it."""
    versions: dict[tuple[str, str], list[tuple[dict, tuple[str, int] | None]]] = {
        key: [(row, None)] for key, row in sim.initial.items()}
    for writer, write in zip(sim.server.writers, sim.server.log):
        cause = (writer or "desk", write.seq) if write.seq is not None else None
        versions.setdefault((write.collection, write.row["id"]), []).append((write.row, cause))
    return versions


def check_nothing_lost(sim: Simulation) -> None:
    versions = history(sim)
    conflicts = sim.server.rows("conflict")
    for key, mutation in sim.mutations.items():
        result = sim.results[key]
        if result.status == "rejected" or isinstance(mutation, Delete):
            continue
        values = mutation.fields if isinstance(mutation, Create) else mutation.changes
        states = [row for row, _ in versions.get((mutation.collection, mutation.id), [])]
        for field, value in values.items():
            in_history = any(row.get(field) == value for row in states)
            kept = any(c["record_id"] == mutation.id and c["id"] in result.conflict_ids and (
                (c["field"] == field and c["lost_value"] == value)
                or (c["field"] is None and (c["lost_value"] or {}).get(field) == value))
                for c in conflicts)
            assert in_history or kept, f"{key} lost {field}={value!r}"
    for record, rows in versions.items():
        if record[0] in ("conflict", "ticket_event"):
            continue
        for (before, _), (after, cause) in zip(rows, rows[1:]):
            changed = {f for f in after if f not in policy.META_FIELDS | STAMPED
                       and after.get(f) != before.get(f)}
            if not changed:
                continue
            mutation = sim.mutations[cause]  # type: ignore[index]
            assert isinstance(mutation, Update), (record, cause)
            for field in changed:
                seen = mutation.base[field] == before[field]
                moved_on = field == "status" and lifecycle.TICKET.allows(before[field], after[field])
                assert seen or moved_on, f"{record}.{field} overwritten unseen by {cause}"


def check_lifecycle(sim: Simulation) -> None:
    for (collection, record_id), rows in history(sim).items():
        if collection != "ticket":
            continue
        statuses = [row["status"] for row, _ in rows]
        for before, after in zip(statuses, statuses[1:]):
            assert before == after or lifecycle.TICKET.allows(before, after), (record_id, statuses)
        lines = sorted((r for r in sim.server.rows("ticket_event")
                        if r["ticket_id"] == record_id and r["type"] == "status"),
                       key=lambda r: r["version"])
        moves = [(a, b) for a, b in zip(statuses, statuses[1:]) if a != b]
        assert [(r["from_status"], r["to_status"]) for r in lines] == moves  # the timeline


def check_determinism(sim: Simulation) -> None:
    again = seeded()
    outcomes = []
    for actor, batch, now in sim.calls:
        try:
            outcomes.append(run(apply_batch(again, actor, copy.deepcopy(batch), now=now)))
        except BatchRejected as refused:
            outcomes.append(refused.code)
    assert outcomes == sim.outcomes
    assert msgspec.json.encode(again.tables) == msgspec.json.encode(sim.server.tables)
    assert [w.row for w in again.log] == [w.row for w in sim.server.log]


def check_decided_ahead(sim: Simulation) -> None:
    again = seeded()
    outcomes: list[PushOutcome | str] = []
    plans: dict[int, Any] = {}
    for at, (actor, batch, now) in enumerate(sim.calls):
        if at + 1 < len(sim.calls):  # the next push is decided before this one commits
            ahead, ahead_batch, ahead_now = sim.calls[at + 1]
            plans[at + 1] = run(plan_batch(again, ahead, copy.deepcopy(ahead_batch), now=ahead_now))
        plan = plans.pop(at, None)
        try:
            outcomes.append(run(apply_batch(again, actor, copy.deepcopy(batch), now=now, plan=plan)))
        except BatchRejected as refused:
            outcomes.append(refused.code)
            continue
        if plan is not None and plan.run.writes:
            event("plan kept" if again.log[-1] is plan.run.writes[-1] else "plan decided again")
    assert outcomes == sim.outcomes
    assert msgspec.json.encode(again.tables) == msgspec.json.encode(sim.server.tables)
    assert [w.row for w in again.log] == [w.row for w in sim.server.log]
