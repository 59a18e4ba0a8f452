"""Apply one push batch: order and replay checks, one load per collection, every decision
in memory, then one ``Storage.commit``. See sync/storage.py for the storage's side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from schemas.sync import (
    MAX_BATCH,
    OLDEST_SUPPORTED_PROTOCOL,
    PROTOCOL_VERSION,
    Create,
    Mutation,
    MutationResult,
    Update,
)
from sync import merge, policy
from sync.dispatch import Roster, local_day
from sync.messages import message
from sync.sla import SEED_TERMS, Terms
from sync.specs import SPECS
from sync.specs import attachments as photos
from sync.storage import Actor, Batch, Numbering, Past, ProcessedMutation, RecordWrite, Storage


class BatchRejected(Exception):
    """The whole batch is refused and nothing is applied."""

    def __init__(self, code: str, detail: dict[str, Any] | None = None) -> None:
        self.code = code
        self.message = message(code)
        self.detail = detail or {}
        super().__init__(f"{code}: {self.detail}")


class SeqGap(BatchRejected):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__("seq_gap", {"expected": expected, "got": got})


class PushOutcome(msgspec.Struct, kw_only=True):
    last_seq: int
    results: list[MutationResult]  # one per mutation, in request order


class Plan:
    """A batch decided ahead of the write lock, on a snapshot (``plan_batch``): what its
    decisions read (``fingerprint``) and the run that decided it, at the snapshot's clock;
    and the ids it loaded (``_wanted``), which the locked pass loads again."""

    def __init__(self, last_seq: int, fingerprint: bytes, run: _Run,
                 wanted: dict[str, set[str]]) -> None:
        self.last_seq, self.fingerprint, self.run = last_seq, fingerprint, run
        self.wanted = wanted


async def plan_batch(storage: Storage, actor: Actor, mutations: Sequence[Mutation], *,
                     now: str, protocol: int = PROTOCOL_VERSION) -> Plan | None:
    """Decide a batch on a read-only snapshot, before the write lock is asked for, so that
    one push's merge runs while another holds the lock (docs/scale.md §1). ``apply_batch``
    uses the plan only if everything the decisions read is unchanged under the lock; its
    versions then move up to the clock the lock finds (``_Run.rebase``). None when the
    batch would be refused, or names versions past the snapshot's clock: the locked pass
    decides those itself."""
    position = await storage.position(actor.device_id)
    try:
        _check(mutations, protocol)
        _, fresh = _split(actor, mutations, position.last_seq)
    except BatchRejected:
        return None
    if not fresh or any(getattr(m, "base_version", 0) > position.clock for m in fresh):
        return None  # a version the snapshot has not seen: compared with the batch's own
    wanted = _wanted(fresh)
    inputs = await _Inputs.read(storage, actor, fresh, now, wanted)
    fingerprint = inputs.fingerprint()
    return Plan(position.last_seq, fingerprint, inputs.run(actor, now, position.clock, fresh), wanted)


async def apply_batch(storage: Storage, actor: Actor, mutations: Sequence[Mutation], *,
                      now: str, pending: int = 0, app_version: str = "",
                      protocol: int = PROTOCOL_VERSION, plan: Plan | None = None) -> PushOutcome:
    """Apply a push batch atomically; replays answer their stored results. Each estate's
    own rules (time limits…) are read from the storage when the batch writes a record that
    has due times; the seeds' rules otherwise. A ``plan`` made for the same batch is used
    when what it read is unchanged under the lock; otherwise the batch is decided here."""
    _check(mutations, protocol)
    position = await storage.begin(actor.device_id)
    replays, fresh = _split(actor, mutations, position.last_seq)
    replayed: list[MutationResult] = []
    if replays:
        assert actor.device_id is not None
        replayed = list(await storage.stored_results(actor.device_id,
                                                     [m.seq for m in replays]))
        if len(replayed) != len(replays):
            raise BatchRejected("replay_unknown", {"seqs": [m.seq for m in replays]})
    if plan is not None and plan.last_seq != position.last_seq:
        plan = None  # made for other mutations of the batch
    inputs = await _Inputs.read(storage, actor, fresh, now,
                                _wanted(fresh) if plan is None else plan.wanted)
    if plan is not None and plan.fingerprint == inputs.fingerprint():
        run = plan.run
        run.rebase(position.clock)
    else:
        run = inputs.run(actor, now, position.clock, fresh)
    last_seq = fresh[-1].seq if fresh and actor.device_id is not None else position.last_seq
    await storage.commit(Batch(
        device_id=actor.device_id, user_id=actor.user_id, last_seq=last_seq, clock=run.clock,
        writes=run.writes, processed=run.processed if actor.device_id is not None else [],
        numbers=run.numbers,
        # what is left on the phone once this batch is in: the desk shows it (管家同步)
        pending=max(0, pending - len(mutations)), app_version=app_version, protocol=protocol, now=now,
    ))
    return PushOutcome(last_seq=last_seq, results=replayed + run.results)


class _Inputs:
    """Everything a batch's decisions read from the storage, besides the clock."""

    def __init__(self, records: dict[tuple[str, str], dict], numbering: Mapping[str, Numbering],
                 terms: Mapping[str, Terms], rosters: Mapping[str, Roster],
                 history: dict[str, Past], counted: dict[tuple[Any, ...], str]) -> None:
        self.records, self.numbering, self.terms = records, numbering, terms
        self.rosters, self.history, self.counted = rosters, history, counted

    def fingerprint(self) -> bytes:
        """What was read, encoded, order aside: two reads compare equal by it. Taken before
        a run, which changes the records, history and counts it is given."""
        return _encode([sorted(_encode(item) for item in part.items()) for part in
                        (self.records, self.numbering, self.terms, self.rosters, self.history,
                         self.counted)])

    @classmethod
    async def read(cls, storage: Storage, actor: Actor, fresh: Sequence[Mutation],
                   now: str, wanted: Mapping[str, set[str]]) -> _Inputs:
        """``wanted``: the ids to load, ``_wanted(fresh)``."""
        records = await _load(storage, wanted)
        estates = _estates(actor, records)
        numbering = await storage.numbering(estates) if _numbers(fresh) else {}
        terms = await storage.terms(estates) if _timed(fresh) else {}
        rosters = await storage.rosters(_days(estates, terms, now)) if _dispatches(fresh) else {}
        return cls(records, numbering, terms, rosters, await _history(storage, fresh),
                   await _counted(storage, fresh))

    def run(self, actor: Actor, now: str, clock: int, fresh: Sequence[Mutation]) -> _Run:
        """Decide every mutation in order, from ``clock`` on."""
        run = _Run(actor, now, clock, self.records, self.terms, self.numbering, self.rosters,
                   self.history, self.counted)
        for mutation in fresh:
            run.apply(mutation)
        return run


_encode = msgspec.msgpack.Encoder().encode


def _check(mutations: Sequence[Mutation], protocol: int) -> None:
    """Refuse a batch from a protocol too old, or too large."""
    if protocol < OLDEST_SUPPORTED_PROTOCOL:
        raise BatchRejected("update_required", {"protocol": protocol,
                                                "oldest": OLDEST_SUPPORTED_PROTOCOL})
    if len(mutations) > MAX_BATCH:
        raise BatchRejected("batch_too_large", {"max": MAX_BATCH, "got": len(mutations)})


def _split(actor: Actor, mutations: Sequence[Mutation],
           last_seq: int) -> tuple[list[Mutation], list[Mutation]]:
    """(replays, new mutations) of a device's batch; checks order and gaps."""
    if actor.device_id is None:
        return [], list(mutations)
    previous = 0
    for index, mutation in enumerate(mutations):
        if not isinstance(mutation.seq, int) or mutation.seq < 1:
            raise BatchRejected("bad_seq", {"index": index, "seq": mutation.seq})
        if mutation.seq <= previous:
            raise BatchRejected("seq_order", {"index": index, "seq": mutation.seq,
                                              "previous": previous})
        previous = mutation.seq
    replays = [m for m in mutations if m.seq <= last_seq]
    fresh = [m for m in mutations if m.seq > last_seq]
    if fresh and fresh[0].seq != last_seq + 1:
        raise SeqGap(expected=last_seq + 1, got=fresh[0].seq)
    return replays, fresh


def _wanted(mutations: Sequence[Mutation]) -> dict[str, set[str]]:
    """Ids to load per collection: targets and everything their decisions look at."""
    wanted: dict[str, set[str]] = defaultdict(set)

    def want(collection: Any, record_id: Any) -> None:
        if isinstance(collection, str) and collection in SPECS and isinstance(record_id, str):
            wanted[collection].add(record_id)

    for m in mutations:
        want(m.collection, m.id)
        spec = SPECS.get(m.collection)
        if spec is None:
            continue
        values = m.fields if isinstance(m, Create) else m.changes if isinstance(m, Update) else {}
        for field, target in spec.references.items():
            want(target, values.get(field))
        if isinstance(m, Create):
            want("building", values.get("building_id"))
            if spec.placement.parent is not None:
                kind_field, id_field, _ = spec.placement.parent
                want(values.get(kind_field), values.get(id_field))
        named = values.get(photos.BYTES_FIELDS.get(m.collection, ""))
        if isinstance(named, str):
            wanted[photos.BLOBS].add(named)  # the stored bytes it names, if any
    return wanted


def _numbers(mutations: Sequence[Mutation]) -> bool:
    """Whether the batch may create a record numbered within its estate (a ticket)."""
    return any(isinstance(m, Create) and m.collection in SPECS and SPECS[m.collection].number
               for m in mutations)


def _dispatches(mutations: Sequence[Mutation]) -> bool:
    """Whether the batch may create a record dispatched from a roster (a ticket)."""
    return any(isinstance(m, Create) and m.collection in SPECS and SPECS[m.collection].dispatched
               for m in mutations)


async def _history(storage: Storage, mutations: Sequence[Mutation]) -> dict[str, Past]:
    """The past the batch's new records are checked against (``Spec.history``), by the id
    they name (a meter): one ``Storage.history`` call per such collection."""
    named: dict[str, set[str]] = defaultdict(set)
    for m in mutations:
        spec = SPECS.get(m.collection) if isinstance(m, Create) else None
        if spec is not None and spec.history is not None:
            value = m.fields.get(spec.history.field)
            if isinstance(value, str):
                named[m.collection].add(value)
    past: dict[str, Past] = {}
    for collection, ids in named.items():
        past |= await storage.history(collection, ids)
    return past


def _days(estate_ids: set[str], terms: Mapping[str, Terms], now: str) -> dict[str, str]:
    """Each estate's calendar day at ``now`` (in its own time zone): whose roster applies."""
    return {e: local_day(now, terms.get(e, SEED_TERMS).timezone) for e in estate_ids}


async def _counted(storage: Storage, mutations: Sequence[Mutation]) -> dict[tuple[Any, ...], str]:
    """The counted records already stored under the keys of the batch's new records that
    count once per key (``Spec.once_per``), by ``(collection, *key)``."""
    firsts: dict[str, set[str]] = defaultdict(set)
    for m in mutations:
        spec = SPECS.get(m.collection) if isinstance(m, Create) else None
        if spec is not None and spec.once_per and isinstance(m.fields.get(spec.once_per[0]), str):
            firsts[m.collection].add(m.fields[spec.once_per[0]])
    counted: dict[tuple[Any, ...], str] = {}
    for collection, first in firsts.items():
        found = await storage.counted(collection, SPECS[collection].once_per, first)
        counted.update({(collection, *key): record_id for key, record_id in found.items()})
    return counted


def _timed(mutations: Sequence[Mutation]) -> bool:
    """Whether the batch writes a record whose due times follow its estate's time limits."""
    return any(m.collection in SEED_TERMS.due for m in mutations)


def _estates(actor: Actor, records: Mapping[tuple[str, str], dict]) -> set[str]:
    """The estates a batch's new records may fall in: the writer's, and those of the records
    they are placed by (their building, unit…)."""
    return set(actor.scope().estates) | {row["estate_id"] for row in records.values()
                                         if row.get("estate_id")}


async def _load(storage: Storage, wanted: Mapping[str, set[str]]) -> dict[tuple[str, str], dict]:
    records: dict[tuple[str, str], dict] = {}
    for collection, ids in wanted.items():
        for record_id, row in (await storage.load(collection, ids)).items():
            records[(collection, record_id)] = row
    return records


class _Run:
    """The state of one batch being decided: the overlay, the clock, what to write."""

    def __init__(self, actor: Actor, now: str, clock: int,
                 records: dict[tuple[str, str], dict], terms: Mapping[str, Terms],
                 numbering: Mapping[str, Numbering], rosters: Mapping[str, Roster],
                 history: dict[str, Past], counted: dict[tuple[Any, ...], str]) -> None:
        self.actor, self.now, self.clock, self.records = actor, now, clock, records
        self.base = clock  # the clock the run started from
        self.counted = counted  # (collection, *key) -> the record that counts (once_per)
        self.scope = actor.scope()
        self.terms, self.numbering, self.rosters = terms, numbering, rosters
        self.history = history
        self.numbers: dict[str, int] = {}  # estate -> last number handed out in this batch
        self.writes: list[RecordWrite] = []
        self.results: list[MutationResult] = []
        self.processed: list[ProcessedMutation] = []
        self.made: dict[int, Any] = {}  # position in writes -> how that derived row is made

    def apply(self, mutation: Mutation) -> None:
        ctx = merge.Context(actor=self.actor, seq=mutation.seq, now=self.now,
                            version=self.clock + 1, scope=self.scope, terms=self.terms,
                            rosters=self.rosters, history=self.history)
        decision = self._refused(mutation) or merge.decide(mutation, self.records, ctx)
        named = self._foreign_bytes(mutation.collection, decision.row)
        if named is not None:  # knowing a hash grants nothing
            decision = merge.rejected(decision.op, "out_of_scope", f"sha256 {named}")
        if decision.row is not None and decision.op == "create":
            self._number(mutation.collection, decision.row)
            self._count_once(mutation.collection, decision.row)
        if decision.row is not None:
            self._write(mutation.collection, decision.op, decision.row, mutation.seq)
        conflict_ids: list[str] = []
        if decision.timeline or decision.conflicts:
            record = self.records.get((mutation.collection, mutation.id), {})
            lifecycle = SPECS[mutation.collection].lifecycle
            for line in decision.timeline:
                assert lifecycle is not None and lifecycle.timeline is not None
                self._derive(lifecycle.timeline[0], lambda v, line=line: merge.timeline_row(
                    line, lifecycle=lifecycle, record=record, version=v, actor=self.actor,
                    now=self.now))
            conflict_ids = [
                self._derive("conflict", lambda v, note=note: merge.conflict_row(
                    note, collection=mutation.collection, record=record,
                    record_id=mutation.id, version=v, actor=self.actor, now=self.now))
                for note in decision.conflicts
            ]
        result = MutationResult(seq=mutation.seq, status=decision.status,
                                version=decision.version, code=decision.code,
                                message=decision.message, conflict_ids=conflict_ids)
        self.results.append(result)
        self.processed.append(ProcessedMutation(
            seq=mutation.seq, collection=mutation.collection, record_id=mutation.id,
            op=decision.op, result=result,
            payload=msgspec.to_builtins(mutation) if decision.status == "rejected" else None,
        ))

    def _refused(self, mutation: Mutation) -> merge.Decision | None:
        """A phone setting a field it reads only masked (``policy.phone_refusal``)."""
        values = mutation.fields if isinstance(mutation, Create) else \
            mutation.changes if isinstance(mutation, Update) else {}
        fields = policy.phone_refusal(self.actor, mutation.collection, values)
        if fields is None:
            return None
        return merge.rejected("create" if isinstance(mutation, Create) else "update",
                              "field_not_writable", fields)

    def _foreign_bytes(self, collection: str, row: dict[str, Any] | None) -> str | None:
        """The sha256 of stored bytes a record to write comes to name that the writer may
        not name (``photos.may_point_at``), or None."""
        field = photos.BYTES_FIELDS.get(collection)
        if field is None or row is None or not row.get(field):
            return None
        named = str(row[field])
        if self.records.get((collection, row["id"]), {}).get(field) == named:
            return None  # the same bytes as before
        blob = self.records.get((photos.BLOBS, named))
        return None if photos.may_point_at(blob, self.actor.user_id, self.scope) else named

    def _number(self, collection: str, row: dict[str, Any]) -> None:
        """Give a new record its estate's next number, if its collection is numbered."""
        make = SPECS[collection].number
        numbering = self.numbering.get(row.get("estate_id") or "")
        if make is None or numbering is None:
            return
        n = self.numbers.get(row["estate_id"], numbering.last) + 1
        self.numbers[row["estate_id"]] = n
        row["number"] = make(numbering.code, n)

    def _count_once(self, collection: str, row: dict[str, Any]) -> None:
        """A new record counted once per key: the first by server order counts; a later one
        is kept, marked ``duplicate_of`` the one that counts (docs/conflicts.md)."""
        key_fields = SPECS[collection].once_per
        if not key_fields:
            return
        key = (collection, *(row.get(f) for f in key_fields))
        first = self.counted.get(key)
        if first is None:
            self.counted[key] = row["id"]
        else:
            row["duplicate_of"] = first

    def _write(self, collection: str, op: str, row: dict[str, Any], seq: int | None) -> None:
        history = SPECS[collection].history if collection in SPECS else None
        if history is not None and op == "create":  # the next record of the batch sees it
            self.history.setdefault(row[history.field], Past()).rows.append(row)
        self.clock = row["version"]
        self.records[(collection, row["id"])] = row
        self.writes.append(RecordWrite(collection=collection, op=op, row=row, seq=seq))

    def _derive(self, collection: str, make: Any) -> str:
        row = make(self.clock + 1)
        self.made[len(self.writes)] = make
        self._write(collection, "create", row, None)
        return row["id"]

    def rebase(self, clock: int) -> None:
        """Move every version this run handed out up by ``clock - base``: the run was
        decided at ``base`` (``plan_batch``) and the lock found ``clock``, with nothing the
        run read changed in between. Versions are compared only with each other and with
        versions read (all at or below ``base``), so every decision stands; the derived
        rows are made again, since their ids come from their versions."""
        shift = clock - self.base
        if shift == 0:
            return
        renamed: dict[str, str] = {}
        moved: set[int] = set()
        for at, write in enumerate(self.writes):
            make = self.made.get(at)
            if make is not None:
                row = make(write.row["version"] + shift)
                renamed[write.row["id"]] = row["id"]
                self.writes[at] = RecordWrite(collection=write.collection, op=write.op,
                                              row=row, seq=write.seq)
            elif id(write.row) not in moved:
                moved.add(id(write.row))
                write.row["version"] += shift
        results = {id(r): msgspec.structs.replace(
            r, version=r.version + shift if r.version is not None and r.version > self.base
            else r.version, conflict_ids=[renamed.get(c, c) for c in r.conflict_ids])
            for r in self.results}
        self.results = [results[id(r)] for r in self.results]
        for processed in self.processed:
            processed.result = results[id(processed.result)]
        self.base, self.clock = clock, self.clock + shift
