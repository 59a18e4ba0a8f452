"""Who may read, create, change and delete what: tables derived from the specs.

Every table here is computed once from ``sync.specs.REGISTRY`` (one declaration per
collection) and ``sync.scope.ROLE_SCOPES`` (one line per role); nothing is written twice.
Used alike by the pull query, the merge engine, desk pages and exports. The tables are
reproduced in docs/conflicts.md (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sync.scope import OFFICE_ROLES, ROLE_SCOPES, ROLES
from sync.spec import META_FIELDS, NOTHING, Spec
from sync.specs import REGISTRY, SPECS
from sync.storage import Actor

__all__ = [
    "ALL_FIELDS", "APPEND_ONLY", "allows_value", "DELETE_OWN_ONLY", "META_FIELDS", "OFFICE_ROLES",
    "PULLED_COLLECTIONS", "REFERENCES", "ROLES", "SERVER_FIELDS", "creatable_fields",
    "in_scope", "may_create", "may_delete", "readable_fields", "redact", "redacts_rows",
    "spec_of", "updatable_fields", "writable_fields",
]

PULLED_COLLECTIONS: tuple[str, ...] = tuple(spec.name for spec in REGISTRY)
"""What phones pull, in order: reference data first, children after what they point to."""

ALL_FIELDS: Mapping[str, frozenset[str]] = {spec.name: spec.fields for spec in REGISTRY}
SERVER_FIELDS: Mapping[str, frozenset[str]] = {
    spec.name: spec.server_fields for spec in REGISTRY if spec.server_fields}
APPEND_ONLY: frozenset[str] = frozenset(spec.name for spec in REGISTRY if spec.append_only)
REFERENCES: Mapping[str, Mapping[str, str]] = {
    spec.name: spec.references for spec in REGISTRY if spec.references}
DELETE_OWN_ONLY: frozenset[str] = frozenset(
    role for role, rule in ROLE_SCOPES.items() if rule.delete_own_only)


def spec_of(collection: str) -> Spec | None:
    return SPECS.get(collection)


def _table(make: Any) -> dict[str, dict[str, Any]]:
    return {role: {spec.name: make(spec, role) for spec in REGISTRY} for role in ROLES}


# role -> collection -> fields the role may write on create
_WRITABLE = _table(lambda spec, role: spec.writable(role))
# role -> collection -> fields the role may change on an existing record
_UPDATABLE = _table(lambda spec, role: NOTHING if spec.append_only
                    else spec.writable(role) - spec.create_only)
_CREATABLE = _table(lambda spec, role: spec.access_of(role).create)
_DELETABLE = _table(lambda spec, role: spec.access_of(role).delete)
_READABLE = _table(lambda spec, role: spec.fields - spec.access_of(role).hidden
                   if spec.access_of(role).read else None)


def readable_fields(role: str, collection: str) -> frozenset[str] | None:
    """Fields a role may read in a collection; None when it may not read it at all."""
    return _READABLE.get(role, {}).get(collection)


def writable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may set when creating or changing a record of the collection."""
    return _WRITABLE.get(role, {}).get(collection, NOTHING)


@cache
def creatable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may give when creating a record: the writable ones, the
    ``building_id`` of a record created in a named building, the ``estate_id`` of a
    building or of a record that may have no building."""
    fields = writable_fields(role, collection)
    spec = SPECS.get(collection)
    if spec is None:
        return fields
    placement = spec.placement
    if placement.given:
        fields |= {"building_id"}
    if placement.own or placement.unplaced:
        fields |= {"estate_id"}
    return fields


def updatable_fields(role: str, collection: str) -> frozenset[str]:
    """Fields a role may change on an existing record (writable minus create-only)."""
    return _UPDATABLE.get(role, {}).get(collection, NOTHING)


def may_create(role: str, collection: str) -> bool:
    return bool(_CREATABLE.get(role, {}).get(collection))


def may_delete(role: str, collection: str) -> bool:
    return bool(_DELETABLE.get(role, {}).get(collection))


def allows_value(role: str, collection: str, field: str, value: Any, *, create: bool) -> bool:
    """Whether the spec's value rules let ``role`` set ``field`` to ``value`` (on create, or
    on update): the ticket kinds a steward may raise, the statuses it may move a ticket to."""
    spec = SPECS.get(collection)
    if spec is None:
        return False
    return all(rule.allows(role, value) for rule in spec.value_rules
               if rule.field == field and (rule.on_create if create else rule.on_update))


def _hidden(role: str) -> dict[str, frozenset[str]]:
    return {spec.name: spec.access_of(role).hidden for spec in REGISTRY
            if spec.access_of(role).hidden}


_HIDDEN: dict[str, dict[str, frozenset[str]]] = {role: _hidden(role) for role in ROLES}


def redact(role: str, collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with only the fields the role may read (empty when it may read nothing)."""
    fields = readable_fields(role, collection)
    if fields is None:
        return {}
    kept = {key: value for key, value in row.items() if key in fields}
    hidden = _HIDDEN.get(role, {})
    if collection == "conflict" and row.get("collection") in hidden:
        kept |= _redact_conflict(hidden[row["collection"]], row)
    return kept


def redacts_rows(role: str, collection: str) -> bool:
    """Whether ``redact`` must look inside each row (beyond choosing columns): a conflict
    record can hold values of fields its reader may not see (a household's ID number)."""
    return collection == "conflict" and bool(_HIDDEN.get(role))


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


def in_scope(actor: Actor, row: dict[str, Any]) -> bool:
    """Whether the actor may see and touch a record (``sync.scope``: fails closed)."""
    return actor.scope().admits(row)
