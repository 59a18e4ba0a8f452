"""Field work pages: callbacks due, vacant units, patrol log, stewards' phones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from schemas.vocab import VACANT_CHECKLIST
from server.desk.common import (
    DeskRequest,
    day_bounds,
    local_time_of,
    local_today,
    parse_date,
    render,
)
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.desk.tickets import TICKET_HEADERS, ticket_line
from server.errors import ApiError
from server.i18n import translate
from server.policy import OFFICE, grant
from server.store import field_work as store
from server.store import evidence, places, tickets
from server.templating import request_language

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.callbacks": OFFICE,
    "desk.vacant": OFFICE,
    "desk.patrols": OFFICE,
    "desk.stewards": OFFICE,
})


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


async def callbacks_context(request: DeskRequest) -> dict:
    """Every callback still to make; one whose work was done before yesterday is overdue."""
    yesterday_start, _ = day_bounds(request, local_today(request) - timedelta(days=1))
    rows = await tickets.callbacks_due(yesterday_start, scope=request.user.scope)
    return {"rows": rows, "overdue": sum(r["callback_overdue"] for r in rows)}


@get("/desk/callbacks", name="desk.callbacks", include_in_schema=False)
async def callbacks(request: DeskRequest) -> Template:
    """回访: the repairs and complaints done and not yet called back, oldest first (the
    repair procedure: the day after the work; later is overdue)."""
    return render(request, "callbacks.html", "_callbacks.html", await callbacks_context(request))


async def vacant_context(request: DeskRequest, building_id: str) -> dict:
    today = local_today(request)
    this_week, last_week = iso_week(today), iso_week(today - timedelta(days=7))
    rows = await store.vacant_units(this_week, last_week, building_id or None, scope=request.user.scope)
    photos = await evidence.evidence([("vacant_check", r["last"]["id"]) for r in rows if r["last"]],
                                     scope=request.user.scope)
    for r in rows:
        r["evidence"] = photos.get(("vacant_check", r["last"]["id"]), []) if r["last"] else []
    return {"rows": rows, "week": this_week, "building_id": building_id,
            "buildings": await places.buildings(scope=request.user.scope), "items": VACANT_CHECKLIST,
            "due": sum(1 for r in rows if not r["checked"]), "overdue": sum(1 for r in rows if r["overdue"])}


@get("/desk/vacant", name="desk.vacant", include_in_schema=False)
async def vacant(request: DeskRequest, building_id: FromQuery[str] = "") -> Template:
    return render(request, "vacant.html", "_vacant.html", await vacant_context(request, building_id))


async def patrols_context(request: DeskRequest, day: str) -> dict:
    chosen = chosen_day(request, day, local_today(request))
    start, end = day_bounds(request, chosen)
    day = await store.patrol_day(start, end, scope=request.user.scope)
    found = [f for fs in day["findings"].values() for f in fs]
    photos = await evidence.evidence([("finding", f["id"]) for f in found], scope=request.user.scope)
    for f in found:
        f["evidence"] = photos.get(("finding", f["id"]), [])
    return {**day, "day": chosen.isoformat(),
            "today": chosen == local_today(request), "previous": (chosen - timedelta(days=1)).isoformat(),
            "next": (chosen + timedelta(days=1)).isoformat()}


@get("/desk/patrols", name="desk.patrols", include_in_schema=False)
async def patrols(request: DeskRequest, day: FromQuery[str] = "") -> Template:
    return render(request, "patrols.html", "_patrols.html", await patrols_context(request, day))


@get("/desk/stewards", name="desk.stewards", include_in_schema=False)
async def stewards(request: DeskRequest) -> Template:
    return render(request, "stewards.html", "_stewards.html", {"rows": await store.stewards(scope=request.user.scope)})


# --- exports -----------------------------------------------------------------------------


@export_list("callbacks", page="desk.callbacks", personal=True)
async def callback_list(request: DeskRequest) -> Table:
    ctx = await callbacks_context(request)
    return TICKET_HEADERS + ["field.done_at", "field.reporter_phone"], [
        ticket_line(request, r, local_time_of(request, r["done_at"]), r["reporter_phone"]) for r in ctx["rows"]]


@export_list("vacant", page="desk.vacant")
async def vacant_list(request: DeskRequest) -> Table:
    ctx = await vacant_context(request, request.query_params.get("building_id", ""))
    return (["field.building", "field.unit", "vacant.last_check", "vacant.overdue", "vacant.defects",
             "vacant.water", "vacant.electric"],
            [[r["building_code"], r["code"], r["last"]["week"] if r["last"] else "", "✔" if r["overdue"] else "",
              " ".join(r["defects"]), r["water_use"], r["electric_use"]] for r in ctx["rows"]])


@export_list("patrols", page="desk.patrols")
async def patrol_list(request: DeskRequest) -> Table:
    ctx = await patrols_context(request, request.query_params.get("day", ""))
    lang = request_language(request)
    return (["field.building", "field.time", "field.kind", "field.severity", "field.steward", "field.description"],
            [[building, local_time_of(request, f["occurred_at"]), translate(lang, f"finding.{f['kind']}"),
              translate(lang, f"severity.{f['severity']}"), f["steward"], f["description"]]
             for building, found in ctx["findings"].items() for f in found])


NO_DEVICE: dict[str, Any] = {"label": "", "last_push_at": None, "last_pull_at": None, "reported_pending": None}


@export_list("stewards", page="desk.stewards")
async def steward_list(request: DeskRequest) -> Table:
    rows = await store.stewards(scope=request.user.scope)
    return (["field.steward", "stewards.device", "stewards.last_push", "stewards.last_pull", "stewards.pending"],
            [[u["display_name"], d["label"], local_time_of(request, d["last_push_at"]),
              local_time_of(request, d["last_pull_at"]), d["reported_pending"]]
             for u in rows for d in (u["devices"] or [NO_DEVICE])])


ROUTES = [callbacks, vacant, patrols, stewards]
nav_entry(NavEntry(href="/desk/callbacks", key="nav.callbacks", route="desk.callbacks", order=30))
nav_entry(NavEntry(href="/desk/vacant", key="nav.vacant", route="desk.vacant", order=60))
nav_entry(NavEntry(href="/desk/patrols", key="nav.patrols", route="desk.patrols", order=70))
nav_entry(NavEntry(href="/desk/stewards", key="nav.stewards", route="desk.stewards", order=80))
