"""The scope helpers every page, export and query share (server.auth.scope)."""

from __future__ import annotations

import pytest

from server.auth.principal import Principal
from server.auth.scope import may_revoke_device_of, require_in_scope, sees_personal_data
from server.errors import ApiError


def who(role: str, buildings: tuple[str, ...] = (), user_id: str = "u1",
        estates: tuple[str, ...] = ("e1",)) -> Principal:
    return Principal(user_id=user_id, username=user_id, display_name=user_id, role=role,  # type: ignore[arg-type]
                     building_ids=frozenset(buildings), estate_ids=frozenset(estates))


def row(building: str | None, estate: str | None = "e1", by: str = "x") -> dict:
    return {"building_id": building, "estate_id": estate, "created_by": by}


def test_stewards_are_limited_to_their_buildings_and_office_roles_to_their_estates() -> None:
    """Since issue 11 an office role sees its estates, not everything."""
    steward = who("steward", ("b1",))
    assert steward.scope.buildings == frozenset({"b1"})
    assert who("steward").scope.buildings == frozenset()  # no assignment: nothing, not everything
    for role in ("desk", "manager", "admin"):
        office = who(role)
        assert office.scope.whole_estates and office.scope.admits(row("b9"))
        assert not office.scope.admits(row("b9", "e2")) and not who(role, estates=()).scope.admits(row("b9"))
    assert steward.scope.admits(row("b1")) and not steward.scope.admits(row("b2"))
    assert not steward.scope.admits(row(None)) and steward.scope.admits(row(None, by="u1"))
    require_in_scope(steward, row("b1"))
    with pytest.raises(ApiError) as refused:
        require_in_scope(steward, row("b2"))
    assert refused.value.status == 403 and refused.value.code == "out_of_scope"


def test_a_role_the_role_table_does_not_know_sees_nothing() -> None:
    gardener = who("gardener", ("b1",))
    assert gardener.scope.empty and not gardener.scope.admits(row("b1"))
    assert not sees_personal_data(gardener)


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
