"""The manager's KPI dashboard and the live endpoint that keeps open pages current."""

from __future__ import annotations

import re
from datetime import date

import msgspec
from litestar import Response, get
from litestar.params import FromQuery
from litestar.response import Template

from server.clock import iso
from server.desk.common import DeskRequest, local_today, render, tz
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import COMPANY, OFFICE, READS_KPIS, grant
from server.store import kpi as store
from server.store import places
from server.templating import request_language
from sync.scope import Scope

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.kpi": READS_KPIS,
    "desk.kpi_estates": READS_KPIS,
    "desk.live": (*OFFICE, COMPANY),
})


def month_bounds(request: DeskRequest, month: str) -> tuple[str, str]:
    from datetime import UTC, datetime

    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=tz(request))
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz(request))
    return iso(start.astimezone(UTC)), iso(end.astimezone(UTC))


async def kpi_context(request: DeskRequest, month: str, building_id: str) -> dict:
    today: date = local_today(request)
    month = month or today.strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ApiError(422, "invalid_month", "月份格式应为 YYYY-MM / month must be YYYY-MM")
    start, end = month_bounds(request, month)
    kpis = await store.month_kpis(start, end, month, building_id or None, scope=request.user.scope)
    chart = {"labels": [k.key for k in kpis],
             "values": [round(k.value * 100, 1) if k.value is not None else None for k in kpis],
             "targets": [round(k.target * 100, 1) for k in kpis]}
    return {"kpis": kpis, "month": month, "building_id": building_id, "buildings": await places.buildings(scope=request.user.scope),
            "chart": msgspec.json.encode(chart).decode(), "live_version": await store.clock_version()}


@get("/desk/kpi", name="desk.kpi", include_in_schema=False)
async def dashboard(request: DeskRequest, month: FromQuery[str] = "", building_id: FromQuery[str] = "") -> Template:
    return render(request, "kpi.html", "_kpi.html", await kpi_context(request, month, building_id))


@get("/desk/kpi/estates", name="desk.kpi_estates", include_in_schema=False)
async def estates_side_by_side(request: DeskRequest, month: FromQuery[str] = "") -> Template:
    """Each estate's KPIs of the month, side by side (the company's view; a manager of
    several estates sees theirs)."""
    month = month or local_today(request).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ApiError(422, "invalid_month", "月份格式应为 YYYY-MM / month must be YYYY-MM")
    start, end = month_bounds(request, month)
    columns = []
    for estate in await places.estates(scope=request.user.scope):
        alone = Scope(estates=frozenset({estate["id"]}), buildings=None)
        columns.append((estate, {k.key: k for k in await store.month_kpis(start, end, month, None, scope=alone)}))
    keys = list(columns[0][1]) if columns else []
    return render(request, "kpi_estates.html", "_kpi_estates.html",
                  {"month": month, "columns": columns, "keys": keys})


class LiveState(msgspec.Struct):
    version: int
    changed: bool


@get("/desk/live", name="desk.live", include_in_schema=False, cache=False)
async def live(since: FromQuery[int] = 0) -> Response[LiveState]:
    """The sync clock, read from the database (so every server process answers the same);
    an open page refreshes itself when it moved past the version it was rendered at."""
    version = await store.clock_version()
    return Response(LiveState(version=version, changed=version > since),
                    headers={"Cache-Control": "no-store"})


@export_list("kpi", page="desk.kpi")  # managers only, as the page
async def kpi_list(request: DeskRequest) -> Table:
    ctx = await kpi_context(request, request.query_params.get("month", ""), request.query_params.get("building_id", ""))
    return (["kpi.month", "kpi.title", "kpi.numerator", "kpi.denominator", "kpi.value", "kpi.target"],
            [[ctx["month"], translate(request_language(request), f"kpi.{k.key}"), k.numerator, k.denominator,
              round(k.value * 100, 2) if k.value is not None else "", round(k.target * 100, 2)] for k in ctx["kpis"]])


ROUTES = [dashboard, estates_side_by_side, live]
nav_entry(NavEntry(href="/desk/kpi", key="nav.kpi", route="desk.kpi", order=110))
nav_entry(NavEntry(href="/desk/kpi/estates", key="nav.kpi_estates", route="desk.kpi_estates", order=115))
