"""Who may read, create, change and delete what: the role policy, written as tables.

Pure data and small functions, used alike by the pull query, the merge engine, desk pages
and exports. Roles: steward (楼管: assigned buildings only), desk (前台/客服), manager
(客服经理), admin. The tables are reproduced in docs/conflicts.md.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from schemas.records import COLLECTIONS
from sync.storage import Actor

ROLES: tuple[str, ...] = ("steward", "desk", "manager", "admin")
OFFICE_ROLES: frozenset[str] = frozenset({"desk", "manager", "admin"})

# What phones pull, reference data first so that children arrive after what they point to.
PULLED_COLLECTIONS: tuple[str, ...] = (
    "building", "unit", "household", "patrol_round", "finding", "vacant_check", "visit",
    "ticket", "ticket_event", "attachment", "conflict",
)


def _fields(collection: str) -> frozenset[str]:
    return frozenset(f.name for f in msgspec.structs.fields(COLLECTIONS[collection]))


ALL_FIELDS: dict[str, frozenset[str]] = {name: _fields(name) for name in COLLECTIONS}

# Columns only the server sets, on every collection.
META_FIELDS: frozenset[str] = frozenset(
    {"id", "version", "created_at", "created_by", "updated_at", "updated_by", "deleted",
     "building_id"}
)

# Further columns only the server sets, per collection.
SERVER_FIELDS: dict[str, frozenset[str]] = {
    "ticket": frozenset(
        {"number", "response_due_at", "resolve_due_at", "dispatched_at", "done_at",
         "called_back_at", "closed_at"}
    ),
    "attachment": frozenset({"stored"}),
    "conflict": frozenset(ALL_FIELDS["conflict"] - {"status"}),
}

# Columns set when a record is created and never changed after (they decide its scope
# or what it belongs to): to move a record, delete it and create it again.
CREATE_ONLY: dict[str, frozenset[str]] = {
    "unit": frozenset({"code"}),
    "household": frozenset({"unit_id"}),
    "ticket": frozenset({"unit_id", "source_finding_id", "source_check_id", "source_visit_id"}),
    "ticket_event": ALL_FIELDS["ticket_event"] - META_FIELDS,
    "patrol_round": frozenset({"steward_id"}),
    "finding": frozenset({"unit_id", "steward_id"}),
    "vacant_check": frozenset({"unit_id", "steward_id", "week"}),
    "visit": frozenset({"unit_id", "steward_id"}),
    "attachment": ALL_FIELDS["attachment"] - META_FIELDS,
}

# Collections whose records are never edited: timeline lines and photos.
APPEND_ONLY: frozenset[str] = frozenset({"ticket_event", "attachment"})

# Fields a visit changes in the household archive (what a steward may write there).
VISIT_HOUSEHOLD_FIELDS: frozenset[str] = frozenset(
    {"family_structure", "residence", "tenant_name", "tenant_phone", "special_needs",
     "emergency_contact_name", "emergency_contact_phone", "opinions", "notes",
     "co_residents", "known_by_steward"}
)

# Personal fields hidden from a role when it reads a collection.
HIDDEN: dict[str, dict[str, frozenset[str]]] = {
    "steward": {"household": frozenset({"owner_id_number"})},
}


def _editable(collection: str) -> frozenset[str]:
    """Every field a client may set on a collection (no metadata, no server columns)."""
    return ALL_FIELDS[collection] - META_FIELDS - SERVER_FIELDS.get(collection, frozenset())


def _office(collections: tuple[str, ...]) -> dict[str, frozenset[str]]:
    return {"unit": frozenset({"occupancy"})} | {name: _editable(name) for name in collections}


_OFFICE_COLLECTIONS = (
    "household", "ticket", "ticket_event", "patrol_round", "finding", "vacant_check",
    "visit", "attachment", "conflict",
)

# role -> collection -> fields the role may write (create and update)
WRITABLE: dict[str, dict[str, frozenset[str]]] = {
    "steward": {
        "unit": frozenset({"occupancy"}),
        "household": VISIT_HOUSEHOLD_FIELDS,
        "ticket": frozenset(
            {"kind", "priority", "status", "title", "description", "unit_id", "place",
             "reporter_name", "reporter_phone", "channel", "promised_date", "owner_signed",
             "satisfaction", "source_finding_id", "source_check_id", "source_visit_id"}
        ),
        "ticket_event": _editable("ticket_event"),
        "patrol_round": _editable("patrol_round"),
        "finding": _editable("finding"),
        "vacant_check": _editable("vacant_check"),
        "visit": _editable("visit"),
        "attachment": _editable("attachment"),
    },
    "desk": _office(_OFFICE_COLLECTIONS),
    "manager": _office(_OFFICE_COLLECTIONS),
    "admin": _office(("building", "unit", *_OFFICE_COLLECTIONS)),
}

# role -> collections the role may create
CREATABLE: dict[str, frozenset[str]] = {
    "steward": frozenset(
        {"ticket", "ticket_event", "patrol_round", "finding", "vacant_check", "visit",
         "attachment"}
    ),
    "desk": frozenset(
        {"household", "ticket", "ticket_event", "patrol_round", "finding", "vacant_check",
         "visit", "attachment"}
    ),
}
CREATABLE["manager"] = CREATABLE["desk"]
CREATABLE["admin"] = CREATABLE["desk"] | {"building", "unit"}

# role -> collections the role may delete (tombstone). Tickets are closed, never deleted;
# timeline lines and conflict records are never deleted.
DELETABLE: dict[str, frozenset[str]] = {
    "steward": frozenset({"patrol_round", "finding", "vacant_check", "visit", "attachment"}),
    "desk": frozenset({"patrol_round", "finding", "vacant_check", "visit", "attachment"}),
}
DELETABLE["manager"] = DELETABLE["desk"]
DELETABLE["admin"] = DELETABLE["desk"] | {"building", "unit", "household"}

# Roles that may delete only what they created themselves and nobody else has changed.
DELETE_OWN_ONLY: frozenset[str] = frozenset({"steward"})

# Ticket kinds a role may raise (None: every kind).
TICKET_KINDS: dict[str, frozenset[str]] = {
    "steward": frozenset({"repair", "complaint", "patrol_finding", "vacant_defect"}),
}
# Timeline lines a role may add by hand ("status" lines are made by the server only).
EVENT_TYPES: dict[str, frozenset[str]] = {
    "steward": frozenset({"note", "callback", "sign_off"}),
}
_OFFICE_EVENT_TYPES = frozenset(
    {"note", "callback", "sign_off", "assigned", "promised_date", "escalated"}
)
# Ticket statuses a role may move a ticket into (the desk dispatches and closes).
STATUS_TARGETS: dict[str, frozenset[str]] = {
    "steward": frozenset({"in_progress", "done", "called_back"}),
}

# Fields that point at another record: collection -> field -> target collection.
# (An attachment's parent is named by ``parent_collection`` and handled apart.)
REFERENCES: dict[str, dict[str, str]] = {
    "household": {"unit_id": "unit"},
    "ticket": {"unit_id": "unit", "source_finding_id": "finding",
               "source_check_id": "vacant_check", "source_visit_id": "visit"},
    "ticket_event": {"ticket_id": "ticket"},
    "finding": {"round_id": "patrol_round", "unit_id": "unit", "ticket_id": "ticket"},
    "vacant_check": {"unit_id": "unit"},
    "visit": {"unit_id": "unit", "household_id": "household", "ticket_id": "ticket"},
}
ATTACHMENT_PARENTS: frozenset[str] = frozenset(
    {"ticket", "ticket_event", "finding", "vacant_check", "visit", "household"}
)
# Collections created with an explicit ``building_id`` (a unit's building; a finding in
# a public area names the building it was found in).
GIVEN_BUILDING: frozenset[str] = frozenset({"unit", "finding", "ticket"})


def readable_fields(role: str, collection: str) -> frozenset[str] | None:
    """Fields a role may read in a collection; None when it may not read it at all."""
    if role not in ROLES or collection not in COLLECTIONS:
        return None
    return ALL_FIELDS[collection] - HIDDEN.get(role, {}).get(collection, frozenset())


def redact(role: str, collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with only the fields the role may read (empty when it may read nothing)."""
    fields = readable_fields(role, collection)
    if fields is None:
        return {}
    kept = {key: value for key, value in row.items() if key in fields}
    if collection == "conflict" and row.get("collection") in HIDDEN.get(role, {}):
        kept |= _redact_conflict(HIDDEN[role][row["collection"]], row)
    return kept


def redacts_rows(role: str, collection: str) -> bool:
    """Whether ``redact`` must look inside each row (beyond choosing columns): a conflict
    record can hold values of fields its reader may not see (a household's ID number)."""
    return collection == "conflict" and bool(HIDDEN.get(role))


def _redact_conflict(hidden: frozenset[str], row: dict[str, Any]) -> dict[str, Any]:
    """A conflict's values without the fields the reader may not see in the record."""
    values = {}
    for key in ("kept_value", "lost_value"):
        value = row.get(key)
        if row.get("field") in hidden:
            value = None
        elif isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in hidden}
        values[key] = value
    return values


_NOTHING: frozenset[str] = frozenset()

# role -> collection -> fields the role may change on an existing record
UPDATABLE: dict[str, dict[str, frozenset[str]]] = {
    role: {name: fields - CREATE_ONLY.get(name, _NOTHING)
           for name, fields in tables.items() if name not in APPEND_ONLY}
    for role, tables in WRITABLE.items()
}


def writable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may set when creating or changing a record of the collection."""
    return WRITABLE.get(role, {}).get(collection, _NOTHING)


@cache
def creatable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may give when creating a record: the writable ones, and the
    ``building_id`` of the collections created in a named building (GIVEN_BUILDING)."""
    fields = writable_fields(role, collection)
    return fields | {"building_id"} if collection in GIVEN_BUILDING else fields


def updatable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may change on an existing record (writable minus create-only)."""
    return UPDATABLE.get(role, {}).get(collection, _NOTHING)


def may_create(role: str, collection: str) -> bool:
    return collection in CREATABLE.get(role, frozenset())


def may_delete(role: str, collection: str) -> bool:
    return collection in DELETABLE.get(role, frozenset())


def may_raise(role: str, ticket_kind: str) -> bool:
    kinds = TICKET_KINDS.get(role)
    return kinds is None or ticket_kind in kinds


def may_add_event(role: str, event_type: str) -> bool:
    return event_type in EVENT_TYPES.get(role, _OFFICE_EVENT_TYPES)


def may_set_status(role: str, status: str) -> bool:
    targets = STATUS_TARGETS.get(role)
    return targets is None or status in targets


def in_scope(actor: Actor, row: dict[str, Any]) -> bool:
    """Whether the actor may see and touch a record.

    A steward: records of the assigned buildings, or records without a building (patrol
    rounds) that the steward created. Every other role: everything.
    """
    if actor.role != "steward":
        return True
    building_id = row.get("building_id")
    if building_id is None:
        return row.get("created_by") == actor.user_id
    return building_id in actor.building_ids
