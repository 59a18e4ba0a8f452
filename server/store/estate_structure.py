"""The estate's structure for the desk: buildings (楼栋) and their units (房屋), with each
unit's current household. Every read takes the reader's ``Scope``; writes go through the
sync merge (``server.writes``), never through here."""

from __future__ import annotations

from typing import Any

from server.store.archive import CURRENT
from server.store import places
from server.store.places import natural
from server.store.scoping import scope_where
from server.tables import Building, Household, Unit
from sync.scope import Scope


async def buildings(*, scope: Scope) -> list[dict[str, Any]]:
    """Every building of the scope with its unit counts by occupancy, 2栋 before 10栋."""
    rows = await Building.select().where((Building.deleted == False) & scope_where(Building, scope))  # noqa: E712
    counts: dict[str, dict[str, int]] = {}
    for unit in await Unit.select(Unit.building_id, Unit.occupancy).where(
            (Unit.deleted == False) & scope_where(Unit, scope)):  # noqa: E712
        by = counts.setdefault(unit["building_id"], {})
        by[unit["occupancy"]] = by.get(unit["occupancy"], 0) + 1
    names = {e["id"]: e["name"] for e in await places.estates(scope=scope)}
    return sorted(({**b, "units": sum(counts.get(b["id"], {}).values()), "by_occupancy": counts.get(b["id"], {}),
                    "estate_name": names.get(b["estate_id"], "")} for b in rows),
                  key=lambda b: (b["estate_name"], natural(b["code"])))


async def building(building_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One live building (every column); None when missing or outside ``scope``."""
    return await Building.select().where(
        (Building.id == building_id) & (Building.deleted == False) & scope_where(Building, scope)).first()  # noqa: E712


async def units(building_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The building's live units in code order, each with its current owner's name."""
    rows = await Unit.select().where(
        (Unit.building_id == building_id) & (Unit.deleted == False) & scope_where(Unit, scope))  # noqa: E712
    owners = {h["unit_id"]: h["owner_name"] for h in await Household.select(
        Household.unit_id, Household.owner_name).where(
        (Household.building_id == building_id) & (Household.deleted == False) & CURRENT  # noqa: E712
        & scope_where(Household, scope)).order_by(Household.created_at)}
    return sorted(({**u, "owner_name": owners.get(u["id"])} for u in rows), key=lambda u: natural(u["code"]))


async def unit(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One live unit (every column); None when missing or outside ``scope``."""
    return await Unit.select().where(
        (Unit.id == unit_id) & (Unit.deleted == False) & scope_where(Unit, scope)).first()  # noqa: E712


async def building_code_taken(estate_id: str, code: str, *, scope: Scope, but: str | None = None) -> bool:
    """Whether another live building of the estate has this code (the ledger's natural key)."""
    found = await Building.select(Building.id).where(
        (Building.estate_id == estate_id) & (Building.code == code) & (Building.deleted == False)  # noqa: E712
        & scope_where(Building, scope))
    return any(b["id"] != but for b in found)


async def unit_code_taken(building_id: str, code: str, *, scope: Scope) -> bool:
    """Whether a live unit of the building already has this code."""
    return await Unit.exists().where(
        (Unit.building_id == building_id) & (Unit.code == code) & (Unit.deleted == False)  # noqa: E712
        & scope_where(Unit, scope))
