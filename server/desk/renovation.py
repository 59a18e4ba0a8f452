"""装修 (应会 3 装修办理流程; workflow-center 职责 3, 10): the desk opens a unit's renovation
case and takes it through its steps (审批, 缴费, 许可证, 完工, 退证, 退保证金), records the
fees and deposits from the estate's own settings and the papers on file, and sees the
inspections stewards make on the phone (the test the owner signs, patrols with their
rectification notices, 初验 and 复验). Every change goes through the merge like any desk
edit; the lifecycle refuses a step out of order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.limits import Day, LongText, Measure, Short
from schemas.vocab import RenovationPaper, RenovationStep, codes
from server import writes
from server.desk.common import (
    DeskRequest, after_write, chosen_estate, client_ip, local_today, parse_date, render, setting_context,
)
from server.desk.forms import form_of
from server.desk.registry import NavEntry, UnitSection, nav_entry, unit_section
from server.errors import ApiError
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import places
from server.store import renovation as store
from sync.messages import message
from sync.renovation import STEP_DAY, RenovationFees, charge, earliest_permit, next_step
from sync.specs.renovation import STEWARD_STEPS

grant({"desk.renovations": OFFICE, "desk.renovation_new": OFFICE, "desk.renovation": OFFICE,
       "desk.renovation_step": OFFICE, "desk.renovation_papers": OFFICE,
       "desk.renovation_fees": MANAGEMENT, "desk.renovation_fees_save": MANAGEMENT})

STATUSES = ("open", "all", *codes(RenovationStep))
DUE_AHEAD_DAYS = 7  # the due list shows what falls due within a week


def refusal(code: str, field: str | None = None) -> ApiError:
    """A refusal in the merge's own words (``sync.messages``)."""
    return ApiError(422, code, message(code).replace(" | ", " / "), {"field": field} if field else None)


# --- the list ---------------------------------------------------------------------------


async def _list_context(request: DeskRequest, status: str, building_id: str, day: str) -> dict[str, Any]:
    today = parse_date(day) or local_today(request)
    status = status if status in STATUSES else "open"
    scope = request.user.scope
    return {"rows": await store.cases(scope=scope, status=status, building_id=building_id),
            "due": await store.due((today + timedelta(days=DUE_AHEAD_DAYS)).isoformat(), scope=scope),
            "today": today.isoformat(), "status": status, "statuses": STATUSES, "building_id": building_id,
            "buildings": await places.buildings(scope=scope)}


@get("/desk/renovations", name="desk.renovations", include_in_schema=False)
async def cases(request: DeskRequest, status: FromQuery[str] = "open", building_id: FromQuery[str] = "",
                day: FromQuery[str] = "") -> Template:
    return render(request, "renovations.html", "_renovations.html",
                  await _list_context(request, status, building_id, day))


class NewCase(msgspec.Struct, kw_only=True):
    building_id: Short[36]
    unit_code: Short[30]
    contractor: Short[100]
    contractor_phone: Short[30] = ""
    plan: LongText = ""
    area_m2: Measure | None = None  # empty: the unit's area
    applied_on: Day | None = None  # empty: today


@post("/desk/renovations", name="desk.renovation_new", include_in_schema=False)
async def open_case(request: DeskRequest) -> Redirect | Template:
    """申报: a unit's case, opened at the desk; the unit shows 装修中 while it is open."""
    form = await form_of(request, NewCase)
    scope = request.user.scope
    found = await store.find_unit(form.building_id, form.unit_code, scope=scope)
    unit = await store.unit_for_case(found["id"], scope=scope) if found else None
    if unit is None:
        raise ApiError(404, "unknown_unit", "找不到该房号 / no such unit in this building", {"field": "unit_code"})
    if await store.open_case_of_unit(unit["id"], scope=scope):
        raise ApiError(409, "renovation_open", "该户已有进行中的装修 / this unit has an open renovation case",
                       {"field": "unit_code"})
    household = unit["household"]
    case_id = writes.new_id()
    fields: dict[str, Any] = {
        "unit_id": unit["id"], "household_id": household["id"] if household else None,
        "owner_name": household["owner_name"] if household else "", "contractor": form.contractor,
        "contractor_phone": form.contractor_phone, "plan": form.plan, "unit_type": unit["unit_type"],
        "area_m2": form.area_m2 if form.area_m2 is not None else unit["area_m2"],
        "applied_on": form.applied_on or local_today(request).isoformat(), "papers": ["application"],
    }
    mutations: list[Any] = [writes.create("renovation", fields, record_id=case_id)]
    if unit["occupancy"] != "renovating":
        mutations.append(writes.update("unit", unit["id"], unit["version"], {"occupancy": unit["occupancy"]},
                                       {"occupancy": "renovating"}))
    await writes.apply(request.user, mutations)
    return Redirect(f"/desk/renovations/{case_id}", status_code=303)


# --- one case ---------------------------------------------------------------------------


async def _open(request: DeskRequest, renovation_id: str) -> dict[str, Any]:
    found = await store.case(renovation_id, scope=request.user.scope)
    if found is None:
        raise ApiError(404, "unknown_renovation", "找不到该装修记录 / no such renovation case")
    return found


async def _case_context(request: DeskRequest, renovation_id: str, **extra: Any) -> dict[str, Any]:
    row = await _open(request, renovation_id)
    scope = request.user.scope
    fees, own = await store.fees_of(row["estate_id"])
    inspections = await store.inspections(renovation_id, scope=scope)
    complaints = await store.complaints(renovation_id, scope=scope)
    step = next_step(row["status"])
    today = local_today(request)
    earliest = earliest_permit(date.fromisoformat(row["tested_on"])).isoformat() if row["tested_on"] else None
    return {"case": row, "inspections": inspections, "complaints": complaints, "next": step, "phone_step": step in STEWARD_STEPS,
            "steps": codes(RenovationStep), "step_day": STEP_DAY, "fees": fees, "own_fees": own,
            "papers": codes(RenovationPaper), "today": today.isoformat(), "earliest_permit": earliest,
            "open_notices": [i for i in inspections if i["notice"] and not any(
                c["checks_notice_id"] == i["id"] for c in inspections)], **extra}


@get("/desk/renovations/{renovation_id:str}", name="desk.renovation", include_in_schema=False)
async def case_page(request: DeskRequest, renovation_id: FromPath[str]) -> Template:
    return render(request, "renovation.html", "_renovation.html", await _case_context(request, renovation_id))


class StepForm(msgspec.Struct, kw_only=True):
    version: int
    base_status: RenovationStep
    step: RenovationStep
    day: Day | None = None  # empty: today
    passes: Annotated[int, msgspec.Meta(ge=0, le=200)] = 0  # worker passes issued (缴费)
    passes_returned: Annotated[int, msgspec.Meta(ge=0, le=200)] = 0  # returned (退证)


def step_changes(row: dict[str, Any], form: StepForm, day: str, fees: RenovationFees) -> dict[str, Any]:
    """What taking ``form.step`` writes on the case: its day, and the money of 缴费, 退证 and
    退保证金 (the fees from the estate's settings as they are now; the refunds from what the
    case was charged)."""
    changes: dict[str, Any] = {"status": form.step, STEP_DAY[form.step]: day}
    if form.step == "fees_paid":
        changes |= msgspec.structs.asdict(charge(fees, row["unit_type"], row["area_m2"], form.passes))
    elif form.step == "passes_returned":
        if form.passes_returned > row["passes_issued"]:
            raise ApiError(422, "too_many_passes", f"发出的出入证只有 {row['passes_issued']} 张 / only "
                           f"{row['passes_issued']} passes were issued", {"field": "passes_returned"})
        each = row["pass_deposit_fen"] // row["passes_issued"] if row["passes_issued"] else 0
        changes |= {"passes_returned": form.passes_returned, "pass_deposit_refunded_fen": each * form.passes_returned}
    elif form.step == "refunded":
        changes |= {"quality_deposit_refunded_fen": row["quality_deposit_fen"]}
    return changes


@post("/desk/renovations/{renovation_id:str}/step", name="desk.renovation_step", include_in_schema=False)
async def take_step(request: DeskRequest, renovation_id: FromPath[str]) -> Redirect | Template:
    """The next step, recorded at the desk; the test, 初验 and 复验 are the phone's (the
    owner signs there). Out of order, or a day too soon, the merge refuses and nothing changes."""
    form = await form_of(request, StepForm)
    row = await _open(request, renovation_id)
    if form.step in STEWARD_STEPS:
        raise ApiError(409, "step_on_phone", "该步骤须由楼管在手机上办理（业主签字）/ this step is recorded on "
                       "the phone, with the owner's signature")
    if row["status"] == form.base_status and next_step(row["status"]) != form.step:
        raise refusal("renovation_step_order", "step")
    fees, _ = await store.fees_of(row["estate_id"])
    day = form.day or local_today(request).isoformat()
    changes = step_changes(row, form, day, fees)
    base = {k: (form.base_status if k == "status" else row[k]) for k in changes}
    mutations: list[Any] = [writes.update("renovation", renovation_id, form.version, base, changes)]
    if form.step == "refunded":  # the case is closed: the unit is no longer 装修中
        unit = await store.unit_for_case(row["unit_id"], scope=request.user.scope)
        if unit and unit["occupancy"] == "renovating":
            mutations.append(writes.update("unit", unit["id"], unit["version"], {"occupancy": "renovating"},
                                           {"occupancy": "occupied"}))
    outcome = await writes.apply(request.user, mutations)
    return after_write(request, f"/desk/renovations/{renovation_id}") or render(
        request, "renovation.html", "_renovation.html",
        await _case_context(request, renovation_id, saved=True, conflicted=bool(outcome.conflicts)))


@post("/desk/renovations/{renovation_id:str}/papers", name="desk.renovation_papers", include_in_schema=False)
async def papers(request: DeskRequest, renovation_id: FromPath[str]) -> Redirect | Template:
    """装修资料: the papers on file (a paper once filed stays filed)."""
    form = await request.form()
    row = await _open(request, renovation_id)
    chosen = [str(p) for p in form.getall("paper")] if "paper" in form else []
    known = codes(RenovationPaper)
    if not set(chosen) <= set(known):
        raise ApiError(422, "invalid_form", "未知的装修资料 / unknown paper", {"field": "paper"})
    added = [p for p in known if p in chosen and p not in row["papers"]]
    if added:
        await writes.apply(request.user, [writes.update("renovation", renovation_id, row["version"],
                                                        {"papers": row["papers"]}, {"papers": added})])
    return after_write(request, f"/desk/renovations/{renovation_id}") or render(
        request, "renovation.html", "_renovation.html", await _case_context(request, renovation_id, saved=True))


# --- the estate's fees (应知 17) -----------------------------------------------------------


class FeesForm(msgspec.Struct, kw_only=True):
    estate_id: Short[36]
    yangfang: Annotated[float, msgspec.Meta(ge=0, le=100_000)]
    diejia: Annotated[float, msgspec.Meta(ge=0, le=100_000)]
    lianpai: Annotated[float, msgspec.Meta(ge=0, le=100_000)]
    pass_fee: Annotated[float, msgspec.Meta(ge=0, le=10_000)]
    pass_deposit: Annotated[float, msgspec.Meta(ge=0, le=10_000)]
    rubbish_per_m2: Annotated[float, msgspec.Meta(ge=0, le=1_000)]


def _fen(yuan: float) -> int:
    return round(yuan * 100)


async def _fees_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.fees_of, "fees", **extra)


@get("/desk/settings/renovation-fees", name="desk.renovation_fees", include_in_schema=False)
async def fees_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "renovation_fees.html", "_renovation_fees.html", await _fees_context(request, estate_id))


@post("/desk/settings/renovation-fees", name="desk.renovation_fees_save", include_in_schema=False)
async def fees_save(request: DeskRequest) -> Redirect | Template:
    form = await form_of(request, FeesForm)
    context = await chosen_estate(request, form.estate_id)
    estate_id = context["estate"]["id"]
    fees = RenovationFees(quality_deposit={"yangfang": _fen(form.yangfang), "diejia": _fen(form.diejia),
                                           "lianpai": _fen(form.lianpai)},
                          pass_fee=_fen(form.pass_fee), pass_deposit=_fen(form.pass_deposit),
                          rubbish_per_m2=_fen(form.rubbish_per_m2))
    await store.set_fees(estate_id, fees, user_id=request.user.user_id, ip=client_ip(request))
    return after_write(request, f"/desk/settings/renovation-fees?estate_id={estate_id}") or render(
        request, "renovation_fees.html", "_renovation_fees.html", await _fees_context(request, estate_id, saved=True))


ROUTES = [cases, open_case, case_page, take_step, papers, fees_page, fees_save]
nav_entry(NavEntry(href="/desk/renovations", key="nav.renovations", route="desk.renovations", order=65))
nav_entry(NavEntry(href="/desk/settings/renovation-fees", key="nav.renovation_fees", route="desk.renovation_fees",
                   order=123))
unit_section(UnitSection(collection="renovation", order_by="applied_on", href="/desk/renovations/{id}",
                         fields=("status", "applied_on", "tested_on", "permit_on", "completed_on", "first_on",
                                 "second_on", "refunded_on")))
