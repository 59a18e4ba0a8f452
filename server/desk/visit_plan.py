"""拜访计划 (应会 1.4: 列出业主拜访计划上报客服经理; issue 17): per month and steward, the
households to visit and why. The desk proposes lines (from suggestions: a complaint to follow
up, a low rating, a new owner, a key customer, an incomplete record); the manager approves
the plan, which makes each line a planned ``visit`` for the steward through the merge (the
phone's Today lists it); a doorstep visit done counts against the plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.vocab import PlanReason
from server import writes
from server.desk.common import DeskRequest, local_today, render
from server.desk.estate_forms import form_values
from server.desk.familiarity import chosen_steward
from server.desk.kpi import chosen_month, month_bounds
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import familiarity, visit_plan as store
from sync.familiarity import plan_reason
from sync.scope import Scope

grant({
    "desk.visit_plan": OFFICE,
    "desk.visit_plan_add": OFFICE,
    "desk.visit_plan_remove": OFFICE,
    "desk.visit_plan_approve": MANAGEMENT,
})

REASONS: tuple[str, ...] = get_args(PlanReason)
LOOK_BACK_DAYS = 90  # ratings and complaints that call for a visit


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


async def suggestions(request: DeskRequest, month: str, scope: Scope, planned: set[str]) -> list[dict[str, Any]]:
    """The steward's households that call for a visit this month and are not on the plan."""
    first = _month_start(month)
    since, _ = month_bounds(request, month)
    back = date.fromordinal(first.toordinal() - LOOK_BACK_DAYS).isoformat()
    low = await store.low_rated_units(back, scope=scope)
    complained = await store.complained_units(back, scope=scope)
    out = []
    for row in await familiarity.households(first, scope=scope):
        reason = plan_reason(row, low_rated=row["unit_id"] in low, complained=row["unit_id"] in complained)
        if reason and row["unit_id"] not in planned:
            out.append({**row, "reason": reason})
    return out


async def plan_context(request: DeskRequest, month: str, steward_id: str, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    stewards, chosen = await chosen_steward(request, steward_id)
    start, end = month_bounds(request, month)
    counts = await store.completion(month, start, end, [s["id"] for s in stewards], scope=scope)
    for s in stewards:
        s["plan"] = counts[s["id"]]
    lines: list[dict[str, Any]] = []
    suggested: list[dict[str, Any]] = []
    if chosen:
        own = familiarity.narrowed(scope, chosen["buildings"])
        lines = await store.items(chosen["id"], month, start, end, scope=own)
        suggested = await suggestions(request, month, own, {line["unit_id"] for line in lines})
    return {"stewards": stewards, "chosen": chosen, "month": month, "lines": lines, "suggested": suggested,
            "reasons": REASONS, **extra}


@get("/desk/visit-plans", name="desk.visit_plan", include_in_schema=False)
async def page(request: DeskRequest, month: FromQuery[str] = "", steward_id: FromQuery[str] = "") -> Template:
    return render(request, "visit_plan.html", "_visit_plan.html",
                  await plan_context(request, chosen_month(request, month), steward_id))


async def _answer(request: DeskRequest, month: str, steward_id: str, **extra: Any) -> Template | Redirect:
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/visit-plans?month={month}&steward_id={steward_id}", status_code=303)
    return render(request, "visit_plan.html", "_visit_plan.html",
                  await plan_context(request, month, steward_id, **extra))


async def _plan_of(request: DeskRequest, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    month = chosen_month(request, str(values.get("month") or ""))
    _, chosen = await chosen_steward(request, str(values.get("steward_id") or ""))
    if chosen is None:
        raise ApiError(422, "steward_required", "请选择管家 / choose a steward")
    if month < local_today(request).strftime("%Y-%m"):
        raise ApiError(422, "month_past", "不能为已过去的月份制定计划 / a past month cannot be planned")
    return month, chosen


@post("/desk/visit-plans/lines", name="desk.visit_plan_add", include_in_schema=False)
async def add(request: DeskRequest) -> Template | Redirect:
    """Put the ticked households on the plan, each with its reason (``reason_<unit id>``); a
    unit is on a steward's plan of a month once, so a repeated post adds nothing twice."""
    form = await request.form()
    values = await form_values(request)
    month, chosen = await _plan_of(request, values)
    units = sorted({str(u) for u in form.getall("unit_id") if u})
    if not units:
        raise ApiError(422, "nothing_chosen", "请勾选要拜访的业户 / tick the households to visit")
    lines = []
    for unit_id in units:
        reason = str(values.get(f"reason_{unit_id}") or "")
        if reason not in REASONS:
            raise ApiError(422, "invalid_form", "拜访原因无效 / invalid visit reason", {"field": f"reason_{unit_id}"})
        lines.append({"id": writes.new_id(), "steward_id": chosen["id"], "month": month, "unit_id": unit_id, "reason": reason})
    added = await store.add(lines, proposed_by=request.user.user_id,
                            scope=familiarity.narrowed(request.user.scope, chosen["buildings"]))
    return await _answer(request, month, chosen["id"], added=added)


@post("/desk/visit-plans/lines/{line_id:str}/remove", name="desk.visit_plan_remove", include_in_schema=False)
async def remove(request: DeskRequest, line_id: FromPath[str]) -> Template | Redirect:
    values = await form_values(request)
    month, chosen = await _plan_of(request, values)
    if not await store.remove(line_id, scope=request.user.scope):
        raise ApiError(404, "plan_line_not_found", "找不到该待审批的计划项 / no such proposed line")
    return await _answer(request, month, chosen["id"])


@post("/desk/visit-plans/approve", name="desk.visit_plan_approve", include_in_schema=False)
async def approve(request: DeskRequest) -> Template | Redirect:
    """The manager approves the plan: each proposed line becomes the steward's planned visit
    (same id: approving again, or after a failure half way, makes no visit twice)."""
    values = await form_values(request)
    month, chosen = await _plan_of(request, values)
    scope = familiarity.narrowed(request.user.scope, chosen["buildings"])
    lines = await store.proposed(chosen["id"], month, scope=scope)
    if not lines:
        raise ApiError(409, "nothing_to_approve", "该计划没有待审批的项 / the plan has nothing to approve")
    made = await store.existing_visits([line["id"] for line in lines], scope=scope)
    visits = [writes.create("visit", {
        "unit_id": line["unit_id"], "household_id": line["household_id"], "purpose": "routine", "status": "planned",
        "steward_id": chosen["id"], "plan_reason": line["reason"]}, record_id=line["id"])
        for line in lines if line["id"] not in made]
    if visits:
        await writes.apply(request.user, visits)
    await store.mark_approved([line["id"] for line in lines], request.user.user_id, scope=scope)
    return await _answer(request, month, chosen["id"], approved=len(lines))


ROUTES = [page, add, remove, approve]
nav_entry(NavEntry(href="/desk/visit-plans", key="nav.visit_plan", route="desk.visit_plan", order=86))
