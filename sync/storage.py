"""What the engine needs from a database, and the plain data it hands back to write.

The server implements ``Storage`` on one transaction (``server/store/sync_storage.py``);
tests implement it in memory. The engine calls, in this order and within that transaction:

1. ``begin(device_id)``: take the write lock (the version clock row, and the device row)
   and return where the device and the clock stand;
2. ``stored_results`` for replayed seqs, and ``load`` for the records it must merge into
   (one call per collection, ids batched), and for the stored bytes new photos name
   (``load("attachment_blob", sha256s)``: their facts, ``sync.specs.attachments.BLOBS``;
   a storage that holds no bytes answers nothing);
   and, when the batch makes a record dispatched from a roster (a ticket), ``rosters``;
   and, when it makes a record checked against a past (a meter reading), ``history``,
   and, when it makes a record counted once per key (a survey answer), ``counted``;
3. ``commit(batch)`` once, with everything the batch decided.

Everything is decided in between, in memory: the storage does no merging.

A push may also be decided ahead, on a read-only snapshot (``sync.engine.plan_batch``:
``position``, then the same reads as in 2.); under the lock the engine then reads 2. again and
keeps the plan only if every read is unchanged, so the storage's answers must be the same for
the same data (any order within a call).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

import msgspec

from schemas.sync import MutationResult
from sync.dispatch import Roster
from sync.scope import Scope, scope_of
from sync.sla import Terms


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who is writing: a steward's phone (``device_id`` set) or a desk user (None)."""

    user_id: str
    role: str
    estate_ids: frozenset[str] = frozenset()  # the estates the person works in
    building_ids: frozenset[str] = frozenset()  # a steward's assigned buildings
    device_id: str | None = None

    def scope(self) -> Scope:
        """What this writer may see and touch (``sync.scope``: fails closed)."""
        return scope_of(self.role, self.user_id, estate_ids=self.estate_ids,
                        building_ids=self.building_ids)

    def source(self, seq: int | None = None) -> str:
        """How conflict records name this writer: ``device:<id>#<seq>`` or ``user:<id>``."""
        if self.device_id is not None:
            return f"device:{self.device_id}#{seq}"
        return f"user:{self.user_id}"


class Position(msgspec.Struct, frozen=True, kw_only=True):
    last_seq: int  # the device's last processed seq (0 for a desk actor or a new device)
    clock: int  # the last server version handed out


class RecordWrite(msgspec.Struct, kw_only=True):
    """One record to store whole (insert or replace), at ``row["version"]``."""

    collection: str
    op: str  # create / update / delete
    row: dict[str, Any]  # every column of the record, metadata included
    seq: int | None = None  # the mutation that caused it (None for derived writes)


class Numbering(msgspec.Struct, frozen=True, kw_only=True):
    """How an estate numbers its records (工单号): its code, the last number handed out."""

    code: str
    last: int = 0


class Past(msgspec.Struct, kw_only=True):
    """The past a new record is checked against (``sync.spec.History``): earlier records
    (``rows``, any order: a meter's readings) and facts about what they belong to
    (``about``: the meter's kind, its estate's settings), as plain data."""

    rows: list[dict[str, Any]] = []
    about: dict[str, Any] = {}


class ProcessedMutation(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The bookkeeping row of one processed mutation (the replay answer)."""

    seq: int
    collection: str
    record_id: str
    op: str
    result: MutationResult
    payload: dict[str, Any] | None = None  # the mutation itself, kept when rejected


class Batch(msgspec.Struct, kw_only=True):
    """Everything one push decided, written by ``Storage.commit`` in one go."""

    device_id: str | None
    user_id: str
    last_seq: int  # new last seq of the device (unchanged for a desk actor)
    clock: int  # new clock value: the highest version in ``writes``
    writes: list[RecordWrite]  # in version order; conflicts are writes of collection "conflict"
    processed: list[ProcessedMutation]
    numbers: dict[str, int] = {}  # each estate's last record number handed out (工单号), if it moved
    pending: int = 0  # what the phone's outbox holds after this batch (it reported the size before)
    app_version: str = ""
    protocol: int = 0
    now: str = ""  # server time of the push (ISO UTC), stamped by the caller


class Storage(Protocol):
    async def begin(self, device_id: str | None) -> Position: ...

    async def position(self, device_id: str | None) -> Position:
        """Where the device and the clock stand, read without the lock: the start of a
        plan (``sync.engine.plan_batch``), on a storage over a read-only snapshot."""
        ...

    async def stored_results(self, device_id: str, seqs: Sequence[int]) -> list[MutationResult]: ...

    async def load(self, collection: str, ids: Collection[str]) -> dict[str, dict[str, Any]]:
        """Current rows (tombstones included) by id; missing ids are absent."""
        ...

    async def numbering(self, estate_ids: Collection[str]) -> dict[str, Numbering]:
        """Each estate's numbering (its code and the last number handed out), read under
        the write lock ``begin`` took."""
        ...

    async def terms(self, estate_ids: Collection[str]) -> dict[str, Terms]:
        """The estates' own rules (time limits…); an estate without any is absent (the
        seeds' rules apply)."""
        ...

    async def rosters(self, days: Mapping[str, str]) -> dict[str, Roster]:
        """Each estate's on-duty engineers on its day (``{estate id: "YYYY-MM-DD"}``), read
        under the write lock; an estate with nobody rostered that day is absent."""
        ...

    async def history(self, collection: str, ids: Collection[str]) -> dict[str, Past]:
        """The past of each id that new records of ``collection`` name in the field of its
        ``Spec.history`` (a meter's readings), read under the write lock; an unknown id is
        absent."""
        ...

    async def counted(self, collection: str, key: Sequence[str],
                      first: Collection[str]) -> dict[tuple[Any, ...], str]:
        """The counted records of a collection counted once per ``key`` (``Spec.once_per``:
        not deleted, ``duplicate_of`` unset) whose first key field is one of ``first``: their
        ids by their key's values, read under the write lock."""
        ...

    async def commit(self, batch: Batch) -> None: ...
