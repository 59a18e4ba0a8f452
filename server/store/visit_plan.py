"""拜访计划 (应会 1.4, issue 17): each month a steward's plan of households to visit and why,
proposed at the desk and approved by the manager. An approved line is a planned ``visit``
of the same id (made by ``server.desk.visit_plan`` through the merge), so it reaches the
steward's phone; a line is done when that visit is done, or when the steward recorded any
doorstep visit to the unit in the month.
"""

from __future__ import annotations

from typing import Any

from piccolo.query.mixins import OnConflictAction

from server.clock import now_iso
from server.store.archive import CURRENT
from server.store.scoping import scope_where
from server.tables import Household, Ticket, Unit, Visit, VisitPlanItem
from sync.scope import Scope

LOW_RATING = 3
"""A visit rated at or below this (of 5) puts the household on next month's suggestions."""


async def items(steward_id: str, month: str, start: str, end: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The plan's lines, each with its unit code, owner, and whether it is done."""
    rows = await VisitPlanItem.select().where(
        (VisitPlanItem.steward_id == steward_id) & (VisitPlanItem.month == month)
        & scope_where(VisitPlanItem, scope)).order_by(VisitPlanItem.proposed_at)
    unit_ids = sorted({r["unit_id"] for r in rows}) or [""]
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(Unit.id.is_in(unit_ids))}
    owners = {h["unit_id"]: h["owner_name"] for h in await Household.select(
        Household.unit_id, Household.owner_name).where(Household.unit_id.is_in(unit_ids) & CURRENT)}
    done = await _done(steward_id, [r["id"] for r in rows], unit_ids, start, end, scope=scope)
    for r in rows:
        r.update(unit_code=units.get(r["unit_id"], ""), owner_name=owners.get(r["unit_id"], ""),
                 done=r["status"] == "approved" and (r["id"] in done or r["unit_id"] in done))
    return rows


async def _done(steward_id: str, item_ids: list[str], unit_ids: list[str], start: str, end: str,
                *, scope: Scope) -> set[str]:
    """The plan's visit ids that are done, and the units the steward visited in [start, end)."""
    rows = await Visit.select(Visit.id, Visit.unit_id, Visit.visited_at).where(
        (Visit.steward_id == steward_id) & (Visit.status == "done") & (Visit.deleted == False)  # noqa: E712
        & (Visit.id.is_in(item_ids or [""]) | Visit.unit_id.is_in(unit_ids)) & scope_where(Visit, scope))
    return {r["id"] for r in rows} | {r["unit_id"] for r in rows if r["visited_at"] and start <= r["visited_at"] < end}


async def completion(month: str, start: str, end: str, steward_ids: list[str], *, scope: Scope) -> dict[str, dict[str, int]]:
    """Per steward: lines proposed, approved, and approved lines done."""
    out: dict[str, dict[str, int]] = {}
    for steward_id in steward_ids:
        rows = await items(steward_id, month, start, end, scope=scope)
        out[steward_id] = {"proposed": sum(r["status"] == "proposed" for r in rows),
                           "approved": sum(r["status"] == "approved" for r in rows),
                           "done": sum(r["done"] for r in rows)}
    return out


async def add(lines: list[dict[str, Any]], *, proposed_by: str, scope: Scope) -> int:
    """Propose ``lines`` (``id``, ``steward_id``, ``month``, ``unit_id``, ``reason``); a unit
    outside the scope or already on the steward's plan of the month is left out. Returns
    the lines added."""
    unit_ids = sorted({line["unit_id"] for line in lines}) or [""]
    units = {u["id"]: u for u in await Unit.select(Unit.id, Unit.building_id, Unit.estate_id).where(
        Unit.id.is_in(unit_ids) & (Unit.deleted == False) & scope_where(Unit, scope))}  # noqa: E712
    households = {h["unit_id"]: h["id"] for h in await Household.select(Household.id, Household.unit_id).where(
        Household.unit_id.is_in(unit_ids) & CURRENT & (Household.deleted == False))}  # noqa: E712
    rows = [VisitPlanItem(id=line["id"], estate_id=units[line["unit_id"]]["estate_id"],
                          building_id=units[line["unit_id"]]["building_id"], steward_id=line["steward_id"],
                          month=line["month"], unit_id=line["unit_id"], household_id=households.get(line["unit_id"]),
                          reason=line["reason"], status="proposed", proposed_by=proposed_by, proposed_at=now_iso())
            for line in lines if line["unit_id"] in units]
    if not rows:
        return 0
    before = await VisitPlanItem.count().where(scope_where(VisitPlanItem, scope))
    await VisitPlanItem.insert(*rows).on_conflict(action=OnConflictAction.do_nothing)
    return await VisitPlanItem.count().where(scope_where(VisitPlanItem, scope)) - before


async def remove(item_id: str, *, scope: Scope) -> bool:
    """Take a proposed line off the plan (an approved one stays: its visit is on the phone)."""
    found = await VisitPlanItem.exists().where((VisitPlanItem.id == item_id) & (VisitPlanItem.status == "proposed")
                                               & scope_where(VisitPlanItem, scope))
    if found:
        await VisitPlanItem.delete().where((VisitPlanItem.id == item_id) & (VisitPlanItem.status == "proposed"))
    return found


async def proposed(steward_id: str, month: str, *, scope: Scope) -> list[dict[str, Any]]:
    return await VisitPlanItem.select().where(
        (VisitPlanItem.steward_id == steward_id) & (VisitPlanItem.month == month)
        & (VisitPlanItem.status == "proposed") & scope_where(VisitPlanItem, scope))


async def existing_visits(ids: list[str], *, scope: Scope) -> set[str]:
    """Of ``ids``, those already made as visits (an approval retried after its visits were made)."""
    return {v["id"] for v in await Visit.select(Visit.id).where(Visit.id.is_in(ids or [""]) & scope_where(Visit, scope))}


async def mark_approved(ids: list[str], approved_by: str, *, scope: Scope) -> None:
    await VisitPlanItem.update({VisitPlanItem.status: "approved", VisitPlanItem.approved_by: approved_by,
                                VisitPlanItem.approved_at: now_iso()}).where(
        VisitPlanItem.id.is_in(ids or [""]) & scope_where(VisitPlanItem, scope))


async def low_rated_units(since: str, *, scope: Scope) -> set[str]:
    """Units whose latest rated visit since ``since`` was rated ``LOW_RATING`` or less."""
    latest: dict[str, tuple[str, int]] = {}
    for v in await Visit.select(Visit.unit_id, Visit.visited_at, Visit.satisfaction).where(
            (Visit.satisfaction.is_not_null()) & (Visit.visited_at >= since) & (Visit.deleted == False)  # noqa: E712
            & scope_where(Visit, scope)):
        if v["unit_id"] not in latest or latest[v["unit_id"]][0] < v["visited_at"]:
            latest[v["unit_id"]] = (v["visited_at"], v["satisfaction"])
    return {u for u, (_, score) in latest.items() if score <= LOW_RATING}


async def complained_units(since: str, *, scope: Scope) -> set[str]:
    """Units with a complaint received since ``since``."""
    return {t["unit_id"] for t in await Ticket.select(Ticket.unit_id).where(
        (Ticket.kind == "complaint") & (Ticket.created_at >= since) & Ticket.unit_id.is_not_null()
        & (Ticket.deleted == False) & scope_where(Ticket, scope))}  # noqa: E712
