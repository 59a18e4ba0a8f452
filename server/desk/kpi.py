"""The manager's KPI dashboard (the month's figures, their 12-month trend, the breakdown per
building and per steward), the records behind each figure, and the live endpoint that keeps
open pages current."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import msgspec
from litestar import Response, get
from litestar.params import FromQuery
from litestar.response import Template

from server.clock import iso
from server.desk.common import DeskRequest, local_today, render, tz
from server.desk.kpi_chart import trend_chart
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import COMPANY, OFFICE, READS_KPIS, grant
from server.store import kpi as store
from server.store import kpi_breakdown, kpi_records, places
from server.templating import request_language
from sync.scope import Scope, sees_personal_data

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.kpi": READS_KPIS,
    "desk.kpi_estates": READS_KPIS,
    "desk.kpi_records": READS_KPIS,
    "desk.live": (*OFFICE, COMPANY),
})

TREND_MONTHS = 12


def month_bounds(request: DeskRequest, month: str) -> tuple[str, str]:
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=tz(request))
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz(request))
    return iso(start.astimezone(UTC)), iso(end.astimezone(UTC))


def chosen_month(request: DeskRequest, month: str) -> str:
    """The month asked for ("YYYY-MM"), this month by default; anything else is refused."""
    month = month or local_today(request).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ApiError(422, "invalid_month", "月份格式应为 YYYY-MM / month must be YYYY-MM")
    return month


def months_up_to(month: str, count: int = TREND_MONTHS) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


async def kpi_context(request: DeskRequest, month: str, building_id: str) -> dict:
    """The dashboard: the month's figures, their 12-month trend and the month's breakdown,
    all from one read of the counts per month and building (six grouped queries)."""
    month = chosen_month(request, month)
    scope = request.user.scope
    start, end = month_bounds(request, month)
    labels = months_up_to(month)
    cells = await store.counts_by_building([(m, *month_bounds(request, m)) for m in labels], None, scope=scope)

    def figures(m: str) -> list[store.Kpi]:
        chosen = [c for b, c in cells[m].items() if b == building_id] if building_id else cells[m].values()
        return store.kpis_of(store.total(chosen))

    trend = [(m, figures(m)) for m in labels]
    kpis = trend[-1][1]
    chart = {"labels": [k.key for k in kpis],
             "values": [round(k.value * 100, 1) if k.value is not None else None for k in kpis],
             "targets": [round(k.target * 100, 1) for k in kpis]}
    charts = [trend_chart(d.key, labels, [ks[n].value for _, ks in trend], d.target)
              for n, d in enumerate(store.DEFINITIONS)]
    breakdown = await kpi_breakdown.breakdown(month, start, end, scope=scope, cells=cells[month])
    return {"kpis": kpis, "month": month, "building_id": building_id, "buildings": await places.buildings(scope=scope),
            "chart": msgspec.json.encode(chart).decode(), "live_version": await store.clock_version(),
            "trend_months": trend, "charts": charts, "breakdown": breakdown}


@get("/desk/kpi", name="desk.kpi", include_in_schema=False)
async def dashboard(request: DeskRequest, month: FromQuery[str] = "", building_id: FromQuery[str] = "") -> Template:
    return render(request, "kpi.html", "_kpi.html", await kpi_context(request, month, building_id))


async def records_context(request: DeskRequest) -> dict:
    """The records behind one figure: ``kpi`` and ``part`` (numerator or denominator) of the
    month, over the scope, one estate of it, one building or one steward's buildings."""
    q = request.query_params
    month = chosen_month(request, q.get("month", ""))
    key = q.get("kpi") or store.DEFINITIONS[0].key  # a bare list: the first KPI's denominator
    part = q.get("part") or "denominator"
    if key not in store.BY_KEY or part not in kpi_records.PARTS:
        raise ApiError(422, "invalid_kpi", "没有这项指标 / no such KPI figure")
    scope = request.user.scope
    estate_id = q.get("estate_id", "")
    if estate_id:  # one column of the estates side by side
        if not scope.whole_estates or estate_id not in scope.estates:
            raise ApiError(404, "estate_not_found", "找不到该项目 / no such estate")
        scope = Scope(estates=frozenset({estate_id}), buildings=None)
    building_id, steward_id = q.get("building_id", ""), q.get("steward_id", "")
    buildings: list[str] | None = None
    title = (await places.estates(scope=scope))[0]["name"] if estate_id else ""
    if building_id:
        codes = await places.building_codes(scope=scope)
        if building_id not in codes:
            raise ApiError(404, "building_not_found", "找不到该楼栋 / no such building")
        buildings, title = [building_id], codes[building_id]
    elif steward_id:
        steward = next((s for s in await kpi_breakdown.responsibilities(scope=scope) if s["id"] == steward_id), None)
        if steward is None:
            raise ApiError(404, "steward_not_found", "找不到该管家 / no such steward")
        buildings, title = steward["building_ids"], steward["name"]
    start, end = month_bounds(request, month)
    found = await kpi_records.records(key, part, start, end, month, buildings, scope=scope,
                                      personal=sees_personal_data(request.user.role))
    figure = next(k for k in await store.month_kpis(start, end, month, building_id or None, scope=scope)
                  if k.key == key) if not steward_id else None
    return {"month": month, "key": key, "part": part, "records": found, "where": title, "figure": figure}


@get("/desk/kpi/records", name="desk.kpi_records", include_in_schema=False)
async def figure_records(request: DeskRequest) -> Template:
    return render(request, "kpi_records.html", "_kpi_records.html", await records_context(request))


@get("/desk/kpi/estates", name="desk.kpi_estates", include_in_schema=False)
async def estates_side_by_side(request: DeskRequest, month: FromQuery[str] = "") -> Template:
    """Each estate's KPIs of the month, side by side (the company's view; a manager of
    several estates sees theirs)."""
    month = chosen_month(request, month)
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


def _percent(k: store.Kpi) -> float | str:
    return round(k.value * 100, 2) if k.value is not None else ""


@export_list("kpi", page="desk.kpi")  # managers only, as the page
async def kpi_list(request: DeskRequest) -> Table:
    ctx = await kpi_context(request, request.query_params.get("month", ""), request.query_params.get("building_id", ""))
    return (["kpi.month", "kpi.title", "kpi.numerator", "kpi.denominator", "kpi.value", "kpi.target"],
            [[ctx["month"], translate(request_language(request), f"kpi.{k.key}"), k.numerator, k.denominator,
              _percent(k), round(k.target * 100, 2)] for k in ctx["kpis"]])


@export_list("kpi_breakdown", page="desk.kpi")
async def breakdown_list(request: DeskRequest) -> Table:
    """The month's breakdown: one line per building, steward and KPI."""
    month = chosen_month(request, request.query_params.get("month", ""))
    start, end = month_bounds(request, month)
    found = await kpi_breakdown.breakdown(month, start, end, scope=request.user.scope)
    lang = request_language(request)
    lines = [("kpi.building", p) for p in found.buildings] + [("kpi.steward", p) for p in found.stewards]
    if found.unassigned is not None:
        lines.append(("kpi.steward", found.unassigned))
    return (["kpi.month", "kpi.breakdown_by", "kpi.breakdown_name", "kpi.title", "kpi.numerator",
             "kpi.denominator", "kpi.value", "kpi.target"],
            [[month, translate(lang, by), part.name or translate(lang, "kpi.no_steward"),
              translate(lang, f"kpi.{k.key}"), k.numerator, k.denominator, _percent(k), round(k.target * 100, 2)]
             for by, part in lines for k in part.kpis])


@export_list("kpi_records", page="desk.kpi_records", personal=True)  # owners' names for the office roles
async def records_list(request: DeskRequest) -> Table:
    ctx = await records_context(request)
    found: kpi_records.Records = ctx["records"]
    lang = request_language(request)

    def cell(row: dict, column: str) -> object:
        value = row.get(column)
        if column == "check":
            return translate(lang, f"kpi_records.check.{value}")
        if column == "source" and value:
            return row.get("number") or translate(lang, f"visit.purpose.{value}")
        if column == "invalid_category" and value:
            return translate(lang, f"invalid_complaint.{value}")
        if column == "status" and value:
            return translate(lang, f"status.{value}")
        return "" if value is None else value

    return ([f"kpi_records.{c}" for c in found.columns], [[cell(r, c) for c in found.columns] for r in found.rows])


ROUTES = [dashboard, figure_records, estates_side_by_side, live]
nav_entry(NavEntry(href="/desk/kpi", key="nav.kpi", route="desk.kpi", order=110))
nav_entry(NavEntry(href="/desk/kpi/estates", key="nav.kpi_estates", route="desk.kpi_estates", order=115))
