"""The estate's structure as the desk's pages name it: the buildings of a scope, their
codes, and the order people expect ("2栋" before "10栋")."""

from __future__ import annotations

import re
from typing import Any

from server.store.scoping import scope_where
from server.tables import Building, Estate
from sync.scope import Scope


async def buildings(*, scope: Scope) -> list[dict[str, Any]]:
    """The buildings of the scope (filters, selects), 2栋 before 10栋."""
    rows = await Building.select(Building.id, Building.code, Building.name, Building.floors).where(
        (Building.deleted == False) & scope_where(Building, scope))  # noqa: E712
    return sorted(rows, key=lambda b: natural(b["code"]))


def natural(code: str) -> tuple[Any, ...]:
    """Sort key comparing the numbers in a code as numbers ("2栋" < "10栋")."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", code or ""))


async def building_codes(*, scope: Scope) -> dict[str, str]:
    return {b["id"]: b["code"] for b in await buildings(scope=scope)}


async def codes_of(building_ids: set[str]) -> dict[str, str]:
    """Codes of the buildings named by rows already read in scope (a look-up by id)."""
    if not building_ids:
        return {}
    return {b["id"]: b["code"] for b in await Building.select(Building.id, Building.code).where(
        Building.id.is_in(sorted(building_ids)))}


async def all_estates_scope() -> Scope:
    """Every estate of the deployment: the system's own jobs (the escalation sweep), never a
    person's scope."""
    return Scope(estates=frozenset(e["id"] for e in await Estate.select(Estate.id)), buildings=None)


async def estates(*, scope: Scope) -> list[dict[str, Any]]:
    """The estates of the scope (id, code, name), by code."""
    if not scope.estates:
        return []
    return await Estate.select(Estate.id, Estate.code, Estate.name).where(
        Estate.id.is_in(sorted(scope.estates))).order_by(Estate.code)
