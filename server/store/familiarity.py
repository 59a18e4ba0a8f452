"""业主熟知 (issue 17): how complete each household's record is in a scope (a steward's
buildings or the office's estates), its customer class and key-customer mark, and the
estate's 熟知率 / 满意率 targets (``estate.familiarity``, set by the manager on the 熟知目标
page, each change audited; an estate without its own keeps ``sync.familiarity.SEED_TARGETS``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from server.store import places
from server.store.archive import CURRENT
from server.store.places import codes_of, natural
from server.store.scoping import scope_where
from server.store.terms import keep_own, own_or_seeded
from server.tables import BuildingAssignment, Estate, Household, StaffUser, Unit
from sync import familiarity
from sync.familiarity import SEED_TARGETS, Targets
from sync.scope import Scope

ARCHIVE_COLUMNS = ("id", "unit_id", "building_id", "estate_id", "owner_name", "owner_class",
                   "key_customer_reason", "move_in_date", *familiarity.RECORD_FIELDS)


async def of_estate(estate_id: str) -> tuple[Targets, bool]:
    """The estate's targets and whether they are its own (False: the handbook's reading)."""
    return await own_or_seeded(estate_id, Estate.familiarity, Targets, SEED_TARGETS)


async def set_targets(estate_id: str, targets: Targets, *, user_id: str, ip: str) -> None:
    """Keep ``targets`` as the estate's own and audit the change: before and after."""
    before, _ = await of_estate(estate_id)
    await keep_own(estate_id, Estate.familiarity, targets, action="familiarity_targets_change", user_id=user_id,
                   ip=ip, before=msgspec.to_builtins(before.classes), after=msgspec.to_builtins(targets.classes))


async def stewards(*, scope: Scope) -> list[dict[str, Any]]:
    """The active stewards with a building in the scope, each with those buildings' ids."""
    inside = sorted(b["id"] for b in await places.buildings(scope=scope))
    rows = await BuildingAssignment.select(BuildingAssignment.user_id, BuildingAssignment.building_id).where(
        BuildingAssignment.building_id.is_in(inside or [""]))
    buildings: dict[str, set[str]] = {}
    for r in rows:
        buildings.setdefault(r["user_id"], set()).add(r["building_id"])
    if not buildings:
        return []
    users = await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.created_at).where(
        (StaffUser.role == "steward") & (StaffUser.active == True)  # noqa: E712
        & StaffUser.id.is_in(sorted(buildings))).order_by(StaffUser.display_name)
    return [{**u, "buildings": frozenset(buildings[u["id"]])} for u in users]


def narrowed(scope: Scope, buildings: frozenset[str]) -> Scope:
    """``scope`` limited to ``buildings`` (a steward's): never wider than ``scope``."""
    inside = buildings if scope.buildings is None else buildings & scope.buildings
    return Scope(estates=scope.estates, buildings=frozenset(inside))


async def households(on: date, *, scope: Scope) -> list[dict[str, Any]]:
    """The current households of the scope, unit by unit: each with its unit and building
    code, its completeness (a percentage), the fields it lacks, its customer class on
    ``on`` and whether it is a key customer."""
    rows = await Household.select(*(getattr(Household, c) for c in ARCHIVE_COLUMNS)).where(
        (Household.deleted == False) & CURRENT & scope_where(Household, scope))  # noqa: E712
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(sorted({r["unit_id"] for r in rows}) or [""]))}
    codes = await codes_of({r["building_id"] for r in rows if r["building_id"]})
    for r in rows:
        move_in = date.fromisoformat(r["move_in_date"]) if r["move_in_date"] else None
        r.update(unit_code=units.get(r["unit_id"], ""), building_code=codes.get(r["building_id"], ""),
                 completeness=familiarity.completeness(r), missing=familiarity.missing_fields(r),
                 customer_class=familiarity.customer_class(move_in, on), key=familiarity.is_key(r))
    return sorted(rows, key=lambda r: (natural(r["building_code"]), natural(r["unit_code"])))


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A scope's record completeness: households, complete records, the mean completeness,
    households per customer class, key customers."""
    classes = {c: 0 for c in (*familiarity.CUSTOMER_CLASSES, None)}
    for r in rows:
        classes[r["customer_class"]] += 1
    return {"households": len(rows), "complete": sum(r["completeness"] == 100 for r in rows),
            "completeness": round(sum(r["completeness"] for r in rows) / len(rows)) if rows else None,
            "classes": classes, "key": sum(r["key"] for r in rows)}
