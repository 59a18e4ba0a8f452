"""装修: renovation cases and their inspections as the desk reads them, and an estate's own
renovation fees (``estate.renovation_fees``; an estate without its own keeps the handbook's,
``sync.renovation.SEED_FEES``), set by the manager, each change audited. Every read takes
the reader's ``Scope``."""

from __future__ import annotations

from typing import Any

import msgspec

from server.store.evidence import evidence
from server.store.places import codes_of
from server.store.rows import json_value
from server.store.scoping import scope_where
from server.store.terms import keep_own, own_or_seeded
from server.tables import Estate, Household, Renovation, RenovationInspection, Ticket, Unit
from sync.renovation import OPEN_STEPS, SEED_FEES, RenovationFees
from sync.scope import Scope

LIVE = Renovation.deleted == False  # noqa: E712


async def fees_of(estate_id: str) -> tuple[RenovationFees, bool]:
    """The estate's fees and whether they are its own (False: the handbook's)."""
    return await own_or_seeded(estate_id, Estate.renovation_fees, RenovationFees, SEED_FEES)


async def set_fees(estate_id: str, fees: RenovationFees, *, user_id: str, ip: str) -> None:
    """Keep ``fees`` as the estate's own and audit the change: before and after."""
    before, _ = await fees_of(estate_id)
    await keep_own(estate_id, Estate.renovation_fees, fees, action="renovation_fees_change", user_id=user_id, ip=ip,
                   before=msgspec.to_builtins(before), after=msgspec.to_builtins(fees))


def _case(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "papers": json_value(row["papers"]) or []}


async def cases(*, scope: Scope, status: str = "open", building_id: str = "") -> list[dict[str, Any]]:
    """The cases in scope (``open``: not yet refunded; ``all``; or one step), with their
    unit's and building's codes, newest application first."""
    query = Renovation.select().where(LIVE & scope_where(Renovation, scope))
    if status == "open":
        query = query.where(Renovation.status.is_in(sorted(OPEN_STEPS)))
    elif status != "all":
        query = query.where(Renovation.status == status)
    if building_id:
        query = query.where(Renovation.building_id == building_id)
    rows = [_case(r) for r in await query.order_by(Renovation.applied_on, ascending=False).limit(500)]
    return await _with_places(rows, scope)


async def _with_places(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(sorted({r["unit_id"] for r in rows})) & scope_where(Unit, scope))} if rows else {}
    codes = await codes_of({r["building_id"] for r in rows if r["building_id"]})
    return [{**r, "unit_code": units.get(r["unit_id"], ""), "building_code": codes.get(r["building_id"] or "", "")}
            for r in rows]


async def due(until: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The inspections due on or before ``until``: 初验 of completed cases, 复验 of cases
    past 初验, soonest first (``kind`` first or second, ``due``)."""
    rows = await Renovation.select().where(LIVE & scope_where(Renovation, scope) & (
        ((Renovation.status == "completed") & (Renovation.first_due <= until))
        | (Renovation.status.is_in(["first_passed", "passes_returned"]) & (Renovation.second_due <= until))))
    found = [{**_case(r), "kind": "first" if r["status"] == "completed" else "second",
              "due": r["first_due"] if r["status"] == "completed" else r["second_due"]} for r in rows]
    return sorted(await _with_places(found, scope), key=lambda r: r["due"])


async def case(renovation_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One case (every column) with its unit's and building's codes and the photographed
    papers attached to it (``evidence``); None outside ``scope``."""
    row = await Renovation.select().where((Renovation.id == renovation_id) & LIVE
                                          & scope_where(Renovation, scope)).first()
    if row is None:
        return None
    papers = await evidence([("renovation", renovation_id)], scope=scope)
    return {**(await _with_places([_case(row)], scope))[0], "evidence": papers.get(("renovation", renovation_id), [])}


async def of_unit(unit_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The unit's cases, newest first (its archive)."""
    rows = await Renovation.select().where((Renovation.unit_id == unit_id) & LIVE
                                           & scope_where(Renovation, scope)).order_by(Renovation.applied_on,
                                                                                       ascending=False)
    return [_case(r) for r in rows]


async def open_case_of_unit(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The unit's open case (a unit has one at a time), or None."""
    return await Renovation.select(Renovation.id).where(
        (Renovation.unit_id == unit_id) & LIVE & Renovation.status.is_in(sorted(OPEN_STEPS))
        & scope_where(Renovation, scope)).first()


async def inspections(renovation_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The case's inspections, oldest first, each with its photos and signature."""
    rows = await RenovationInspection.select().where(
        (RenovationInspection.renovation_id == renovation_id) & (RenovationInspection.deleted == False)  # noqa: E712
        & scope_where(RenovationInspection, scope)).order_by(RenovationInspection.inspected_at)
    photos = await evidence([("renovation_inspection", r["id"]) for r in rows], scope=scope)
    return [{**r, "results": json_value(r["results"]) or {},
             "evidence": photos.get(("renovation_inspection", r["id"]), [])} for r in rows]


async def unit_for_case(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The unit a new case is for, with its current household (owner's name), in scope."""
    unit = await Unit.select().where((Unit.id == unit_id) & (Unit.deleted == False)  # noqa: E712
                                     & scope_where(Unit, scope)).first()
    if unit is None:
        return None
    household = await Household.select(Household.id, Household.owner_name).where(
        (Household.unit_id == unit_id) & (Household.deleted == False) & Household.ended_on.is_null()  # noqa: E712
        & scope_where(Household, scope)).first()
    return {**unit, "household": household}


async def find_unit(building_id: str, code: str, *, scope: Scope) -> dict[str, Any] | None:
    """A unit by its building and code, in scope."""
    return await Unit.select(Unit.id).where((Unit.building_id == building_id) & (Unit.code == code)
                                            & (Unit.deleted == False) & scope_where(Unit, scope)).first()  # noqa: E712


async def complaints(renovation_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """Neighbours' complaints about the case (``ticket.renovation_id``), oldest first."""
    return await Ticket.select(Ticket.id, Ticket.number, Ticket.title, Ticket.status, Ticket.created_at,
                               Ticket.invalid_category).where(
        (Ticket.renovation_id == renovation_id) & (Ticket.deleted == False)  # noqa: E712
        & scope_where(Ticket, scope)).order_by(Ticket.created_at)
