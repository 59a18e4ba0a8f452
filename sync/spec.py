"""One declaration per synced collection: what a ``Spec`` says, and how a spec is written.

A spec holds everything the merge core, the policy tables and the server need to know
about a collection: its record Struct, where a new record belongs (its building and
estate), what it references, the fields only the server sets, the fields fixed at
creation, whether it is append-only, what each role may read, create, change and delete,
its lifecycle (as data) and the hooks that fill in server columns. Specs are grouped by
capability in ``sync/specs/`` and listed once, in pull order, in ``sync.specs.REGISTRY``;
``sync.policy`` derives its tables from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from schemas.base import Record
from sync.lifecycle import Lifecycle
from sync.scope import ROLE_SCOPES

if TYPE_CHECKING:
    from sync.merge import Context
    from sync.storage import Past

Row = dict[str, Any]
CreateHook = Callable[[Row, "Context"], Row]
"""Fills in the server's columns of a new record (a ticket's number and due times)."""
UpdateHook = Callable[[Row, Row, Row, "Context"], Row]
"""(new row, current row, applied changes, ctx) -> the row to write."""
PastCheck = Callable[[Row, "Past"], "str | None"]
"""(new row, the past of what it names) -> why it is refused (a message code), or None."""

META_FIELDS: frozenset[str] = frozenset(
    {"id", "version", "created_at", "created_by", "updated_at", "updated_by", "deleted",
     "building_id", "estate_id"}
)
"""Columns only the server sets, on every collection (``building_id`` and ``estate_id``
are derived; see ``Placement``)."""

NOTHING: frozenset[str] = frozenset()
EDITABLE: frozenset[str] = frozenset({"*"})
"""``Access.write`` meaning every field a client may set (``Spec.editable``)."""


@dataclass(frozen=True, kw_only=True)
class Access:
    """What one role may do with a collection. ``write`` is every field it may set
    (on create, and on update unless create-only; ``EDITABLE``: all a client may set);
    ``hidden`` the fields it may not read."""

    read: bool = True
    create: bool = False
    write: frozenset[str] = NOTHING
    delete: bool = False
    hidden: frozenset[str] = NOTHING
    # the records the role reads, by the values of one create-only field (an engineer reads
    # the photos of tickets only): create-only, so that no edit moves a record out of view
    # and leaves a stale copy on a phone; None: every record in scope
    only: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where a new record belongs: its building (``building_id``) and its estate.

    - ``own``: the record is a building (``building_id`` is its id; its estate is given).
    - ``by``: reference fields whose target places the record, tried in order (a unit,
      then the records a ticket was raised from); the first one set decides.
    - ``required``: the first of ``by`` must be set (a timeline line's ticket).
    - ``parent``: ``(collection field, id field, allowed collections)`` of a record that
      may hang under several kinds of parent (an attachment).
    - ``given``: the creator may name the building (a public-area finding), checked
      against what ``by`` derives; ``needs_building`` makes it compulsory (a unit).
    - none of these: the record has no building (a patrol round: its scope is its maker);
      its estate is given or the maker's only estate.
    """

    own: bool = False
    by: tuple[str, ...] = ()
    required: bool = False
    parent: tuple[str, str, frozenset[str]] | None = None
    given: bool = False
    needs_building: bool = False

    @property
    def unplaced(self) -> bool:
        """Whether a record may have no building (its estate then comes from its maker)."""
        return not (self.own or self.required or self.parent or self.needs_building)


@dataclass(frozen=True, kw_only=True)
class ValueRule:
    """The values of ``field`` a role may set (roles missing from ``by_role`` take
    ``others``; None means any value), refused with ``code``."""

    field: str
    code: str
    by_role: Mapping[str, frozenset[str]]
    others: frozenset[str] | None = None
    on_create: bool = True
    on_update: bool = False

    def allows(self, role: str, value: Any) -> bool:
        allowed = self.by_role.get(role, self.others)
        return allowed is None or value in allowed


@dataclass(frozen=True, kw_only=True)
class OnlyWhen:
    """``field`` may hold a value (not None) only in records whose ``when_field`` is one of
    ``when_values``, else refused with ``code`` (an invalid-complaint category only on a
    complaint). Checked on create, and on an update that changes either field."""

    field: str
    when_field: str
    when_values: frozenset[str]
    code: str

    def refuses(self, row: Mapping[str, Any]) -> bool:
        return row.get(self.field) is not None and row.get(self.when_field) not in self.when_values


@dataclass(frozen=True, kw_only=True)
class History:
    """A new record is checked against the past of what its ``field`` names (a reading
    against its meter's earlier readings): the engine loads that past (``Storage.history``)
    for the batch's new records, adds the records the batch creates, and ``check`` refuses
    with a message code."""

    field: str
    check: PastCheck


@dataclass(frozen=True, kw_only=True)
class Spec:
    """The declaration of one synced collection (see the module's docstring)."""

    name: str
    record: type[Record]
    capability: str
    placement: Placement
    references: Mapping[str, str] = field(default_factory=dict)
    server_fields: frozenset[str] = NOTHING
    create_only: frozenset[str] = NOTHING
    append_only: bool = False
    # list fields that only grow: a change adds its new items to what the record holds now
    # (a set union), never removes, so two offline edits both count and never conflict
    grow_only: frozenset[str] = NOTHING
    filled_by_maker: tuple[str, ...] = ()  # fields that default to the writer's user id
    owner_field: str | None = None  # the maker named in the record (steward_id)
    access: Mapping[str, Access] = field(default_factory=dict)
    lifecycle: Lifecycle | None = None
    value_rules: tuple[ValueRule, ...] = ()
    only_when: tuple[OnlyWhen, ...] = ()
    on_create: CreateHook | None = None
    on_update: UpdateHook | None = None
    # a new record's number within its estate (工单号): (estate code, n) -> "LJY-000042";
    # the engine counts, per estate, under the write lock
    number: Callable[[str, int], str] | None = None
    # counted once per key (a household once per survey campaign): a new record whose key
    # (these create-only fields) already has a counted record is kept but marked
    # ``duplicate_of`` (a server field) that record: the first by server order counts,
    # whatever the phones' clocks; the engine decides, under the write lock
    once_per: tuple[str, ...] = ()
    # new records are dispatched from the estate's on-duty roster (``sync.dispatch``): the
    # engine reads the rosters under the write lock and passes them in (``Context.rosters``)
    dispatched: bool = False
    history: History | None = None

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(f.name for f in msgspec.structs.fields(self.record))

    @property
    def editable(self) -> frozenset[str]:
        """Every field a client may set (no metadata, no server columns)."""
        return self.fields - META_FIELDS - self.server_fields

    def writable(self, role: str) -> frozenset[str]:
        """Fields the role may set on create (and on update, less the create-only ones)."""
        write = self.access_of(role).write
        return self.editable if write == EDITABLE else write

    def access_of(self, role: str) -> Access:
        """The role's access; a role not in the role table gets none (fails closed), and a
        read-only role (the company's) or a named-only one (an engineer's) syncs only what a
        spec grants it by name."""
        rule = ROLE_SCOPES.get(role)
        if rule is None or ((rule.read_only or rule.named_only) and role not in self.access):
            return NO_ACCESS
        return self.access.get(role, READ_ONLY)


NO_ACCESS = Access(read=False)
READ_ONLY = Access()


def same_for(roles: tuple[str, ...], access: Access) -> dict[str, Access]:
    """One access for several roles (the office roles, say)."""
    return {role: access for role in roles}
