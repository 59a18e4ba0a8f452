"""The scope helpers every page, export and query share (server.auth.scope)."""

from __future__ import annotations

import pytest

from server.auth.principal import Principal
from server.auth.scope import (
    building_filter, in_scope, may_revoke_device_of, only_in_scope, require_building, sees_personal_data,
)
from server.errors import ApiError


def who(role: str, buildings: tuple[str, ...] = (), user_id: str = "u1") -> Principal:
    return Principal(user_id=user_id, username=user_id, display_name=user_id, role=role,  # type: ignore[arg-type]
                     building_ids=frozenset(buildings))


def test_stewards_are_limited_to_their_buildings_and_office_roles_are_not() -> None:
    steward = who("steward", ("b1",))
    assert building_filter(steward) == frozenset({"b1"})
    assert building_filter(who("steward")) == frozenset()  # no assignment: nothing, not everything
    assert all(building_filter(who(role)) is None for role in ("desk", "manager", "admin"))
    assert in_scope(steward, "b1") and not in_scope(steward, "b2") and not in_scope(steward, None)
    assert only_in_scope(steward, ["b2", "b1", None]) == ["b1"]
    require_building(steward, "b1")
    with pytest.raises(ApiError) as refused:
        require_building(steward, "b2")
    assert refused.value.status == 403 and refused.value.code == "out_of_scope"


def test_personal_data_is_for_the_office() -> None:
    assert not sees_personal_data(who("steward", ("b1",)))
    assert all(sees_personal_data(who(role)) for role in ("desk", "manager", "admin"))


@pytest.mark.parametrize("actor,owner_role,allowed", [
    ("admin", "admin", True), ("admin", "manager", True), ("manager", "desk", True),
    ("manager", "steward", True), ("manager", "manager", False), ("desk", "steward", True),
    ("desk", "desk", False), ("desk", "manager", False), ("steward", "steward", False),
])
def test_who_may_revoke_whose_phone(actor: str, owner_role: str, allowed: bool) -> None:
    assert may_revoke_device_of(who(actor), "someone-else", owner_role) is allowed
    assert may_revoke_device_of(who(actor, user_id="me"), "me", actor)  # one's own phone, always
