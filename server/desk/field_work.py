"""Field work pages: callbacks due, vacant units, patrol log, stewards' phones."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from schemas.vocab import VACANT_CHECKLIST

from server.desk.common import DeskRequest, day_bounds, local_today, parse_date, render
from server.errors import ApiError
from server.store import field_work as store
from server.store import tickets


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def chosen_day(request: DeskRequest, value: str, default: date) -> date:
    if not value:
        return default
    day = parse_date(value)
    if day is None:
        raise ApiError(422, "invalid_date", "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD")
    return day


async def callbacks_context(request: DeskRequest, day: str) -> dict:
    done_day = chosen_day(request, day, local_today(request) - timedelta(days=1))
    start, end = day_bounds(request, done_day)
    return {"rows": await tickets.callbacks_due(start, end, scope=request.user.scope), "day": done_day.isoformat(),
            "previous": (done_day - timedelta(days=1)).isoformat(), "next": (done_day + timedelta(days=1)).isoformat()}


@get("/desk/callbacks", name="desk.callbacks", include_in_schema=False)
async def callbacks(request: DeskRequest, day: FromQuery[str] = "") -> Template:
    """回访: yesterday's completed repairs, to call back today (the repair procedure)."""
    return render(request, "callbacks.html", "_callbacks.html", await callbacks_context(request, day))


async def vacant_context(request: DeskRequest, building_id: str) -> dict:
    today = local_today(request)
    this_week, last_week = iso_week(today), iso_week(today - timedelta(days=7))
    rows = await store.vacant_units(this_week, last_week, building_id or None, scope=request.user.scope)
    return {"rows": rows, "week": this_week, "building_id": building_id,
            "buildings": await tickets.buildings(scope=request.user.scope), "items": VACANT_CHECKLIST,
            "due": sum(1 for r in rows if not r["checked"]), "overdue": sum(1 for r in rows if r["overdue"])}


@get("/desk/vacant", name="desk.vacant", include_in_schema=False)
async def vacant(request: DeskRequest, building_id: FromQuery[str] = "") -> Template:
    return render(request, "vacant.html", "_vacant.html", await vacant_context(request, building_id))


async def patrols_context(request: DeskRequest, day: str) -> dict:
    chosen = chosen_day(request, day, local_today(request))
    start, end = day_bounds(request, chosen)
    return {**await store.patrol_day(start, end, scope=request.user.scope), "day": chosen.isoformat(),
            "today": chosen == local_today(request), "previous": (chosen - timedelta(days=1)).isoformat(),
            "next": (chosen + timedelta(days=1)).isoformat()}


@get("/desk/patrols", name="desk.patrols", include_in_schema=False)
async def patrols(request: DeskRequest, day: FromQuery[str] = "") -> Template:
    return render(request, "patrols.html", "_patrols.html", await patrols_context(request, day))


@get("/desk/stewards", name="desk.stewards", include_in_schema=False)
async def stewards(request: DeskRequest) -> Template:
    return render(request, "stewards.html", "_stewards.html", {"rows": await store.stewards(scope=request.user.scope)})


ROUTES = [callbacks, vacant, patrols, stewards]
