"""Record-level scope from a Principal: one rule for pull, push, attachments, pages and exports.

Route access is ``server.policy.ACCESS``; field-level rules are ``sync.policy``. These helpers
answer "which buildings may this person see" and "may they see owners' personal data", so
that query-layer functions take a plain ``buildings`` filter and pages never re-derive it.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.auth.principal import Principal
from server.errors import ApiError

PERSONAL_DATA_ROLES = frozenset({"desk", "manager", "admin"})
"""Roles that see owners' personal archive data (names, phones, ID numbers, family)."""


def building_filter(principal: Principal) -> frozenset[str] | None:
    """The buildings a query must be limited to, or None for every building.

    A steward sees only their assigned buildings (an empty set when they have none)."""
    return None if principal.sees_all_buildings else principal.building_ids


def in_scope(principal: Principal, building_id: str | None) -> bool:
    return principal.may_see_building(building_id)


def require_building(principal: Principal, building_id: str | None) -> None:
    """Refuse (403 out_of_scope) a record outside the principal's buildings."""
    if not principal.may_see_building(building_id):
        raise ApiError(403, "out_of_scope", "该楼栋不在您的负责范围内 / this building is not assigned to you")


def only_in_scope(principal: Principal, building_ids: Iterable[str | None]) -> list[str | None]:
    """The given building ids the principal may see (order kept)."""
    return [b for b in building_ids if principal.may_see_building(b)]


def sees_personal_data(principal: Principal) -> bool:
    return principal.role in PERSONAL_DATA_ROLES


def may_revoke_device_of(actor: Principal, owner_id: str, owner_role: str) -> bool:
    """Admins revoke any phone, managers their desk staff's and stewards', the desk
    stewards'; everyone may revoke their own."""
    if actor.user_id == owner_id:
        return True
    return owner_role in REVOCABLE_ROLES.get(actor.role, ())


REVOCABLE_ROLES: dict[str, tuple[str, ...]] = {
    "admin": ("steward", "desk", "manager", "admin"),
    "manager": ("steward", "desk"),
    "desk": ("steward",),
    "steward": (),
}
