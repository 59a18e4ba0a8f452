"""抄表 at the desk: 复核 of flagged readings (accept, or send back a re-read task the
steward's phone shows until a newer reading of the meter arrives), the meters of the
estate (added and changed by the manager), and the month's 分摊 sheet for finance (CSV/XLSX).
Every change goes through the sync merge (``server.writes``), so phones see it on their next
pull; the sheet's arithmetic is ``sync.meters``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.limits import Count, Short, Text
from schemas.vocab import MeterKind, MeterUse
from server import writes
from server.desk.common import DeskRequest, after_write, base_context, chosen_estate, client_ip, render, setting_context
from server.desk.forms import form_of
from server.desk.kpi import chosen_month, month_bounds
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import meters as store
from server.store import places
from server.templating import request_language
from sync.meters import FROM_SEEDS, MeterSettings
from sync.pricing import PricingError, fen_of
from sync.scope import Scope

grant({
    "desk.meters": OFFICE, "desk.meter_review": OFFICE, "desk.meter_sheet": OFFICE,
    "desk.meter_list": OFFICE, "desk.meter_save": MANAGEMENT,
    "desk.meter_settings": MANAGEMENT, "desk.meter_settings_save": MANAGEMENT,
})


# --- 复核 ----------------------------------------------------------------------------


async def review_context(scope: Scope) -> dict[str, Any]:
    return {"flagged": await store.to_review(scope=scope), "rereads": await store.rereads(scope=scope)}


@get("/desk/meters", name="desk.meters", include_in_schema=False)
async def review_page(request: DeskRequest) -> Template:
    """复核: flagged readings waiting (newest first), and the re-reads sent back, open or done."""
    return render(request, "meters.html", "_meter_review.html", await review_context(request.user.scope))


class ReviewForm(msgspec.Struct, kw_only=True):
    version: int
    decision: Literal["accepted", "reread"]
    note: Text[2000] = ""


@post("/desk/meters/readings/{reading_id:str}", name="desk.meter_review", include_in_schema=False)
async def review(request: DeskRequest, reading_id: FromPath[str]) -> Redirect | Template:
    """Accept a reading, or send it back for a re-read (the note says why); a reading not in
    scope is 404, one already reviewed 409, and nothing changes."""
    form = await form_of(request, ReviewForm)
    found = [r for r in await store.to_review(scope=request.user.scope) if r["id"] == reading_id]
    if not found:
        raise ApiError(409 if await store.reading_exists(reading_id, scope=request.user.scope) else 404,
                       "reading_not_waiting", "该读数不在待复核列表中，请刷新 / this reading is not waiting for review: reload")
    reading = found[0]
    await writes.apply(request.user, [writes.update(
        "meter_reading", reading_id, form.version, {"review": None, "review_note": reading["review_note"]},
        {"review": form.decision, "review_note": form.note})])
    redirect = after_write(request, "/desk/meters")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_meter_review.html",
                    context={**base_context(request), **await review_context(request.user.scope), "saved": True})


# --- the meters ----------------------------------------------------------------------


class MeterForm(msgspec.Struct, kw_only=True):
    building_id: Short[36]
    unit_code: Short[30] = ""
    kind: MeterKind
    use: MeterUse
    floor: Count = 0
    place: Short[50] = ""
    walk_order: Count = 0
    serial: Short[40] = ""


async def list_context(request: DeskRequest, building_id: str) -> dict[str, Any]:
    scope = request.user.scope
    buildings = await places.buildings(scope=scope)
    chosen = building_id or (buildings[0]["id"] if buildings else "")
    return {"buildings": buildings, "building_id": chosen,
            "meters": await store.meters(chosen, scope=scope) if chosen else [],
            "may_edit": request.user.role in MANAGEMENT}


@get("/desk/meters/list", name="desk.meter_list", include_in_schema=False)
async def meter_list(request: DeskRequest, building_id: FromQuery[str] = "") -> Template:
    """A building's meters floor by floor in walking order; the manager adds one."""
    return render(request, "meter_list.html", "_meter_list.html", await list_context(request, building_id))


@post("/desk/meters/list", name="desk.meter_save", include_in_schema=False)
async def meter_save(request: DeskRequest) -> Redirect | Template:
    """Add a meter: a household meter names its unit (by code, in that building), a public
    one none. Refused: a unit code not in the building (422), a household meter without a
    unit or a public one with one (422)."""
    form = await form_of(request, MeterForm)
    unit_id = await _unit_of(form, scope=request.user.scope)
    fields = {"building_id": form.building_id, "unit_id": unit_id, "kind": form.kind, "use": form.use,
              "floor": form.floor, "place": form.place, "walk_order": form.walk_order, "serial": form.serial}
    await writes.apply(request.user, [writes.create("meter", fields)])
    redirect = after_write(request, f"/desk/meters/list?building_id={form.building_id}")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_meter_list.html",
                    context={**base_context(request), **await list_context(request, form.building_id), "saved": True})


async def _unit_of(form: MeterForm, *, scope: Scope) -> str | None:
    code = form.unit_code.strip()
    if form.use == "public":
        if code:
            raise ApiError(422, "public_meter_unit", "公共表不属于某一户 / a public meter belongs to no unit",
                           {"field": "unit_code"})
        return None
    if not code:
        raise ApiError(422, "meter_unit_required", "分户表须填写户号 / a household meter needs its unit",
                       {"field": "unit_code"})
    unit_id = await store.unit_id_of(form.building_id, code, scope=scope)
    if unit_id is None:
        raise ApiError(422, "unknown_unit", f"该楼栋没有户号 {code} / no unit {code} in this building",
                       {"field": "unit_code"})
    return unit_id


# --- 分摊 ------------------------------------------------------------------------------


async def sheet_context(request: DeskRequest, month: str, estate_id: str) -> dict[str, Any]:
    month = chosen_month(request, month)
    context = await chosen_estate(request, estate_id)
    estate = context["estate"]["id"]
    settings, own = await store.settings_of(estate)
    scope = request.user.scope
    in_estate = Scope(estates=frozenset({estate}), buildings=scope.buildings, own_user=scope.own_user)
    start, end = month_bounds(request, month)
    rows = await store.month_sheet(start, end, settings=settings, scope=in_estate)
    return {**context, "month": month, "rows": rows, "settings": settings, "own": own,
            "total_fen": sum(r["amount_fen"] for r in rows)}


@get("/desk/meters/sheet", name="desk.meter_sheet", include_in_schema=False)
async def sheet(request: DeskRequest, month: FromQuery[str] = "", estate_id: FromQuery[str] = "") -> Template:
    """分摊: the month's sheet for finance, each unit's share of its building's public use
    shown with its formula."""
    return render(request, "meter_sheet.html", "_meter_sheet.html", await sheet_context(request, month, estate_id))


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def figure(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@export_list("meter_sheet", page="desk.meter_sheet")
async def sheet_export(request: DeskRequest) -> Table:
    ctx = await sheet_context(request, request.query_params.get("month", ""), request.query_params.get("estate_id", ""))
    lang = request_language(request)
    return (["field.building", "field.unit", "meters.kind", "meters.last", "meters.current", "meters.use",
             "meters.public_use", "meters.share", "meters.tariff", "meters.amount"],
            [[r["building_code"], r["unit_code"], translate(lang, f"meter_kind.{r['kind']}"), figure(r["last"]),
              figure(r["current"]), figure(r["use"]), figure(r["public_use"]), f"{r['share']:.2f}",
              yuan(r["tariff_fen"]), yuan(r["amount_fen"])] for r in ctx["rows"]])


# --- the estate's settings -----------------------------------------------------------


class SettingsForm(msgspec.Struct, kw_only=True):
    estate_id: Short[36]
    round_day: Annotated[int, Meta(ge=1, le=28)]
    high_factor: Annotated[float, Meta(ge=1.5, le=20)]
    average_months: Annotated[int, Meta(ge=1, le=24)]
    floor_water: Annotated[float, Meta(ge=0, le=1000)]
    floor_electricity: Annotated[float, Meta(ge=0, le=100000)]
    share_by: Literal["area", "equal"]
    tariff_water: Short[12]
    tariff_electricity: Short[12]


async def settings_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.settings_of, "settings", from_seeds=FROM_SEEDS, **extra)


@get("/desk/settings/meters", name="desk.meter_settings", include_in_schema=False)
async def settings_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    """抄表设置: the round day, the high-use rule, how public use is shared, the tariffs."""
    return render(request, "meter_settings.html", "_meter_settings.html", await settings_context(request, estate_id))


def _tariff(text: str, field: str) -> int:
    """A tariff typed in yuan (``2.4``) in fen; zero or not money is 422."""
    try:
        fen = fen_of(text)
    except PricingError:
        fen = 0
    if fen <= 0:
        raise ApiError(422, "invalid_tariff", "单价应为大于 0 的金额（元，最多两位小数） / a tariff is an amount "
                       "above 0 (yuan, at most two decimals)", {"field": field})
    return fen


@post("/desk/settings/meters", name="desk.meter_settings_save", include_in_schema=False)
async def settings_save(request: DeskRequest) -> Redirect | Template:
    """Keep the form as the estate's own settings (audited); a value out of bounds is 422."""
    form = await form_of(request, SettingsForm)
    estate_id = (await chosen_estate(request, form.estate_id))["estate"]["id"]
    settings = MeterSettings(
        round_day=form.round_day, high_factor=form.high_factor, average_months=form.average_months,
        high_floor={"water": form.floor_water, "electricity": form.floor_electricity}, share_by=form.share_by,
        tariff_fen={"water": _tariff(form.tariff_water, "tariff_water"),
                    "electricity": _tariff(form.tariff_electricity, "tariff_electricity")})
    await store.set_settings(estate_id, settings, user_id=request.user.user_id, ip=client_ip(request))
    redirect = after_write(request, f"/desk/settings/meters?estate_id={estate_id}")
    if redirect:
        return redirect
    return render(request, "meter_settings.html", "_meter_settings.html",
                  await settings_context(request, estate_id, saved=True))


ROUTES = [review_page, review, meter_list, meter_save, sheet, settings_page, settings_save]
nav_entry(NavEntry(href="/desk/meters", key="nav.meters", route="desk.meters", order=76))
nav_entry(NavEntry(href="/desk/settings/meters", key="nav.meter_settings", route="desk.meter_settings", order=121))
