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
from sync.specs import REGISTRY, SPECS, estate
from sync.storage import Actor

__all__ = [
    "ALL_FIELDS", "APPEND_ONLY", "allows_value", "DELETE_OWN_ONLY", "MASKED_FIELDS", "META_FIELDS",
    "OFFICE_ROLES", "PERSONAL", "PULLED_COLLECTIONS", "REFERENCES", "ROLES", "SERVER_FIELDS",
    "creatable_fields", "in_scope", "mask", "masked_fields", "masked_view", "masks_rows",
    "may_create", "may_delete", "personal_records", "phone_refusal", "readable_fields", "redact",
    "redacts_rows", "row_filter", "spec_of", "updatable_fields", "writable_fields",
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


def row_filter(role: str, collection: str) -> tuple[str, frozenset[str]] | None:
    """The records of a collection a role reads, beyond its scope: ``(field, values)`` (an
    engineer reads the photos of tickets only), or None for every record in scope."""
    spec = SPECS.get(collection)
    return None if spec is None else spec.access_of(role).only


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
    if collection == "conflict" and isinstance(row.get("collection"), str):
        about = row["collection"]
        if readable_fields(role, about) is None:  # values of records the role may not read
            kept |= {"kept_value": None, "lost_value": None}
        elif about in _HIDDEN.get(role, {}):
            kept |= _redact_conflict(_HIDDEN[role][about], row)
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


# --- masked fields: what leaves the desk's audited reveal ------------------------------------

MASKED_FIELDS: Mapping[str, frozenset[str]] = {estate.HOUSEHOLD.name: estate.MASKED}
"""Fields shown masked (the last four characters) to every role that may read them, on
every page, export and phone; the whole value only through the desk's audited reveal. A
phone may not write them (``phone_refusal``): the mask never comes back as a change."""

PERSONAL: frozenset[str] = frozenset({estate.HOUSEHOLD.name})
"""Collections whose records are owners' personal data (the household archive): reading
one, or a conflict record about one, is an audited archive read."""


def masked_fields(collection: str) -> frozenset[str]:
    return MASKED_FIELDS.get(collection, NOTHING)


def mask(value: Any) -> Any:
    """``330106198001011234`` → ``**************1234`` (empty values stay as they are)."""
    if not value:
        return value
    text = str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def masks_rows(role: str, collection: str) -> bool:
    """Whether ``masked_view`` changes rows of the collection for the role: it reads a
    masked field, or the collection is the conflicts (values of any record inside)."""
    fields = readable_fields(role, collection)
    if fields is None:
        return False
    return collection == "conflict" or bool(masked_fields(collection) & fields)


def masked_view(role: str, collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row as ``role`` sees it on a phone, a page or an export: only the fields it may
    read (``redact``), the masked ones masked, also inside a conflict's values."""
    kept = redact(role, collection, row)
    kept |= {f: mask(kept[f]) for f in masked_fields(collection) if f in kept}
    if collection == "conflict" and (masked := masked_fields(str(kept.get("collection")))):
        for key in ("kept_value", "lost_value"):
            value = kept.get(key)
            if kept.get("field") in masked:
                kept[key] = mask(value)
            elif isinstance(value, dict):
                kept[key] = {k: mask(v) if k in masked else v for k, v in value.items()}
    return kept


def personal_records(collection: str, rows: list[dict[str, Any]]) -> list[str]:
    """The ids of the records among ``rows`` that carry owners' personal data: records of
    a ``PERSONAL`` collection, and conflict records about one that show any value."""
    if collection in PERSONAL:
        return [str(r.get("id")) for r in rows]
    if collection == "conflict":
        return [str(r.get("record_id")) for r in rows if r.get("collection") in PERSONAL
                and (r.get("kept_value") is not None or r.get("lost_value") is not None)]
    return []


def phone_refusal(actor: Actor, collection: str, fields: Mapping[str, Any]) -> str | None:
    """The masked fields among those a phone sets (comma-separated: the detail of a
    ``field_not_writable`` refusal), or None. A phone reads a masked field only as its mask,
    so it may not write it: the mask can never overwrite the value behind it."""
    if actor.device_id is None:
        return None
    written = sorted(set(fields) & masked_fields(collection))
    return ", ".join(written) or None


def in_scope(actor: Actor, row: dict[str, Any]) -> bool:
    """Whether the actor may see and touch a record (``sync.scope``: fails closed)."""
    return actor.scope().admits(row)
