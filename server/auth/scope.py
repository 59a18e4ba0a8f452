"""Record-level scope from a Principal: one rule for pull, push, attachments, pages and exports.

Route access is ``server.policy.ACCESS``; what each role sees is ``sync.scope.ROLE_SCOPES``
(``Principal.scope`` builds it; the query layer limits rows with ``server.store.scoping``);
field-level rules are ``sync.policy``. These helpers answer "may this person touch that
record" and "may they see owners' personal data", from the same table: a role not in it
gets nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.auth.principal import Principal
from server.errors import ApiError
from sync import scope as scopes


def require_in_scope(principal: Principal, row: Mapping[str, Any]) -> None:
    """Refuse (403 out_of_scope) a record outside the principal's scope."""
    if not principal.scope.admits(row):
        raise ApiError(403, "out_of_scope", "该记录不在您的负责范围内 / this record is outside your scope")


def sees_personal_data(principal: Principal) -> bool:
    """Whether the role sees owners' personal archive data (names, phones, ID numbers)."""
    return scopes.sees_personal_data(principal.role)


def may_revoke_device_of(actor: Principal, owner_id: str, owner_role: str) -> bool:
    """Admins revoke any phone, managers their desk staff's and stewards', the desk
    stewards'; everyone may revoke their own."""
    if actor.user_id == owner_id:
        return True
    return owner_role in REVOCABLE_ROLES.get(actor.role, ())


REVOCABLE_ROLES: dict[str, tuple[str, ...]] = {
    "admin": ("steward", "desk", "manager", "admin", "engineer"),
    "manager": ("steward", "desk", "engineer"),
    "desk": ("steward", "engineer"),
    "steward": (),
}
