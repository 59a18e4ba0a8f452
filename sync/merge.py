"""Merge decisions: one pure function per mutation op, no I/O, no clock reads.

Each ``decide_*`` takes the mutation, the records it may need (``records``, keyed by
``(collection, id)``: what the database holds overlaid with what earlier mutations of the
same batch wrote) and a ``Context`` (who, which seq, server time, the version a write
would take), and returns a ``Decision``. The engine turns decisions into writes; the rules
are described in docs/conflicts.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from schemas.limits import as_checked_now
from schemas.sync import Create, Delete, ResultStatus, Update
from sync import policy
from sync.dispatch import Roster
from sync.lifecycle import Lifecycle
from sync.messages import message
from sync.scope import ROLE_SCOPES, Scope
from sync.sla import SEED_TERMS, Terms
from sync.spec import META_FIELDS, Spec
from sync.specs import SPECS
from sync.storage import Actor, Past

Records = Mapping[tuple[str, str], dict[str, Any]]

# Namespace of the server-made ids (conflict records, status lines): uuid5(NS, name).
NAMESPACE = uuid.UUID("5b7c2f0e-3d1a-5e8b-9c4f-2a6d8e0b1c37")

FIRST_SYNC_WINS = "first_sync_wins"
LIFECYCLE = "lifecycle"


class Context(msgspec.Struct, frozen=True, kw_only=True):
    actor: Actor
    seq: int
    now: str  # server time of the push
    version: int  # the version the record takes if this mutation writes it
    scope: Scope | None = None  # the actor's scope, computed once per batch by the engine
    terms: Mapping[str, Terms] = {}  # each estate's rules (time limits…), by estate id
    default_terms: Terms = SEED_TERMS  # for an estate without rules of its own
    rosters: Mapping[str, Roster] = {}  # each estate's on-duty engineers today, by estate id
    history: Mapping[str, Past] = {}  # the past new records are checked against (Spec.history), by id

    def roster_for(self, estate_id: str | None) -> Roster | None:
        """The estate's on-duty roster of the day (None: nobody rostered)."""
        return self.rosters.get(estate_id or "")

    def terms_for(self, estate_id: str | None) -> Terms:
        """The rules of an estate (the seeds' when it has none of its own)."""
        return self.terms.get(estate_id or "", self.default_terms)

    def sees(self, row: dict[str, Any]) -> bool:
        """Whether the actor may see and touch ``row``."""
        scope = self.scope if self.scope is not None else self.actor.scope()
        return scope.admits(row)


class ConflictNote(msgspec.Struct, kw_only=True):
    """A value the merge discarded (``lost_value``), and what stands instead."""

    kind: str  # schemas.vocab.ConflictKind
    rule: str
    field: str | None = None
    kept_value: Any = None
    lost_value: Any = None
    kept_source: str | None = None
    lost_source: str | None = None


class Decision(msgspec.Struct, kw_only=True):
    status: ResultStatus
    op: str
    row: dict[str, Any] | None = None  # the whole record to write, None: no write
    version: int | None = None  # the record's version after the decision
    conflicts: list[ConflictNote] = []
    timeline: list[tuple[str, str | None, str]] = []  # ticket lines: (type, from, to)
    code: str | None = None
    message: str | None = None


class Rejected(Exception):
    """Raised inside a decision to refuse the mutation; turned into a Decision."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def rejected(op: str, code: str, detail: str = "") -> Decision:
    return Decision(status="rejected", op=op, code=code, message=message(code, detail))


def decide(mutation: Create | Update | Delete, records: Records, ctx: Context) -> Decision:
    """The decision for any mutation (dispatch on its op)."""
    try:
        match mutation:
            case Create():
                return decide_create(mutation, records, ctx)
            case Update():
                return decide_update(mutation, records, ctx)
            case Delete():
                return decide_delete(mutation, records, ctx)
    except Rejected as refusal:
        return rejected(_op(mutation), refusal.code, refusal.detail)
    raise TypeError(f"not a mutation: {type(mutation).__name__}")


def _op(mutation: Create | Update | Delete) -> str:
    return {Create: "create", Update: "update", Delete: "delete"}[type(mutation)]


# --- helpers -------------------------------------------------------------------------


def _spec(collection: str) -> Spec:
    spec = SPECS.get(collection)
    if spec is None:
        raise Rejected("unknown_collection", collection)
    return spec


def _target(m: Update | Delete, records: Records, ctx: Context) -> tuple[Spec, dict[str, Any]]:
    """The record an update or delete is about: known and inside the actor's scope."""
    spec = _spec(m.collection)
    current = records.get((m.collection, m.id))
    if current is None:
        raise Rejected("unknown_record", f"{m.collection} {m.id}")
    if not ctx.sees(current):
        raise Rejected("out_of_scope", f"{m.collection} {m.id}")
    return spec, current


def _validate(spec: Spec, row: dict[str, Any]) -> dict[str, Any]:
    """The row checked against the collection's Struct, with every column filled in."""
    fields = policy.ALL_FIELDS[spec.name]
    if not row.keys() <= fields:
        row = {k: v for k, v in row.items() if k in fields}
    try:
        record = msgspec.convert(row, spec.record)
    except msgspec.ValidationError as error:
        raise Rejected("invalid", str(error)) from None
    return msgspec.structs.asdict(record)


def _values(row: dict[str, Any]) -> dict[str, Any]:
    """A record's own values (no metadata), as kept in a conflict record."""
    return {k: v for k, v in row.items() if k not in META_FIELDS}


def _source_of(row: dict[str, Any]) -> str | None:
    who = row.get("updated_by") or row.get("created_by")
    return f"user:{who}" if who else None


def _reference(records: Records, ctx: Context, collection: str, ref_id: Any) -> dict[str, Any]:
    """The record a field points at; refused when missing, deleted reference data, or
    outside the actor's scope."""
    row = records.get((collection, ref_id)) if isinstance(ref_id, str) else None
    if row is None or (row.get("deleted") and collection in ("unit", "building")):
        raise Rejected("bad_reference", f"{collection} {ref_id}")
    if not ctx.sees(row):
        raise Rejected("out_of_scope", f"{collection} {ref_id}")
    return row


def _check_references(spec: Spec, values: dict[str, Any], records: Records,
                      ctx: Context) -> None:
    for field, target in spec.references.items():
        if values.get(field) is not None:
            _reference(records, ctx, target, values[field])


def _check_values(spec: Spec, values: dict[str, Any], role: str, *, create: bool) -> None:
    """The spec's rules on which values a role may set (ticket kinds, timeline lines…)."""
    for rule in spec.value_rules:
        if (rule.on_create if create else rule.on_update) and rule.field in values \
                and not rule.allows(role, values[rule.field]):
            raise Rejected(rule.code, str(values[rule.field]))


def _check_only_when(spec: Spec, row: dict[str, Any], changed: Iterable[str]) -> None:
    """The spec's rules on fields that belong to some records only (``OnlyWhen``), for a
    record whose ``changed`` fields touch them."""
    for rule in spec.only_when:
        if {rule.field, rule.when_field} & set(changed) and rule.refuses(row):
            raise Rejected(rule.code, f"{rule.field}={row.get(rule.field)}, "
                                      f"{rule.when_field}={row.get(rule.when_field)}")


# --- create --------------------------------------------------------------------------


def decide_create(m: Create, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    spec = _spec(m.collection)
    if not policy.may_create(actor.role, m.collection):
        raise Rejected("create_not_allowed", m.collection)
    allowed = policy.creatable_fields(actor.role, m.collection)
    if not m.fields.keys() <= allowed:
        raise Rejected("field_not_writable", ", ".join(sorted(m.fields.keys() - allowed)))
    existing = records.get((m.collection, m.id))
    if existing is not None:
        return _create_existing(m, existing, ctx)
    fields = _with_defaults(spec, dict(m.fields), actor)
    _check_create_rules(spec, fields, actor)
    _check_references(spec, fields, records, ctx)
    building_id, estate_id = _place(spec, m.id, fields, records, ctx)  # pops given ones
    fields.update(id=m.id, version=ctx.version, created_at=ctx.now, created_by=actor.user_id,
                  updated_at=ctx.now, updated_by=actor.user_id, deleted=False,
                  building_id=building_id, estate_id=estate_id)
    row = _validate(spec, fields)
    _check_only_when(spec, row, row)
    if not ctx.sees(row):
        raise Rejected("out_of_scope", str(row["building_id"] or row["estate_id"]))
    timeline: list[tuple[str, str | None, str]] = []
    if spec.history is not None:
        refusal = spec.history.check(row, ctx.history.get(row[spec.history.field]) or Past())
        if refusal is not None:
            raise Rejected(refusal, str(row[spec.history.field]))
    if spec.on_create is not None:
        row = spec.on_create(row, ctx)
    lifecycle = spec.lifecycle
    if lifecycle is not None and lifecycle.timeline is not None:
        timeline.append(("created", None, lifecycle.start))
        moved = row.get(lifecycle.field, lifecycle.start)
        if moved != lifecycle.start:  # the server moved it on at once (auto-dispatch): a line
            assert lifecycle.allows(lifecycle.start, moved), moved
            timeline.append(("status", lifecycle.start, moved))
    return Decision(status="applied", op="create", row=row, version=ctx.version,
                    timeline=timeline)


def _create_existing(m: Create, existing: dict[str, Any], ctx: Context) -> Decision:
    """A create of an id that exists: identical → no-op; otherwise the existing stands."""
    if not ctx.sees(existing):
        raise Rejected("out_of_scope", m.id)
    if all(existing.get(k) == v for k, v in m.fields.items()):
        return Decision(status="applied", op="create", version=existing["version"])
    note = ConflictNote(
        kind="create_exists", rule=FIRST_SYNC_WINS,
        kept_value={k: existing.get(k) for k in m.fields}, lost_value=dict(m.fields),
        kept_source=_source_of(existing), lost_source=ctx.actor.source(ctx.seq),
    )
    return Decision(status="conflict", op="create", version=existing["version"],
                    conflicts=[note])


def _with_defaults(spec: Spec, fields: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Fields the server fills in when the phone leaves them out (who made the record)."""
    for field in spec.filled_by_maker:
        if fields.get(field) is None:
            fields[field] = actor.user_id
    return fields


def _check_create_rules(spec: Spec, fields: dict[str, Any], actor: Actor) -> None:
    """What a role may create: the lifecycle's start, the spec's value rules, its own
    records only (a steward)."""
    lifecycle = spec.lifecycle
    if lifecycle is not None and fields.get(lifecycle.field, lifecycle.start) != lifecycle.start:
        raise Rejected("bad_status", str(fields.get(lifecycle.field)))
    _check_values(spec, fields, actor.role, create=True)
    rule = ROLE_SCOPES.get(actor.role)
    if spec.owner_field is not None and rule is not None and rule.own_records_only \
            and fields.get(spec.owner_field, actor.user_id) != actor.user_id:
        raise Rejected("not_own_record", spec.owner_field)


def _place(spec: Spec, record_id: str, fields: dict[str, Any], records: Records,
           ctx: Context) -> tuple[str | None, str | None]:
    """``(building_id, estate_id)`` of a new record (docs/conflicts.md, "Where a record
    belongs"): from what places it (its unit, its parent…), else from what it names."""
    placement = spec.placement
    given_estate = fields.pop("estate_id", None)
    if placement.own:  # a building: its own scope key, in the estate it names
        if given_estate is None:
            raise Rejected("bad_reference", "a building needs its estate_id")
        return record_id, given_estate
    place: dict[str, Any] | None = None
    if placement.parent is not None:
        kind_field, id_field, allowed = placement.parent
        parent = fields.get(kind_field)
        if not isinstance(parent, str) or parent not in allowed:
            raise Rejected("invalid", f"{kind_field} {parent}")
        place = _reference(records, ctx, parent, fields.get(id_field))
    elif placement.required:
        field = placement.by[0]
        place = _reference(records, ctx, spec.references[field], fields.get(field))
    else:
        given = fields.pop("building_id", None) if placement.given else None
        building = _reference(records, ctx, "building", given) if given is not None else None
        if building is None and placement.needs_building:
            raise Rejected("bad_reference", f"a {spec.name} needs its building_id")
        place = _placed_by(spec, fields, records, ctx)
        derived = place.get("building_id") if place is not None else None
        if building is not None and derived is not None and derived != given:
            raise Rejected("bad_reference", f"building_id {given} ≠ {derived}")
        if derived is None and building is not None:
            place = building
    if place is not None and (place.get("building_id") or place.get("estate_id")) is not None:
        estate_id = place.get("estate_id")
        if given_estate is not None and given_estate != estate_id:
            raise Rejected("bad_reference", f"estate_id {given_estate} ≠ {estate_id}")
        return place.get("building_id"), estate_id
    return None, _unplaced_estate(given_estate, ctx.actor)


def _placed_by(spec: Spec, fields: dict[str, Any], records: Records,
               ctx: Context) -> dict[str, Any] | None:
    """The first record named by the spec's placing fields (``Placement.by``)."""
    for field in spec.placement.by:
        if fields.get(field) is not None:
            return _reference(records, ctx, spec.references[field], fields[field])
    return None


def _unplaced_estate(given: Any, actor: Actor) -> str | None:
    """The estate of a record without a building: the one named (one of the actor's), or
    the actor's only estate (None when that is ambiguous: the scope check then refuses)."""
    if given is not None:
        if not isinstance(given, str) or given not in actor.estate_ids:
            raise Rejected("out_of_scope", f"estate {given}")
        return str(given)
    if len(actor.estate_ids) == 1:
        return next(iter(actor.estate_ids))
    return None


# --- update --------------------------------------------------------------------------


def decide_update(m: Update, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    spec, current = _target(m, records, ctx)
    if spec.append_only:
        raise Rejected("append_only", m.collection)
    allowed = policy.updatable_fields(actor.role, m.collection)
    if not m.changes.keys() <= allowed:
        raise Rejected("field_not_writable", ", ".join(sorted(m.changes.keys() - allowed)))
    if not m.changes.keys() <= m.base.keys():
        raise Rejected("missing_base", ", ".join(sorted(m.changes.keys() - m.base.keys())))
    _check_values(spec, m.changes, actor.role, create=False)
    _validate(spec, {**{k: as_checked_now(v) for k, v in current.items()}, **m.changes})
    _check_references(spec, m.changes, records, ctx)
    if current.get("deleted"):
        note = ConflictNote(kind="edit_deleted", rule="deleted_stays_deleted",
                            kept_value={"deleted": True}, lost_value=dict(m.changes),
                            kept_source=_source_of(current), lost_source=actor.source(ctx.seq))
        return Decision(status="conflict", op="update", version=current["version"],
                        conflicts=[note])
    return _merge_fields(spec, m, current, ctx)


def _merge_fields(spec: Spec, m: Update, current: dict[str, Any], ctx: Context) -> Decision:
    """The 3-way merge, field by field, of the changes into the current record."""
    applied: dict[str, Any] = {}
    notes: list[ConflictNote] = []
    lifecycle = spec.lifecycle
    for field, new in m.changes.items():
        now_value, base = current.get(field), m.base[field]
        if now_value == new:
            continue
        if field in spec.grow_only:
            grown = grow(now_value, new)
            if grown != now_value:
                applied[field] = grown
            continue
        if lifecycle is not None and field == lifecycle.field:
            if _state_moves(lifecycle, now_value, base, new):
                applied[field] = new
                continue
            rule = LIFECYCLE
            kind = "status"
        elif now_value == base:
            applied[field] = new
            continue
        else:
            rule, kind = FIRST_SYNC_WINS, "field"
        notes.append(ConflictNote(kind=kind, rule=rule, field=field, kept_value=now_value,
                                  lost_value=new, kept_source=_source_of(current),
                                  lost_source=ctx.actor.source(ctx.seq)))
    status: ResultStatus = "conflict" if notes else "applied"
    if not applied:
        return Decision(status=status, op="update", version=current["version"],
                        conflicts=notes)
    row = {**current, **applied, "version": ctx.version, "updated_at": ctx.now,
           "updated_by": ctx.actor.user_id}
    _check_only_when(spec, row, applied)
    timeline: list[tuple[str, str | None, str]] = []
    if lifecycle is not None and lifecycle.field in applied:
        refused = lifecycle.refusal(current, row)
        if refused is not None:
            raise Rejected(refused, f"{current[lifecycle.field]} → {applied[lifecycle.field]}")
        state = applied[lifecycle.field]
        row = stamp_state(lifecycle, row, current[lifecycle.field], state, ctx.now)
        if lifecycle.timeline is not None:
            timeline.append(("status", current[lifecycle.field], state))
    if spec.on_update is not None:
        row = spec.on_update(row, current, applied, ctx)
    return Decision(status=status, op="update", row=row, version=ctx.version,
                    conflicts=notes, timeline=timeline)


def grow(current: Any, new: Any) -> list[Any]:
    """A grow-only list after a change: what it holds now, then the change's items it did
    not hold, in the change's order (a set union that keeps the order items came in)."""
    held = list(current or [])
    return held + [item for item in dict.fromkeys(new or []) if item not in held]


def _state_moves(lifecycle: Lifecycle, current: str, base: Any, new: str) -> bool:
    """Whether a record's state moves to ``new`` (see the pair table in conflicts.md).

    The phone's own move (current == base) must be allowed, else the whole update is
    refused; after a concurrent move, the state moves on when the lifecycle allows it
    from where the record now stands, otherwise the current state stands.
    """
    if current == base:
        if not lifecycle.allows(current, new):
            raise Rejected(lifecycle.forbidden, f"{current} → {new}")
        return True
    return lifecycle.allows(current, new)


def stamp_state(lifecycle: Lifecycle, row: dict[str, Any], left: str, state: str,
                now: str) -> dict[str, Any]:
    """Set the time column of the state the record entered, and the lifecycle's
    ``left_start`` column the first time it leaves its start state."""
    column = lifecycle.stamps.get(state)
    row = {**row, column: now} if column else row
    first = lifecycle.left_start
    if first and left == lifecycle.start and state != left and not row.get(first):
        row = {**row, first: now}
    return row


# --- delete --------------------------------------------------------------------------


def decide_delete(m: Delete, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    _, current = _target(m, records, ctx)
    if not policy.may_delete(actor.role, m.collection):
        raise Rejected("delete_not_allowed", m.collection)
    if actor.role in policy.DELETE_OWN_ONLY and (
        current.get("created_by") != actor.user_id or current.get("updated_by") != actor.user_id
    ):
        raise Rejected("not_owner", f"{m.collection} {m.id}")
    if current.get("deleted"):
        return Decision(status="applied", op="delete", version=current["version"])
    row = {**current, "deleted": True, "version": ctx.version, "updated_at": ctx.now,
           "updated_by": actor.user_id}
    if current["version"] <= m.base_version or current.get("updated_by") == actor.user_id:
        return Decision(status="applied", op="delete", row=row, version=ctx.version)
    note = ConflictNote(kind="delete_edited", rule="delete_wins_values_kept",
                        kept_value={"deleted": True}, lost_value=_values(current),
                        kept_source=actor.source(ctx.seq), lost_source=_source_of(current))
    return Decision(status="conflict", op="delete", row=row, version=ctx.version,
                    conflicts=[note])


# --- derived records -----------------------------------------------------------------


def server_id(*parts: object) -> str:
    """A deterministic id for a server-made record."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def conflict_row(note: ConflictNote, *, collection: str, record: dict[str, Any],
                 record_id: str, version: int, actor: Actor, now: str) -> dict[str, Any]:
    """The conflict record (every column) keeping what a decision discarded, placed where
    the record it is about is."""
    return _validate(SPECS["conflict"], {
        "id": server_id("conflict", collection, record_id, version),
        "version": version, "created_at": now, "created_by": actor.user_id,
        "updated_at": now, "updated_by": actor.user_id,
        "building_id": record.get("building_id"), "estate_id": record.get("estate_id"),
        "collection": collection, "record_id": record_id, "field": note.field,
        "kind": note.kind, "kept_value": note.kept_value, "lost_value": note.lost_value,
        "kept_source": note.kept_source, "lost_source": note.lost_source, "rule": note.rule,
    })


def timeline_row(line: tuple[str, str | None, str], *, lifecycle: Lifecycle,
                 record: dict[str, Any], version: int, actor: Actor,
                 now: str) -> dict[str, Any]:
    """A server-made timeline line: the record was created or changed state."""
    assert lifecycle.timeline is not None
    collection, parent_field = lifecycle.timeline
    kind, from_status, to_status = line
    return _validate(SPECS[collection], {
        "id": server_id(collection, record["id"], version),
        "version": version, "created_at": now, "created_by": actor.user_id,
        "updated_at": now, "updated_by": actor.user_id,
        "building_id": record["building_id"], "estate_id": record.get("estate_id"),
        parent_field: record["id"], "type": kind, "from_status": from_status,
        "to_status": to_status, "author_id": actor.user_id,
    })
