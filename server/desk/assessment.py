"""The assessment on the 25th (应会 1.5: 每月25日对客服管理员认知度与满意度进行考核), run by the
manager at the desk for one steward: (1) the record completeness of the steward's scope,
computed; (2) the room-number quiz: units drawn from the scope, the true values shown to the
manager alone (owner, employer, family structure, payment status from the fee bills), each
marked right or wrong; (3) owners drawn and called: reached, whether they know the steward's
name, their rating. The result, 熟知率 and 满意率 against the steward's targets, is kept month
by month and exported.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server import writes
from server.desk.common import DeskRequest, render
from server.desk.estate_forms import form_values
from server.desk.familiarity import chosen_steward
from server.desk.kpi import chosen_month
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.policy import MANAGEMENT, grant
from server.store import assessment as store
from server.store import familiarity
from sync.familiarity import (
    CALLED_OWNERS, QUIZ_FACTS, QUIZ_UNITS, assessment_rates, standard, target_for,
)

grant({"desk.assessment": MANAGEMENT, "desk.assessment_start": MANAGEMENT, "desk.assessment_finish": MANAGEMENT})


def _last_day(month: str) -> date:
    """The month's last day: the customer classes and the staff standard are read on it."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


async def assessment_context(request: DeskRequest, month: str, steward_id: str, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    stewards, chosen = await chosen_steward(request, steward_id)
    results = await store.of_months(month, scope=scope)
    context: dict[str, Any] = {"stewards": stewards, "chosen": chosen, "month": month, "results": results,
                               "facts": QUIZ_FACTS, "quiz": [], "calls": [], "history": [], "current": None, **extra}
    if chosen is None:
        return context
    current = results.get(chosen["id"])
    context.update(current=current, history=await store.history(chosen["id"], scope=scope))
    if current is not None:
        rows = await store.checks(current["id"], scope=scope)
        households = {h["id"]: h for h in await familiarity.households(
            _last_day(month), scope=familiarity.narrowed(scope, chosen["buildings"]))}
        bills = await store.payment_status([r["unit_id"] for r in rows], month, scope=scope)
        for r in rows:
            r["household"] = households.get(r["household_id"], {})
            r["bill"] = bills.get(r["unit_id"])
        context.update(quiz=[r for r in rows if r["kind"] == "quiz"], calls=[r for r in rows if r["kind"] == "call"])
    return context


@get("/desk/assessments", name="desk.assessment", include_in_schema=False)
async def page(request: DeskRequest, month: FromQuery[str] = "", steward_id: FromQuery[str] = "") -> Template:
    return render(request, "assessment.html", "_assessment.html",
                  await assessment_context(request, chosen_month(request, month), steward_id))


async def _answer(request: DeskRequest, month: str, steward_id: str) -> Template | Redirect:
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/assessments?month={month}&steward_id={steward_id}", status_code=303)
    return render(request, "assessment.html", "_assessment.html", await assessment_context(request, month, steward_id))


@post("/desk/assessments", name="desk.assessment_start", include_in_schema=False)
async def start(request: DeskRequest) -> Template | Redirect:
    """Draw the quiz units and the owners to call, and compute the scope's completeness and
    the steward's targets (once per steward and month: a second start changes nothing)."""
    values = await form_values(request)
    month = chosen_month(request, str(values.get("month") or ""))
    _, chosen = await chosen_steward(request, str(values.get("steward_id") or ""))
    if chosen is None:
        raise ApiError(422, "steward_required", "请选择管家 / choose a steward")
    on = _last_day(month)
    rows = await familiarity.households(on, scope=familiarity.narrowed(request.user.scope, chosen["buildings"]))
    if not rows:
        raise ApiError(409, "no_households", "该管家的楼栋没有业户，无法考核 / the steward's buildings have no households")
    summary = familiarity.summary(rows)
    employed = date.fromisoformat(chosen["created_at"][:10]) if chosen.get("created_at") else None
    level = standard(employed, on)
    targets, _ = await familiarity.of_estate(rows[0]["estate_id"])
    target = target_for(targets, summary["classes"], level)
    await store.start({"id": writes.new_id(), "estate_id": rows[0]["estate_id"], "steward_id": chosen["id"],
                       "month": month, "status": "open", "households": summary["households"],
                       "completeness": summary["completeness"], "standard": level,
                       "target_familiarity": target.familiarity if target else 0,
                       "target_satisfaction": target.satisfaction if target else 0,
                       "started_by": request.user.user_id}, rows, QUIZ_UNITS, CALLED_OWNERS,
                      scope=request.user.scope)
    return await _answer(request, month, chosen["id"])


def _yes_no(values: dict[str, Any], name: str) -> bool:
    value = values.get(name)
    if value not in ("yes", "no"):
        raise ApiError(422, "unmarked", "还有未判定的项目 / something is not marked yet", {"field": name})
    return value == "yes"


def marks_of(values: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every quiz fact right or wrong; every call reached or not, and when reached whether the
    owner knows the steward and their rating (1–5, or none given)."""
    marks: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = r["id"]
        if r["kind"] == "quiz":
            marks[key] = {f: _yes_no(values, f"{key}:{f}") for f in QUIZ_FACTS}
            continue
        reached = _yes_no(values, f"{key}:reached")
        knows = _yes_no(values, f"{key}:knows_steward") if reached else None
        raw = str(values.get(f"{key}:rating") or "")
        if raw and raw not in ("1", "2", "3", "4", "5"):
            raise ApiError(422, "invalid_rating", "评价应为 1 到 5 / a rating is 1 to 5", {"field": f"{key}:rating"})
        marks[key] = {"reached": reached, "knows_steward": knows, "rating": int(raw) if raw and reached else None}
    return marks


@post("/desk/assessments/{assessment_id:str}/finish", name="desk.assessment_finish", include_in_schema=False)
async def finish(request: DeskRequest, assessment_id: FromPath[str]) -> Template | Redirect:
    values = await form_values(request)
    month = chosen_month(request, str(values.get("month") or ""))
    _, chosen = await chosen_steward(request, str(values.get("steward_id") or ""))
    current = await store.of_month(chosen["id"], month, scope=request.user.scope) if chosen else None
    if current is None or current["id"] != assessment_id:
        raise ApiError(404, "assessment_not_found", "找不到该考核 / no such assessment")
    if current["status"] == "done":
        raise ApiError(409, "assessment_done", "该考核已完成 / the assessment is finished")
    rows = await store.checks(assessment_id, scope=request.user.scope)
    marks = marks_of(values, rows)
    familiarity_rate, satisfaction_rate = assessment_rates(
        [marks[r["id"]] for r in rows if r["kind"] == "quiz"], [marks[r["id"]] for r in rows if r["kind"] == "call"])
    if not await store.finish(assessment_id, marks, familiarity_rate, satisfaction_rate, scope=request.user.scope):
        raise ApiError(409, "assessment_done", "该考核已完成 / the assessment is finished")
    return await _answer(request, month, chosen["id"])


@export_list("assessments", page="desk.assessment")
async def assessment_list(request: DeskRequest) -> Table:
    """A steward's results month by month (or every steward's of the month)."""
    month = chosen_month(request, request.query_params.get("month", ""))
    stewards, chosen = await chosen_steward(request, request.query_params.get("steward_id", ""))
    names = {s["id"]: s["display_name"] for s in stewards}
    rows = await store.history(chosen["id"], scope=request.user.scope) if chosen else \
        list((await store.of_months(month, scope=request.user.scope)).values())
    return (["field.steward", "assessment.month", "assessment.households", "familiarity.completeness",
             "assessment.standard", "assessment.familiarity", "assessment.target_familiarity",
             "assessment.satisfaction", "assessment.target_satisfaction"],
            [[names.get(r["steward_id"], ""), r["month"], r["households"], r["completeness"], r["standard"],
              r["familiarity"], r["target_familiarity"], r["satisfaction"], r["target_satisfaction"]]
             for r in rows if r["status"] == "done"])


ROUTES = [page, start, finish]
nav_entry(NavEntry(href="/desk/assessments", key="nav.assessment", route="desk.assessment", order=87))
