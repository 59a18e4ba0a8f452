"""The month's KPIs per building and per steward (issue 15): the estate's figure in parts.

A record's building decides where it counts; a steward answers for the buildings assigned
to them (责任楼栋, ``building_assignment``), so a steward's figure is the sum of their
buildings' counts. A building two stewards share counts for both; a building nobody is
assigned to shows under "no steward". Same formulas as the estate figure (``server.store.kpi``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.store import kpi, places
from server.tables import Building, BuildingAssignment, StaffUser
from sync.scope import Scope


class Part(msgspec.Struct, kw_only=True):
    """One row of a breakdown: a building, a steward, or the rest (``id`` None)."""

    id: str | None
    name: str
    kpis: list[kpi.Kpi]
    counts: dict[str, float]
    building_ids: list[str]


class Breakdown(msgspec.Struct, kw_only=True):
    month: str
    estate: list[kpi.Kpi]
    buildings: list[Part]
    stewards: list[Part]
    unassigned: Part | None  # buildings no steward answers for (and records of no building)


async def responsibilities(*, scope: Scope) -> list[dict[str, Any]]:
    """Each active steward assigned to buildings of the scope: id, name and those buildings."""
    building_ids = [b["id"] for b in await places.buildings(scope=scope)]
    if not building_ids:
        return []
    assigned: dict[str, list[str]] = {}
    for row in await BuildingAssignment.select(BuildingAssignment.user_id, BuildingAssignment.building_id).where(
            BuildingAssignment.building_id.is_in(building_ids)):
        assigned.setdefault(row["user_id"], []).append(row["building_id"])
    if not assigned:
        return []
    users = await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.username).where(
        (StaffUser.role == "steward") & (StaffUser.active == True) & StaffUser.id.is_in(sorted(assigned))  # noqa: E712
    ).order_by(StaffUser.username)
    order = {b: n for n, b in enumerate(building_ids)}
    return [{"id": u["id"], "name": u["display_name"], "building_ids": sorted(assigned[u["id"]], key=order.get)}
            for u in users]


async def breakdown(month: str, start: str, end: str, *, scope: Scope,
                    cells: dict[str | None, kpi.Counts] | None = None) -> Breakdown:
    """The month's KPIs of the scope, of each building and of each steward (``cells``: the
    month's counts per building when the caller read them already, with the trend)."""
    if cells is None:
        cells = (await kpi.counts_by_building([(month, start, end)], None, scope=scope))[month]
    buildings = await places.buildings(scope=scope)
    estates = await places.estates(scope=scope)
    if len(estates) > 1:  # 1栋 of two estates: named with their estate
        names = {e["id"]: e["name"] for e in estates}
        estate_of = {b["id"]: b["estate_id"] for b in await Building.select(Building.id, Building.estate_id).where(
            Building.id.is_in([b["id"] for b in buildings] or [""]))}
        buildings = sorted(({**b, "code": f"{names.get(estate_of.get(b['id']), '')} {b['code']}"} for b in buildings),
                           key=lambda b: places.natural(b["code"]))
    empty: dict[str, float] = dict.fromkeys(kpi.COUNTS, 0)
    by_building = [Part(id=b["id"], name=b["code"], counts=cells.get(b["id"], empty),
                        kpis=kpi.kpis_of(cells.get(b["id"], empty)), building_ids=[b["id"]]) for b in buildings]
    stewards = []
    for steward in await responsibilities(scope=scope):
        counts = kpi.total(cells.get(b, empty) for b in steward["building_ids"])
        stewards.append(Part(id=steward["id"], name=steward["name"], counts=counts, kpis=kpi.kpis_of(counts),
                             building_ids=steward["building_ids"]))
    covered = {b for s in stewards for b in s.building_ids}
    rest = [b for b in cells if b not in covered]
    unassigned = None
    if rest:
        counts = kpi.total(cells[b] for b in rest)
        unassigned = Part(id=None, name="", counts=counts, kpis=kpi.kpis_of(counts),
                          building_ids=[b for b in rest if b is not None])
    return Breakdown(month=month, estate=kpi.kpis_of(kpi.total(cells.values())), buildings=by_building,
                     stewards=stewards, unassigned=unassigned)
