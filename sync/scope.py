"""What a person may see: one table of roles, and the scope each role's members get.

Every place that decides what a user sees (pull, push, attachments, desk pages, exports,
KPIs) asks this module, and it fails closed: a role missing from ``ROLE_SCOPES`` sees
nothing, a person with no estate sees nothing, and an office role sees only its estates.

- ``buildings``: a steward (楼管/管家) sees the records of the assigned buildings, and the
  records without a building that they created themselves (patrol rounds).
- ``estates``: the desk, the manager and the admin see every record of their estates.
- an engineer (维修工, 工程部) works in estates too, but syncs only the collections a spec
  grants it by name (``named_only``): tickets, their timelines and photos, the buildings
  and units that place them; never the household archive, patrols, visits or vacant checks.

Pure data and small functions: the server builds a ``Scope`` from a principal, the merge
engine checks rows against the ``Actor`` it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

ScopeKind = Literal["buildings", "estates"]


class RoleScope(msgspec.Struct, frozen=True, kw_only=True):
    """How far a role sees, and what it may touch of others' work."""

    kind: ScopeKind
    own_records_only: bool = False  # may create records only in its own name (steward_id…)
    delete_own_only: bool = False  # may delete only what it made and nobody else changed
    personal_data: bool = False  # sees owners' personal archive data (names, ID numbers…)
    every_estate: bool = False  # works in every estate of the deployment (the company's own staff)
    read_only: bool = False  # reads, never writes (not an office role: no spec grants it a write)
    named_only: bool = False  # syncs only the collections a spec grants it by name (not an office role)


ROLE_SCOPES: Mapping[str, RoleScope] = {
    "steward": RoleScope(kind="buildings", own_records_only=True, delete_own_only=True),
    "desk": RoleScope(kind="estates", personal_data=True),
    "manager": RoleScope(kind="estates", personal_data=True),
    "admin": RoleScope(kind="estates", personal_data=True),
    # 公司品质部 / regional manager: every estate, read-only (no spec grants it a write), the
    # KPIs side by side; no owners' personal data
    "company": RoleScope(kind="estates", every_estate=True, read_only=True),
    # 维修工 (工程部: 水电班, 土建, 电梯维保, 弱电): the work orders of their estates, on the
    # phone; the specs name what it reads and writes (tickets, their timelines and photos)
    "engineer": RoleScope(kind="estates", named_only=True),
}
"""The one table of roles. A role not here has no scope: it reads and writes nothing."""

ROLES: tuple[str, ...] = tuple(ROLE_SCOPES)
WRITING_ROLES: tuple[str, ...] = tuple(
    r for r, s in ROLE_SCOPES.items() if not s.read_only and not s.named_only)
"""The roles a spec grants field work to as a group (``same_for``): never a read-only role,
nor one that syncs only what a spec names (an engineer is named where it writes)."""
OFFICE_ROLES: frozenset[str] = frozenset(
    r for r, s in ROLE_SCOPES.items() if s.kind == "estates" and not s.read_only
    and not s.named_only)
"""The roles of an estate's office (desk, manager, admin): they work in the estates given them."""
ESTATE_LIST_ROLES: frozenset[str] = frozenset(
    r for r, s in ROLE_SCOPES.items() if s.kind == "estates" and not s.every_estate)
"""The roles whose estates are listed per person (``staff_estate``): the office's and the
engineers'; a steward's estates are its buildings', the company's every estate."""


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """The rows a person may see. ``estates`` always bounds it; ``buildings`` None means
    every building of those estates; ``own_user`` adds the rows without a building that
    this user created. The empty scope (the default) admits nothing."""

    estates: frozenset[str] = frozenset()
    buildings: frozenset[str] | None = frozenset()
    own_user: str | None = None

    @property
    def whole_estates(self) -> bool:
        """Whether the scope is every building of its estates (an office role)."""
        return self.buildings is None

    @property
    def empty(self) -> bool:
        return not self.estates and not self.buildings and self.own_user is None

    def admits(self, row: Mapping[str, Any]) -> bool:
        """Whether a record (its ``estate_id``, ``building_id`` and ``created_by``) is in scope."""
        if self.buildings is None:
            return row.get("estate_id") in self.estates
        building_id = row.get("building_id")
        if building_id is None:
            return self.own_user is not None and row.get("created_by") == self.own_user
        return building_id in self.buildings

    def admits_building(self, building_id: str | None, estate_id: str | None) -> bool:
        """Whether a building (or a record placed in it) is in scope."""
        if self.buildings is None:
            return estate_id in self.estates
        return building_id is not None and building_id in self.buildings

    def admits_estate(self, estate_id: str | None) -> bool:
        return estate_id is not None and estate_id in self.estates


NOTHING = Scope()


def scope_of(role: str, user_id: str, *, estate_ids: Iterable[str] = (),
             building_ids: Iterable[str] = ()) -> Scope:
    """The scope of a person from the role table (``NOTHING`` for a role not in it)."""
    rule = ROLE_SCOPES.get(role)
    if rule is None:
        return NOTHING
    if rule.kind == "buildings":
        return Scope(estates=frozenset(estate_ids), buildings=frozenset(building_ids),
                     own_user=user_id)
    return Scope(estates=frozenset(estate_ids), buildings=None)


def by_building(role: str) -> bool:
    """Whether the role works in assigned buildings (a steward) rather than estates."""
    rule = ROLE_SCOPES.get(role)
    return rule is not None and rule.kind == "buildings"


def rule_of(role: str) -> RoleScope | None:
    return ROLE_SCOPES.get(role)


def sees_personal_data(role: str) -> bool:
    rule = ROLE_SCOPES.get(role)
    return rule is not None and rule.personal_data
