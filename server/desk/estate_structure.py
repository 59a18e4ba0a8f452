"""The estate's structure at the desk: buildings (楼栋), units (房屋) and households (业户).

Every write here is a mutation through the sync merge and the change log (``server.writes``),
so the phones in scope pull it and a concurrent field edit becomes a conflict record.

- Buildings and units are added and edited by the manager and the admin (the spec's
  ``Access``); the desk marks a unit occupied, vacant or renovating.
- A household is edited in place for corrections; a change of owner (过户) or of tenant
  ends the current household (``ended_on``, ``end_reason``) and starts the unit's next one
  in the same transaction. The next household's id is derived from the one it follows, so
  two clerks recording the same change cannot give a unit two current households: the
  second create meets the first (a ``create_exists`` conflict), and the end itself is a
  field conflict, both kept for the conflicts inbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server import writes
from server.desk.archive import unit_context
from server.desk.common import DeskRequest, after_write, base_context, local_today, render
from server.desk.estate_forms import (
    HOUSEHOLD_EDITABLE,
    BuildingForm,
    ChangeForm,
    HouseholdForm,
    NewBuildingForm,
    NewUnitForm,
    OccupancyForm,
    UnitForm,
    Versioned,
    co_residents_of,
    convert,
    edit,
    form_values,
    parse_day,
)
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.ids import next_household_id
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import archive as households
from server.store import estate_structure as store
from server.store import places
from server.store.rows import json_value

grant({  # who may open this module's routes (server.policy.ACCESS); the merge checks the spec too
    "desk.estate": OFFICE,
    "desk.building": OFFICE,
    "desk.building_add": MANAGEMENT,
    "desk.building_edit": MANAGEMENT,
    "desk.unit_add": MANAGEMENT,
    "desk.unit_edit": MANAGEMENT,
    "desk.unit_occupancy": OFFICE,
    "desk.household_add": OFFICE,
    "desk.household_edit": OFFICE,
    "desk.household_change": OFFICE,
})

OWNER_FIELDS = ("owner_name", "owner_phone", "owner_id_number", "owner_class", "known_by_steward", "opinions")
"""What a tenant change carries over from the ended household to the next (the owner's)."""


# --- buildings ---------------------------------------------------------------------------


async def estate_context(request: DeskRequest, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    return {"buildings": await store.buildings(scope=scope), "estates": await places.estates(scope=scope), **extra}


@get("/desk/estate", name="desk.estate", include_in_schema=False)
async def estate_page(request: DeskRequest) -> Template:
    return render(request, "estate.html", "_estate_buildings.html", await estate_context(request))


@post("/desk/estate/buildings", name="desk.building_add", include_in_schema=False)
async def building_add(request: DeskRequest) -> Redirect | Template:
    form = convert(await form_values(request), NewBuildingForm)
    estates = sorted(request.user.estate_ids)
    estate_id = form.estate_id or (estates[0] if len(estates) == 1 else None)
    if estate_id is None or estate_id not in request.user.estate_ids:
        raise ApiError(422, "estate_required", "请选择楼栋所属的项目 / choose the building's estate")
    if await store.building_code_taken(estate_id, form.code, scope=request.user.scope):
        raise ApiError(409, "building_code_taken", f"楼栋编号 {form.code} 已存在 / building code {form.code} exists")
    fields = {k: v for k, v in msgspec.structs.asdict(form).items() if k != "estate_id"}
    building_id = writes.new_id()
    await writes.apply(request.user, [writes.create("building", {**fields, "estate_id": estate_id},
                                                    record_id=building_id)])
    redirect = after_write(request, f"/desk/estate/buildings/{building_id}")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_estate_buildings.html",
                    context={**base_context(request), **await estate_context(request, saved=form.code)})


async def building_context(request: DeskRequest, building_id: str, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    found = await store.building(building_id, scope=scope)
    if found is None:
        raise ApiError(404, "building_not_found", "找不到该楼栋 / no such building")
    return {"building": found, "units": await store.units(building_id, scope=scope),
            "unit_types": ("yangfang", "diejia", "lianpai"), "occupancies": ("occupied", "vacant", "renovating"),
            **extra}


@get("/desk/estate/buildings/{building_id:str}", name="desk.building", include_in_schema=False)
async def building_page(request: DeskRequest, building_id: FromPath[str]) -> Template:
    return render(request, "building.html", "_building.html", await building_context(request, building_id))


async def _building_answer(request: DeskRequest, building_id: str, **extra: Any) -> Redirect | Template:
    redirect = after_write(request, f"/desk/estate/buildings/{building_id}")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_building.html",
                    context={**base_context(request), **await building_context(request, building_id, **extra)})


@post("/desk/estate/buildings/{building_id:str}", name="desk.building_edit", include_in_schema=False)
async def building_edit(request: DeskRequest, building_id: FromPath[str]) -> Redirect | Template:
    values = await form_values(request)
    version = convert({"version": values.get("version")}, Versioned).version
    form = convert({k: v for k, v in values.items() if k != "version"}, BuildingForm)
    current = await store.building(building_id, scope=request.user.scope)
    if current is None:
        raise ApiError(404, "building_not_found", "找不到该楼栋 / no such building")
    if form.code != current["code"] and await store.building_code_taken(
            current["estate_id"], form.code, scope=request.user.scope, but=building_id):
        raise ApiError(409, "building_code_taken", f"楼栋编号 {form.code} 已存在 / building code {form.code} exists")
    base, changes = edit(current, values, msgspec.structs.asdict(form), ("code", "name", "floors", "lifts"))
    outcome = None
    if changes:
        outcome = await writes.apply(request.user, [writes.update("building", building_id, version, base, changes)])
    return await _building_answer(request, building_id, saved=True,
                                  conflicted=bool(outcome and outcome.conflicts))


# --- units -------------------------------------------------------------------------------


@post("/desk/estate/buildings/{building_id:str}/units", name="desk.unit_add", include_in_schema=False)
async def unit_add(request: DeskRequest, building_id: FromPath[str]) -> Redirect | Template:
    form = convert(await form_values(request), NewUnitForm)
    found = await store.building(building_id, scope=request.user.scope)
    if found is None:
        raise ApiError(404, "building_not_found", "找不到该楼栋 / no such building")
    if form.floor > found["floors"]:
        raise ApiError(422, "floor_above_building",
                       f"楼层 {form.floor} 超过该楼栋的 {found['floors']} 层 / floor {form.floor} is above the "
                       f"building's {found['floors']} floors")
    if await store.unit_code_taken(building_id, form.code, scope=request.user.scope):
        raise ApiError(409, "unit_code_taken", f"房号 {form.code} 已存在 / unit {form.code} exists")
    await writes.apply(request.user, [writes.create("unit", {**msgspec.structs.asdict(form),
                                                             "building_id": building_id})])
    return await _building_answer(request, building_id, saved=True)


async def _unit_answer(request: DeskRequest, unit_id: str, **extra: Any) -> Redirect | Template:
    redirect = after_write(request, f"/desk/archive/units/{unit_id}")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_archive_unit.html",
                    context={**base_context(request), **await unit_context(request, unit_id, **extra)})


@post("/desk/archive/units/{unit_id:str}", name="desk.unit_edit", include_in_schema=False)
async def unit_edit(request: DeskRequest, unit_id: FromPath[str]) -> Redirect | Template:
    values = await form_values(request)
    version = convert({"version": values.get("version")}, Versioned).version
    form = convert({k: v for k, v in values.items() if k != "version"}, UnitForm)
    current = await store.unit(unit_id, scope=request.user.scope)
    if current is None:
        raise ApiError(404, "unit_not_found", "找不到该房屋 / no such unit")
    base, changes = edit(current, values, msgspec.structs.asdict(form), ("floor", "unit_type", "area_m2"))
    outcome = await writes.apply(request.user, [writes.update("unit", unit_id, version, base, changes)]) \
        if changes else None
    return await _unit_answer(request, unit_id, saved=True, conflicted=bool(outcome and outcome.conflicts))


@post("/desk/archive/units/{unit_id:str}/occupancy", name="desk.unit_occupancy", include_in_schema=False)
async def unit_occupancy(request: DeskRequest, unit_id: FromPath[str]) -> Redirect | Template:
    form = convert(await form_values(request), OccupancyForm, bases=True)
    if await store.unit(unit_id, scope=request.user.scope) is None:
        raise ApiError(404, "unit_not_found", "找不到该房屋 / no such unit")
    outcome = await writes.apply(request.user, [writes.update(
        "unit", unit_id, form.version, {"occupancy": form.base_occupancy}, {"occupancy": form.occupancy})])
    return await _unit_answer(request, unit_id, saved=True, conflicted=bool(outcome.conflicts))


# --- households --------------------------------------------------------------------------


def household_fields(form: HouseholdForm) -> dict[str, Any]:
    """The household's fields as the form gives them (co-residents read from their lines)."""
    fields = {k: v for k, v in msgspec.structs.asdict(form).items() if k in HOUSEHOLD_EDITABLE and v is not None}
    fields["co_residents"] = co_residents_of(form.co_residents)
    return fields


def _check_dates(form: HouseholdForm, today: date) -> None:
    if form.move_in_date and parse_day(form.move_in_date, "move_in_date") > today:
        raise ApiError(422, "move_in_in_future", "入住日期不能晚于今天 / the move-in date cannot be in the future")


@post("/desk/archive/units/{unit_id:str}/household", name="desk.household_add", include_in_schema=False)
async def household_add(request: DeskRequest, unit_id: FromPath[str]) -> Redirect | Template:
    """The unit's first household (or its next, when it has none current)."""
    form = convert(await form_values(request), HouseholdForm)
    _check_dates(form, local_today(request))
    scope = request.user.scope
    if await store.unit(unit_id, scope=scope) is None:
        raise ApiError(404, "unit_not_found", "找不到该房屋 / no such unit")
    if await households.current_household(unit_id, scope=scope) is not None:
        raise ApiError(409, "household_exists",
                       "该房屋已有业户，请用“过户”或“租户变更” / the unit has a household: use a change of owner or tenant")
    history = await households.unit_households(unit_id, scope=scope)
    new_id = next_household_id(history[0]["id"] if history else unit_id)
    if await households.household_id_taken(new_id, scope=scope):  # its successor was deleted by an admin
        new_id = writes.new_id()
    outcome = await writes.apply(request.user, [writes.create(
        "household", {"unit_id": unit_id, **household_fields(form)}, record_id=new_id)])
    return await _unit_answer(request, unit_id, saved=True, conflicted=bool(outcome.conflicts))


@post("/desk/archive/households/{household_id:str}", name="desk.household_edit", include_in_schema=False)
async def household_edit(request: DeskRequest, household_id: FromPath[str]) -> Redirect | Template:
    """A correction of the current household, field by field from what the form showed."""
    values = await form_values(request)
    version = convert({"version": values.get("version")}, Versioned).version
    # a masked field the clerk left as shown (the last four digits) is not part of the edit
    untouched = {f for f in households.MASKED if values.get(f) and values.get(f) == values.get(f"base_{f}")}
    values = {k: v for k, v in values.items() if k.removeprefix("base_") not in untouched}
    form = convert({k: v for k, v in values.items() if k != "version"}, HouseholdForm)
    _check_dates(form, local_today(request))
    current = await households.household(household_id, scope=request.user.scope)
    if current is None:
        raise ApiError(404, "household_not_found", "找不到该业户 / no such household")
    if current["ended_on"]:
        raise ApiError(409, "household_ended", "这是以前的业户，档案只读 / a former household's archive is read-only")
    wanted = {f: getattr(form, f) for f in HOUSEHOLD_EDITABLE}
    wanted["co_residents"] = co_residents_of(form.co_residents)
    current = {**current, "co_residents": json_value(current["co_residents"]) or []}
    base, changes = edit(current, values, wanted, tuple(f for f in HOUSEHOLD_EDITABLE if f not in untouched))
    for field in households.MASKED:  # edited from its masked form: the base is the value behind the mask
        if field in base and base[field] == households.mask(current.get(field)):
            base[field] = current.get(field)
    outcome = await writes.apply(request.user, [writes.update("household", household_id, version, base, changes)]) \
        if changes else None
    return await _unit_answer(request, current["unit_id"], saved=True, conflicted=bool(outcome and outcome.conflicts))


@post("/desk/archive/households/{household_id:str}/change", name="desk.household_change", include_in_schema=False)
async def household_change(request: DeskRequest, household_id: FromPath[str]) -> Redirect | Template:
    """过户 or 租户变更: the current household ends on ``ended_on`` and the unit's next one
    starts, in one transaction through the merge."""
    values = await form_values(request)
    if values.get("kind") == "tenancy" and not values.get("owner_name"):
        values["owner_name"] = "—"  # replaced below by the owner's own name
    form = convert(values, ChangeForm)
    today = local_today(request)
    ended_on = parse_day(form.ended_on, "ended_on")
    if ended_on > today:
        raise ApiError(422, "change_in_future", "变更日期不能晚于今天 / the date of the change cannot be in the future")
    _check_dates(form, today)
    current = await households.household(household_id, scope=request.user.scope)
    if current is None:
        raise ApiError(404, "household_not_found", "找不到该业户 / no such household")
    if current["move_in_date"] and form.ended_on < current["move_in_date"]:
        raise ApiError(422, "change_before_move_in",
                       f"变更日期早于该业户的入住日期 {current['move_in_date']} / the change is dated before the "
                       f"household moved in ({current['move_in_date']})")
    fields = household_fields(form)
    if form.kind == "tenancy":  # the owner stays: their details carry over
        fields.update({f: current[f] for f in OWNER_FIELDS if current.get(f) is not None})
    fields.setdefault("move_in_date", form.ended_on)
    end = writes.update("household", household_id, form.version, {"ended_on": None, "end_reason": None},
                        {"ended_on": form.ended_on, "end_reason": form.kind})
    start = writes.create("household", {"unit_id": current["unit_id"], **fields},
                          record_id=next_household_id(household_id))
    outcome = await writes.apply(request.user, [end, start])  # the change log names the clerk
    return await _unit_answer(request, current["unit_id"], changed=form.kind, conflicted=bool(outcome.conflicts))


ROUTES = [estate_page, building_add, building_page, building_edit, unit_add, unit_edit, unit_occupancy,
          household_add, household_edit, household_change]
nav_entry(NavEntry(href="/desk/estate", key="estate.title", route="desk.estate", order=55))
