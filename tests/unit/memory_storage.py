"""An in-memory ``Storage`` for the engine's unit tests: the same contract as the
database storage, with the batch applied whole at commit (or not at all)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Coroutine, Mapping, Sequence
from typing import Any

import msgspec

from sync.dispatch import Roster
from sync.specs import SPECS
from sync.sla import Terms
from schemas.sync import MutationResult
from sync.storage import Batch, Numbering, Past, Position, ProcessedMutation, RecordWrite


class MemoryStorage:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.clock = 0
        self.last_seq: dict[str, int] = {}
        self.processed: dict[tuple[str, int], ProcessedMutation] = {}
        self.log: list[RecordWrite] = []  # every write ever committed, in version order
        self.writers: list[str | None] = []  # the device of each write in ``log``
        self.commits = 0
        self.numbers: dict[str, int] = {}  # each estate's last ticket number
        self.estate_terms: dict[str, Terms] = {}  # estates with time limits of their own
        self.estate_rosters: dict[str, Roster] = {}  # each estate's on-duty engineers (one day)
        self.fail_next_commit = False  # simulate a crash inside the transaction

    # --- the Storage protocol ---
    async def begin(self, device_id: str | None) -> Position:
        last = self.last_seq.get(device_id, 0) if device_id is not None else 0
        return Position(last_seq=last, clock=self.clock)

    async def position(self, device_id: str | None) -> Position:
        return await self.begin(device_id)

    async def stored_results(self, device_id: str, seqs: Sequence[int]) -> list[MutationResult]:
        return [self.processed[(device_id, seq)].result for seq in seqs]

    async def load(self, collection: str, ids: Collection[str]) -> dict[str, dict[str, Any]]:
        table = self.tables.get(collection, {})
        return {i: copy.deepcopy(table[i]) for i in ids if i in table}

    async def counted(self, collection: str, key: Sequence[str],
                      first: Collection[str]) -> dict[tuple[Any, ...], str]:
        return {tuple(row.get(f) for f in key): i for i, row in self.tables.get(collection, {}).items()
                if row.get(key[0]) in first and not row.get("deleted") and row.get("duplicate_of") is None}

    async def numbering(self, estate_ids: Collection[str]) -> dict[str, Numbering]:
        return {e: Numbering(code=e.upper(), last=self.numbers.get(e, 0)) for e in estate_ids}

    async def terms(self, estate_ids: Collection[str]) -> dict[str, Terms]:
        return {e: self.estate_terms[e] for e in estate_ids if e in self.estate_terms}

    async def rosters(self, days: Mapping[str, str]) -> dict[str, Roster]:
        """The rosters set in ``estate_rosters`` ({estate: Roster}) whose day is asked."""
        return {e: r for e, r in self.estate_rosters.items() if days.get(e) == r.day}

    async def history(self, collection: str, ids: Collection[str]) -> dict[str, Past]:
        """A meter's readings (no vacant checks, no settings of its own: the seeds')."""
        meters = self.tables.get("meter", {})
        readings = [r for r in self.tables.get(collection, {}).values()
                    if not r["deleted"] and r.get("review") != "reread"]
        return {i: Past(rows=[copy.deepcopy(r) for r in readings if r["meter_id"] == i],
                        about={"kind": meters[i]["kind"]}) for i in ids if i in meters}

    async def commit(self, batch: Batch) -> None:
        if self.fail_next_commit:
            self.fail_next_commit = False
            raise RuntimeError("simulated crash inside the transaction")
        versions = [w.row["version"] for w in batch.writes]
        assert versions == sorted(versions) and len(set(versions)) == len(versions)
        assert not versions or versions[0] > self.clock and versions[-1] == batch.clock
        for write in batch.writes:
            self.tables.setdefault(write.collection, {})[write.row["id"]] = copy.deepcopy(
                write.row)
            self.log.append(write)
            self.writers.append(batch.device_id)
        for processed in batch.processed:
            key = (batch.device_id, processed.seq)
            assert key not in self.processed, f"seq processed twice: {key}"
            self.processed[key] = processed
        if batch.device_id is not None:
            self.last_seq[batch.device_id] = batch.last_seq
        self.clock = batch.clock
        self.numbers.update(batch.numbers)
        self.commits += 1

    # --- helpers for tests ---
    def put(self, collection: str, row: dict[str, Any]) -> dict[str, Any]:
        """Seed a record directly (reference data), giving it the next version; it belongs
        to the estate ``E1`` unless it names another (every row carries its estate)."""
        self.clock += 1
        record = msgspec.convert({"estate_id": E1, **row, "version": self.clock},
                                 SPECS[collection].record)
        stored = msgspec.structs.asdict(record)
        self.tables.setdefault(collection, {})[row["id"]] = stored
        return stored

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        return self.tables.get(collection, {}).get(record_id)

    def rows(self, collection: str) -> list[dict[str, Any]]:
        return list(self.tables.get(collection, {}).values())


# --- a small estate shared by the engine tests -------------------------------------------

NOW = "2026-11-22T08:00:00.000Z"
E1 = "e-1"
B1, B2 = "b-1", "b-2"
U1, U2 = "u-1", "u-2"  # U1 in B1, U2 in B2
H1 = "h-1"  # the household of U1
STEWARD = "user-steward"
DEVICE = "dev-1"


def estate() -> MemoryStorage:
    """Two buildings, one unit in each, a household in the first."""
    storage = MemoryStorage()
    for building in (B1, B2):
        storage.put("building", {"id": building, "building_id": building, "estate_id": E1,
                                 "code": building, "name": building, "floors": 6})
    storage.put("unit", {"id": U1, "building_id": B1, "code": "1-1-0101", "floor": 1,
                         "unit_type": "yangfang", "area_m2": 98.5, "occupancy": "occupied"})
    storage.put("unit", {"id": U2, "building_id": B2, "code": "2-1-0101", "floor": 1,
                         "unit_type": "diejia", "area_m2": 120.0, "occupancy": "vacant"})
    storage.put("household", {"id": H1, "building_id": B1, "unit_id": U1,
                              "owner_name": "张三", "owner_id_number": "110101199001011234"})
    return storage


def snapshot(storage: MemoryStorage) -> dict[tuple[str, str], dict[str, Any]]:
    """Every stored record keyed by (collection, id), as the merge functions take them."""
    return {(c, i): copy.deepcopy(row) for c, table in storage.tables.items()
            for i, row in table.items()}


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Drive an engine call to its end without an event loop (the memory storage never
    waits on anything real), so that property tests stay fast."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the engine awaited something real")
