"""The batch engine over the in-memory storage: replays, gaps, order, atomicity, the
overlay within a batch, determinism whatever the phone's clock says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

import msgspec
import pytest

from schemas.sync import Create, Delete, Mutation, Update
from sync.engine import BatchRejected, SeqGap, apply_batch
from sync.storage import Actor
from tests.unit.memory_storage import (
    E1, B1, DEVICE, H1, NOW, STEWARD, U1, U2, MemoryStorage, estate, run,
)

# Office actors work in the test estate: every row carries its estate now, and an office
# role sees only its estates (sync.scope).
OFFICE_ESTATES = frozenset({E1})

PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}), device_id=DEVICE)
DESK = Actor(user_id="user-desk", role="desk", estate_ids=OFFICE_ESTATES)


def note(seq: int, text: str, **extra: Any) -> Update:
    """A household notes edit from a phone that saw the seeded household (notes None)."""
    return Update(seq=seq, collection="household", id=H1, base_version=5,
                  base={"opinions": None}, changes={"opinions": text}, **extra)


def finding(seq: int, id: str, **extra: Any) -> Create:
    return Create(seq=seq, collection="finding", id=id,
                  fields={"kind": "public_damage", "occurred_at": NOW, "unit_id": U1}, **extra)


def state(storage: MemoryStorage) -> tuple[Any, ...]:
    return (storage.clock, msgspec.json.encode(storage.tables), dict(storage.last_seq),
            len(storage.processed))


async def test_a_replayed_batch_returns_the_same_results_and_changes_nothing() -> None:
    storage = estate()
    batch = [finding(1, "f-1"), note(2, "电梯慢"), finding(3, "f-2")]
    first = await apply_batch(storage, PHONE, batch, now=NOW)
    before = state(storage)
    again = await apply_batch(storage, PHONE, batch, now="2026-11-23T09:00:00.000Z")
    assert again == first and first.last_seq == 3
    assert state(storage) == before


async def test_a_batch_starting_with_replays_applies_only_the_new_tail() -> None:
    storage = estate()
    first = await apply_batch(storage, PHONE, [finding(1, "f-1"), note(2, "a")], now=NOW)
    outcome = await apply_batch(storage, PHONE, [finding(1, "f-1"), note(2, "a"),
                                                 finding(3, "f-3")], now=NOW)
    assert outcome.results[:2] == first.results
    assert outcome.results[2].status == "applied" and outcome.last_seq == 3
    assert Counter(w.seq for w in storage.log if w.seq) == {1: 1, 2: 1, 3: 1}


async def test_a_seq_gap_refuses_the_whole_batch() -> None:
    storage = estate()
    await apply_batch(storage, PHONE, [finding(1, "f-1")], now=NOW)
    before = state(storage)
    with pytest.raises(SeqGap) as refused:
        await apply_batch(storage, PHONE, [finding(3, "f-3"), finding(4, "f-4")], now=NOW)
    assert (refused.value.code, refused.value.detail) == ("seq_gap", {"expected": 2, "got": 3})
    assert " | " in refused.value.message
    assert state(storage) == before


@pytest.mark.parametrize(("seqs", "code"), [([1, 3, 2], "seq_order"), ([1, 1], "seq_order"),
                                            ([0, 1], "bad_seq")])
async def test_seqs_out_of_order_refuse_the_batch(seqs: list[int], code: str) -> None:
    storage = estate()
    before = state(storage)
    with pytest.raises(BatchRejected) as refused:
        await apply_batch(storage, PHONE, [finding(s, f"f-{i}") for i, s in enumerate(seqs)],
                          now=NOW)
    assert refused.value.code == code and state(storage) == before


async def test_old_protocols_and_oversized_batches_are_refused() -> None:
    storage = estate()
    with pytest.raises(BatchRejected) as old:
        await apply_batch(storage, PHONE, [finding(1, "f")], now=NOW, protocol=0)
    with pytest.raises(BatchRejected) as big:
        await apply_batch(storage, PHONE, [finding(i, f"f-{i}") for i in range(1, 1002)],
                          now=NOW)
    assert (old.value.code, big.value.code) == ("update_required", "batch_too_large")
    assert storage.commits == 0


async def test_a_rejected_mutation_advances_the_seq_and_keeps_its_payload() -> None:
    storage = estate()
    outside = Create(seq=1, collection="finding", id="f-x",
                     fields={"kind": "other", "occurred_at": NOW, "unit_id": U2})
    outcome = await apply_batch(storage, PHONE, [outside, finding(2, "f-2")], now=NOW)
    assert [r.status for r in outcome.results] == ["rejected", "applied"]
    assert outcome.results[0].code == "out_of_scope" and outcome.last_seq == 2
    kept = storage.processed[(DEVICE, 1)]
    assert kept.payload is not None and kept.payload["fields"]["unit_id"] == U2
    assert storage.processed[(DEVICE, 2)].payload is None
    assert storage.get("finding", "f-x") is None


async def test_a_later_mutation_sees_what_an_earlier_one_of_the_batch_wrote() -> None:
    storage = estate()
    photo = {"sha256": "ab" * 32, "parent_collection": "finding", "parent_id": "f-1",
             "mime": "image/jpeg", "size": 10}
    batch: list[Mutation] = [
        Create(seq=1, collection="finding", id="f-1",
               fields={"kind": "safety_hazard", "occurred_at": NOW, "building_id": B1}),
        Create(seq=2, collection="ticket", id="t-1",
               fields={"kind": "patrol_finding", "title": "消防门", "source_finding_id": "f-1"}),
        Create(seq=3, collection="attachment", id="a-1", fields=photo),
        Update(seq=4, collection="finding", id="f-1", base_version=0,
               base={"ticket_id": None}, changes={"ticket_id": "t-1"}),
        Update(seq=5, collection="ticket", id="t-1", base_version=0,
               base={"status": "received"}, changes={"status": "in_progress"}),
    ]
    outcome = await apply_batch(storage, PHONE, batch, now=NOW)
    assert [r.status for r in outcome.results] == ["applied"] * 5
    assert storage.get("finding", "f-1")["ticket_id"] == "t-1"  # type: ignore[index]
    assert storage.get("ticket", "t-1")["building_id"] == B1  # type: ignore[index]
    assert storage.get("attachment", "a-1")["building_id"] == B1  # type: ignore[index]
    versions = [w.row["version"] for w in storage.log]
    assert versions == list(range(versions[0], versions[0] + len(versions)))
    assert storage.clock == versions[-1]
    lines = [(w.row["type"], w.row["to_status"]) for w in storage.log
             if w.collection == "ticket_event"]
    assert lines == [("created", "received"), ("status", "in_progress")]


async def test_the_engine_loads_each_collection_once() -> None:
    calls: Counter[str] = Counter()

    class Counting(MemoryStorage):
        async def load(self, collection: str, ids: Collection[str]) -> dict[str, dict]:
            calls[collection] += 1
            return await super().load(collection, ids)

    storage = Counting()
    storage.tables, storage.clock = estate().tables, 5
    batch = [finding(i, f"f-{i}") for i in range(1, 50)] + [note(50, "x")]
    await apply_batch(storage, PHONE, batch, now=NOW)
    assert set(calls.values()) == {1} and set(calls) == {"finding", "unit", "household"}


async def test_a_crash_inside_the_commit_leaves_nothing_and_the_retry_applies_once() -> None:
    storage = estate()
    before = state(storage)
    storage.fail_next_commit = True
    with pytest.raises(RuntimeError):
        await apply_batch(storage, PHONE, [finding(1, "f-1"), note(2, "x")], now=NOW)
    assert state(storage) == before
    outcome = await apply_batch(storage, PHONE, [finding(1, "f-1"), note(2, "x")], now=NOW)
    assert [r.status for r in outcome.results] == ["applied", "applied"]
    assert len(storage.rows("finding")) == 1


async def test_desk_batches_ignore_seqs_and_record_no_processed_rows() -> None:
    storage = estate()
    batch = [note(0, "desk a"), Update(seq=0, collection="household", id=H1, base_version=5,
                                       base={"notes": None}, changes={"notes": "desk b"})]
    outcome = await apply_batch(storage, DESK, batch, now=NOW)
    assert [r.status for r in outcome.results] == ["applied", "applied"]
    assert outcome.last_seq == 0 and not storage.processed
    household = storage.get("household", H1)
    assert household is not None and (household["opinions"], household["notes"]) == (
        "desk a", "desk b")


async def test_an_empty_batch_commits_the_device_report_only() -> None:
    storage = estate()
    outcome = await apply_batch(storage, PHONE, [], now=NOW, pending=3)
    assert (outcome.last_seq, outcome.results, storage.commits) == (0, [], 1)


async def test_phone_clocks_a_day_off_change_nothing() -> None:
    def batch(client_time: str, hlc: str) -> list[Mutation]:
        extra = {"client_time": client_time, "hlc": hlc}
        return [finding(1, "f-1", **extra), note(2, "phone", **extra),
                Delete(seq=3, collection="finding", id="f-1", base_version=0, **extra)]

    outcomes = []
    for client_time, hlc in [("2026-11-22T08:00:00.000Z", "0001"),
                             ("2026-11-23T08:00:00.000Z", "9999"),
                             ("2026-11-21T08:00:00.000Z", "0000")]:
        storage = estate()
        desk_first = Update(seq=0, collection="household", id=H1, base_version=5,
                            base={"opinions": None}, changes={"opinions": "desk"})
        await apply_batch(storage, DESK, [desk_first], now=NOW)
        outcome = await apply_batch(storage, PHONE, batch(client_time, hlc), now=NOW)
        outcomes.append((outcome, msgspec.json.encode(storage.tables)))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert [r.status for r in outcomes[0][0].results] == ["applied", "conflict", "applied"]


# --- hostile values: every mutation gets an answer, never an exception -----------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sync.specs import SPECS  # noqa: E402
from sync import policy  # noqa: E402

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=5), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=5)
NAMES = st.sampled_from(sorted(SPECS) + ["nonsense"])
FIELD = st.sampled_from(sorted(set().union(*policy.ALL_FIELDS.values())))
VALUE = JSON | st.sampled_from([U1, U2, H1, B1, "received", "done", "repair", NOW])
VALUES = st.dictionaries(FIELD, VALUE, max_size=6)
IDS = st.sampled_from([U1, U2, H1, B1, "x-1", "x-2"])


@st.composite
def hostile(draw: st.DrawFn, seq: int) -> Mutation:
    op = draw(st.sampled_from(["create", "update", "delete"]))
    collection, record_id = draw(NAMES), draw(IDS)
    if op == "create":
        return Create(seq=seq, collection=collection, id=record_id, fields=draw(VALUES))
    if op == "update":
        changes = draw(VALUES)
        base = {k: draw(VALUE) for k in changes if draw(st.booleans())}
        return Update(seq=seq, collection=collection, id=record_id, base_version=1,
                      base=base, changes=changes)
    return Delete(seq=seq, collection=collection, id=record_id, base_version=draw(st.integers()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([PHONE, DESK, Actor(user_id="a", role="admin", estate_ids=OFFICE_ESTATES)]))
def test_hostile_values_get_an_answer_per_mutation(data: st.DataObject, actor: Actor) -> None:
    storage = estate()
    batch = [data.draw(hostile(seq)) for seq in range(1, data.draw(st.integers(1, 6)) + 1)]
    outcome = run(apply_batch(storage, actor, batch, now=NOW))
    assert [r.seq for r in outcome.results] == [m.seq for m in batch]
    for result in outcome.results:
        assert (result.status == "rejected") == (result.code is not None)
    for collection, table in storage.tables.items():
        for row in table.values():
            msgspec.convert(row, SPECS[collection].record)  # whatever was stored is valid


async def test_tickets_are_numbered_within_their_estate_across_batches() -> None:
    storage = estate()
    storage.put("building", {"id": "b-e2", "building_id": "b-e2", "estate_id": "e-2", "code": "1栋",
                             "name": "1栋", "floors": 6})
    desk = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1, "e-2"}))

    def ticket(id: str, building: str) -> Create:
        return Create(seq=1, collection="ticket", id=id,
                      fields={"kind": "repair", "title": "漏水", "building_id": building})

    await apply_batch(storage, desk, [ticket("t1", B1), ticket("t2", "b-e2"), ticket("t3", B1)], now=NOW)
    await apply_batch(storage, PHONE, [Create(seq=1, collection="ticket", id="t4",
                                              fields={"kind": "repair", "title": "漏水", "unit_id": U1})], now=NOW)
    numbers = {row["id"]: row["number"] for row in storage.rows("ticket")}
    assert numbers == {"t1": "E-1-000001", "t2": "E-2-000001", "t3": "E-1-000002", "t4": "E-1-000003"}
    assert storage.numbers == {E1: 3, "e-2": 1}
    # a batch that creates no ticket does not read the numbering
    before = dict(storage.numbers)
    await apply_batch(storage, PHONE, [finding(2, "f1")], now=NOW)
    assert storage.numbers == before
