"""Merge decisions: one pure function per mutation op, no I/O, no clock reads.

Each ``decide_*`` takes the mutation, the records it may need (``records``, keyed by
``(collection, id)``: what the database holds overlaid with what earlier mutations of the
same batch wrote) and a ``Context`` (who, which seq, server time, the version a write
would take), and returns a ``Decision``. The engine turns decisions into writes; the rules
are described in docs/conflicts.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from schemas.records import COLLECTIONS
from schemas.sync import Create, Delete, ResultStatus, Update
from sync import lifecycle, policy, sla
from sync.messages import message
from sync.storage import Actor

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


def _target(m: Update | Delete, records: Records, actor: Actor) -> dict[str, Any]:
    """The record an update or delete is about: known and inside the actor's scope."""
    _check_collection(m.collection)
    current = records.get((m.collection, m.id))
    if current is None:
        raise Rejected("unknown_record", f"{m.collection} {m.id}")
    if not policy.in_scope(actor, current):
        raise Rejected("out_of_scope", f"{m.collection} {m.id}")
    return current


def _check_collection(collection: str) -> None:
    if collection not in COLLECTIONS:
        raise Rejected("unknown_collection", collection)


def _validate(collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row checked against the collection's Struct, with every column filled in."""
    fields = policy.ALL_FIELDS[collection]
    if not row.keys() <= fields:
        row = {k: v for k, v in row.items() if k in fields}
    try:
        record = msgspec.convert(row, COLLECTIONS[collection])
    except msgspec.ValidationError as error:
        raise Rejected("invalid", str(error)) from None
    return msgspec.structs.asdict(record)


def _values(row: dict[str, Any]) -> dict[str, Any]:
    """A record's own values (no metadata), as kept in a conflict record."""
    return {k: v for k, v in row.items() if k not in policy.META_FIELDS}


def _source_of(row: dict[str, Any]) -> str | None:
    who = row.get("updated_by") or row.get("created_by")
    return f"user:{who}" if who else None


def _reference(records: Records, actor: Actor, collection: str, ref_id: Any) -> dict[str, Any]:
    """The record a field points at; refused when missing, deleted reference data, or
    outside the actor's scope."""
    row = records.get((collection, ref_id)) if isinstance(ref_id, str) else None
    if row is None or (row.get("deleted") and collection in ("unit", "building")):
        raise Rejected("bad_reference", f"{collection} {ref_id}")
    if not policy.in_scope(actor, row):
        raise Rejected("out_of_scope", f"{collection} {ref_id}")
    return row


def _check_references(collection: str, values: dict[str, Any], records: Records,
                      actor: Actor) -> None:
    for field, target in policy.REFERENCES.get(collection, {}).items():
        if values.get(field) is not None:
            _reference(records, actor, target, values[field])


# --- create --------------------------------------------------------------------------


def decide_create(m: Create, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    _check_collection(m.collection)
    if not policy.may_create(actor.role, m.collection):
        raise Rejected("create_not_allowed", m.collection)
    allowed = policy.creatable_fields(actor.role, m.collection)
    if not m.fields.keys() <= allowed:
        raise Rejected("field_not_writable", ", ".join(sorted(m.fields.keys() - allowed)))
    existing = records.get((m.collection, m.id))
    if existing is not None:
        return _create_existing(m, existing, ctx)
    fields = _with_defaults(m.collection, dict(m.fields), actor)
    _check_role_rules(m.collection, fields, actor)
    _check_references(m.collection, fields, records, actor)
    building_id = _building_of(m.collection, m.id, fields, records, actor)  # pops a given one
    fields.update(id=m.id, version=ctx.version, created_at=ctx.now, created_by=actor.user_id,
                  updated_at=ctx.now, updated_by=actor.user_id, deleted=False, building_id=building_id)
    row = _validate(m.collection, fields)
    if not policy.in_scope(actor, row):
        raise Rejected("out_of_scope", str(row["building_id"]))
    timeline: list[tuple[str, str | None, str]] = []
    if m.collection == "ticket":
        row = _new_ticket(row, ctx)
        timeline.append(("created", None, "received"))
    return Decision(status="applied", op="create", row=row, version=ctx.version,
                    timeline=timeline)


def _create_existing(m: Create, existing: dict[str, Any], ctx: Context) -> Decision:
    """A create of an id that exists: identical → no-op; otherwise the existing stands."""
    if not policy.in_scope(ctx.actor, existing):
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


_DEFAULTED: dict[str, tuple[str, ...]] = {
    name: tuple(f for f in ("steward_id", "author_id", "first_responder_id") if f in fields)
    for name, fields in policy.ALL_FIELDS.items()
}


def _with_defaults(collection: str, fields: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Fields the server fills in when the phone leaves them out (who made the record)."""
    for field in _DEFAULTED[collection]:
        if fields.get(field) is None:
            fields[field] = actor.user_id
    return fields


def _check_role_rules(collection: str, fields: dict[str, Any], actor: Actor) -> None:
    """What a role may raise: ticket kinds, timeline lines, its own field records."""
    if collection == "ticket":
        if fields.get("status", "received") != "received":
            raise Rejected("bad_status", str(fields.get("status")))
        if not policy.may_raise(actor.role, str(fields.get("kind"))):
            raise Rejected("kind_not_allowed", str(fields.get("kind")))
    if collection == "ticket_event" and not policy.may_add_event(actor.role,
                                                                   str(fields.get("type"))):
        raise Rejected("event_type_not_allowed", str(fields.get("type")))
    if actor.role == "steward" and fields.get("steward_id", actor.user_id) != actor.user_id:
        raise Rejected("not_own_record", "steward_id")


def _building_of(collection: str, record_id: str, fields: dict[str, Any], records: Records,
                 actor: Actor) -> str | None:
    """The scope key of a new record (see docs/conflicts.md, "Where a record belongs")."""
    if collection == "building":
        return record_id
    if collection == "patrol_round":
        return None
    if collection == "ticket_event":
        return _reference(records, actor, "ticket", fields.get("ticket_id"))["building_id"]
    if collection == "attachment":
        parent = fields.get("parent_collection")
        if not isinstance(parent, str) or parent not in policy.ATTACHMENT_PARENTS:
            raise Rejected("invalid", f"parent_collection {parent}")
        return _reference(records, actor, parent, fields.get("parent_id"))["building_id"]
    given = fields.pop("building_id", None)
    if given is not None:
        _reference(records, actor, "building", given)
    elif collection == "unit":
        raise Rejected("bad_reference", "a unit needs its building_id")
    derived = _derived_building(collection, fields, records, actor)
    if given is not None and derived is not None and given != derived:
        raise Rejected("bad_reference", f"building_id {given} ≠ {derived}")
    return derived if derived is not None else given


def _derived_building(collection: str, fields: dict[str, Any], records: Records,
                      actor: Actor) -> str | None:
    if fields.get("unit_id") is not None:
        return _reference(records, actor, "unit", fields["unit_id"])["building_id"]
    if collection == "ticket":
        for field, source in (("source_finding_id", "finding"), ("source_check_id",
                                                                 "vacant_check"),
                              ("source_visit_id", "visit")):
            if fields.get(field) is not None:
                return _reference(records, actor, source, fields[field])["building_id"]
    return None


def _new_ticket(row: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Server columns of a new ticket: number, due times."""
    response_due, resolve_due = sla.due_times(row["kind"], row["priority"], ctx.now)
    return {**row, "number": ticket_number(ctx.version), "response_due_at": response_due,
            "resolve_due_at": resolve_due}


def ticket_number(version: int) -> str:
    """工单号: "GD" and the 8-digit server version the ticket was created at."""
    return f"GD{version:08d}"


# --- update --------------------------------------------------------------------------


def decide_update(m: Update, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    current = _target(m, records, actor)
    if m.collection in policy.APPEND_ONLY:
        raise Rejected("append_only", m.collection)
    allowed = policy.updatable_fields(actor.role, m.collection)
    if not m.changes.keys() <= allowed:
        raise Rejected("field_not_writable", ", ".join(sorted(m.changes.keys() - allowed)))
    if not m.changes.keys() <= m.base.keys():
        raise Rejected("missing_base", ", ".join(sorted(m.changes.keys() - m.base.keys())))
    if m.collection == "ticket" and "status" in m.changes:
        if not policy.may_set_status(actor.role, str(m.changes["status"])):
            raise Rejected("status_not_allowed", str(m.changes["status"]))
    _validate(m.collection, {**current, **m.changes})
    _check_references(m.collection, m.changes, records, actor)
    if current.get("deleted"):
        note = ConflictNote(kind="edit_deleted", rule="deleted_stays_deleted",
                            kept_value={"deleted": True}, lost_value=dict(m.changes),
                            kept_source=_source_of(current), lost_source=actor.source(ctx.seq))
        return Decision(status="conflict", op="update", version=current["version"],
                        conflicts=[note])
    return _merge_fields(m, current, ctx)


def _merge_fields(m: Update, current: dict[str, Any], ctx: Context) -> Decision:
    """The 3-way merge, field by field, of the changes into the current record."""
    applied: dict[str, Any] = {}
    notes: list[ConflictNote] = []
    for field, new in m.changes.items():
        now_value, base = current.get(field), m.base[field]
        if now_value == new:
            continue
        if m.collection == "ticket" and field == "status":
            if _status_moves(now_value, base, new):
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
    timeline: list[tuple[str, str | None, str]] = []
    if "status" in applied and m.collection == "ticket":
        row = stamp_status(row, applied["status"], ctx.now)
        timeline.append(("status", current["status"], applied["status"]))
    if m.collection == "conflict" and applied.get("status", "open") != "open":
        row |= {"resolved_by": ctx.actor.user_id, "resolved_at": ctx.now}
    return Decision(status=status, op="update", row=row, version=ctx.version,
                    conflicts=notes, timeline=timeline)


def _status_moves(current: str, base: Any, new: str) -> bool:
    """Whether a ticket's status moves to ``new`` (see the pair table in conflicts.md).

    The phone's own move (current == base) must be allowed, else the whole update is
    refused; after a concurrent move, the status moves on when the lifecycle allows it
    from where the ticket now stands, otherwise the current status stands.
    """
    if current == base:
        if not lifecycle.allowed(current, new):
            raise Rejected("forbidden_transition", f"{current} → {new}")
        return True
    return lifecycle.allowed(current, new)


def stamp_status(row: dict[str, Any], status: str, now: str) -> dict[str, Any]:
    """Set the time column of the status the ticket entered."""
    column = lifecycle.STAMPS.get(status)
    return {**row, column: now} if column else row


# --- delete --------------------------------------------------------------------------


def decide_delete(m: Delete, records: Records, ctx: Context) -> Decision:
    actor = ctx.actor
    current = _target(m, records, actor)
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


def conflict_row(note: ConflictNote, *, collection: str, record_id: str,
                 building_id: str | None, version: int, actor: Actor,
                 now: str) -> dict[str, Any]:
    """The conflict record (every column) keeping what a decision discarded."""
    return _validate("conflict", {
        "id": server_id("conflict", collection, record_id, version),
        "version": version, "created_at": now, "created_by": actor.user_id,
        "updated_at": now, "updated_by": actor.user_id, "building_id": building_id,
        "collection": collection, "record_id": record_id, "field": note.field,
        "kind": note.kind, "kept_value": note.kept_value, "lost_value": note.lost_value,
        "kept_source": note.kept_source, "lost_source": note.lost_source, "rule": note.rule,
    })


def timeline_row(line: tuple[str, str | None, str], *, ticket: dict[str, Any], version: int,
                 actor: Actor, now: str) -> dict[str, Any]:
    """A server-made ticket timeline line: the ticket was created or changed status."""
    kind, from_status, to_status = line
    return _validate("ticket_event", {
        "id": server_id("ticket_event", ticket["id"], version),
        "version": version, "created_at": now, "created_by": actor.user_id,
        "updated_at": now, "updated_by": actor.user_id, "building_id": ticket["building_id"],
        "ticket_id": ticket["id"], "type": kind, "from_status": from_status,
        "to_status": to_status, "author_id": actor.user_id,
    })
