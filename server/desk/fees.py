"""费用催缴 (应会 7) at the desk: the collection rate (收缴率) by steward, building and fee
item against the estate's targets; each unit's stage, arrears and 催缴记录; payments
recorded per bill (audited; the unit's arrears on the phones follow); printable second and
third notices for a batch of units; the estate's fee calendar and targets (the manager's);
CSV/XLSX of the arrears and of the rates."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.fees import FeeCalendar
from schemas.vocab import FeeNotice
from server.desk.common import DeskRequest, chosen_estate, client_ip, day_bounds, local_today, parse_date, render, setting_context
from server.desk.forms import form_of
from server.desk.kpi import chosen_month
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import fees as store
from server.store import places
from server.templating import request_language
from sync.fees import (
    SEED_FEE_TERMS, Bill, FeeTerms, FeeTermsError, Rate, checked, collection_rates, late_fee_fen, month_before,
    refusal_text, stage,
)
from sync.pricing import PricingError, fen_of
from sync.pricing import refusal_text as money_text

grant({"desk.fees": OFFICE, "desk.fee_unit": OFFICE, "desk.fee_payment": OFFICE, "desk.fee_notices": OFFICE,
       "desk.fee_terms": MANAGEMENT, "desk.fee_terms_save": MANAGEMENT})

MAX_NOTICES = 200  # units printed in one batch


def chosen_day(request: DeskRequest, day: str) -> date:
    """The day the stages are computed for (``?day=``), today by default."""
    if not day:
        return local_today(request)
    parsed = parse_date(day)
    if parsed is None:
        raise ApiError(422, "invalid_day", "日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD")
    return parsed


def _staged(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Each arrears row with its stage and late fee on ``day`` (from the calendar it carries)."""
    out = []
    for row in rows:
        calendar = msgspec.convert(row["calendar"] or {}, FeeCalendar)
        out.append({**row, "stage": stage(day, row["oldest_month"], calendar),
                    "late_fee_fen": late_fee_fen(row["lines"], day, calendar),
                    "items": sorted({line.item for line in row["lines"]}),
                    "months": sorted({line.month for line in row["lines"]})})
    return out


async def fees_context(request: DeskRequest, month: str, day: str) -> dict[str, Any]:
    scope = request.user.scope
    today = chosen_day(request, day)
    month = chosen_month(request, month or month_before(today))
    bills = await store.bills(month, scope=scope)
    stewards = await store.stewards(scope=scope)
    buildings = await places.building_codes(scope=scope)
    # the targets of the estate (of the first, when an office role sees several)
    target = (await store.of_estate(min(scope.estates)))[0] if scope.estates else SEED_FEE_TERMS
    by_steward = collection_rates(bills, {k: v["buildings"] for k, v in stewards.items()})
    arrears = _staged(await store.arrears(scope=scope), today)
    return {
        "month": month, "day": today.isoformat(), "terms": target,
        "total": _total(bills),
        "by_steward": [(stewards[k]["name"], r) for k, r in by_steward.items()],
        "by_building": sorted(((buildings.get(k, k), r) for k, r in collection_rates(bills).items()),
                              key=lambda pair: places.natural(pair[0])),
        "by_item": sorted(collection_rates(bills, by="item").items()),
        "arrears": [a for a in arrears if a["stage"] != "not_due"], "buildings": buildings,
    }


def _total(bills: list[Bill]) -> Rate:
    """The month's rate over every bill in scope (管理处合计)."""
    return collection_rates(bills, {"all": {b.building_id for b in bills}})["all"]


@get("/desk/fees", name="desk.fees", include_in_schema=False)
async def page(request: DeskRequest, month: FromQuery[str] = "", day: FromQuery[str] = "") -> Template:
    return render(request, "fees.html", "_fees.html", await fees_context(request, month, day))


@get("/desk/fees/units/{unit_id:str}", name="desk.fee_unit", include_in_schema=False)
async def unit(request: DeskRequest, unit_id: FromPath[str], day: FromQuery[str] = "") -> Template:
    scope = request.user.scope
    code = await store.unit_code(unit_id, scope=scope)
    if code is None:
        raise ApiError(404, "unknown_unit", "找不到该房屋 / no such unit")
    bills = await store.unit_bills(unit_id, scope=scope)
    arrears = _staged(await store.arrears(scope=scope, unit_ids={unit_id}), chosen_day(request, day))
    contacts = await store.contacts(unit_id, scope=scope)
    return render(request, "fee_unit.html", "_fee_unit.html", {
        "unit_id": unit_id, "unit_code": code, "bills": bills, "arrears": arrears[0] if arrears else None,
        "contacts": contacts,
        "day": chosen_day(request, day).isoformat()})


class PaymentForm(msgspec.Struct, kw_only=True):
    paid: Annotated[str, msgspec.Meta(max_length=20)]  # yuan paid of this bill so far
    paid_on: Annotated[str, msgspec.Meta(max_length=10)] = ""


@post("/desk/fees/bills/{bill_id:str}/payment", name="desk.fee_payment", include_in_schema=False)
async def payment(request: DeskRequest, bill_id: FromPath[str]) -> Redirect:
    """Record what has been paid of a bill (the total so far): the unit's arrears change on
    the phones at their next pull; audited."""
    if not re.fullmatch(r"[0-9]{1,12}", bill_id):
        raise ApiError(404, "unknown_bill", "找不到该账单 / no such bill")
    form = await form_of(request, PaymentForm)
    try:
        paid_fen = fen_of(form.paid)
    except PricingError as error:
        raise ApiError(422, error.code, money_text(error.code), {"field": "paid"}) from None
    paid_on = parse_date(form.paid_on) if form.paid_on else local_today(request)
    if paid_on is None:
        raise ApiError(422, "invalid_day", "日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD", {"field": "paid_on"})
    try:
        done = await store.record_payment(int(bill_id), paid_fen, day_bounds(request, paid_on)[0],
                                          scope=request.user.scope,
                                          user_id=request.user.user_id, ip=client_ip(request))
    except store.PaymentRefused as error:
        if error.code == "unknown_bill":
            raise ApiError(404, "unknown_bill", "找不到该账单 / no such bill") from None
        raise ApiError(422, "overpaid", "实收不能大于应收 / paid cannot exceed the amount due", {"field": "paid"}) from None
    return Redirect(f"/desk/fees/units/{done['unit']}", status_code=303)


UNIT_ID = re.compile(r"[0-9a-fA-F-]{1,36}")


@get("/desk/fees/notices", name="desk.fee_notices", include_in_schema=False)
async def notices(request: DeskRequest, notice: FromQuery[str] = "second", day: FromQuery[str] = "") -> Template:
    """Printable 二次 / 三次通知单 of the units ticked on the fees page (``?unit=`` repeated),
    amounts and (on the third) the late fee filled in for ``day``."""
    if notice not in ("second", "third"):
        raise ApiError(422, "invalid_notice", "通知单应为二次或三次 / the notice is the second or the third")
    units = [u for u in request.query_params.getall("unit", []) if UNIT_ID.fullmatch(u)]
    if not units or len(units) > MAX_NOTICES:
        raise ApiError(422, "no_units", f"请选择 1 到 {MAX_NOTICES} 户 / choose 1 to {MAX_NOTICES} units")
    today = chosen_day(request, day)
    rows = _staged(await store.arrears(scope=request.user.scope, unit_ids=set(units)), today)
    if not rows:
        raise ApiError(404, "no_arrears", "所选房屋没有欠费 / the chosen units owe nothing")
    kind: FeeNotice = "third" if notice == "third" else "second"
    return Template(template_name="pages/desk/fee_notices.html", context={
        "user": request.user, "rows": rows, "notice": kind, "day": today})


# --- exports -----------------------------------------------------------------------------


@export_list("fee_arrears", page="desk.fees", personal=True)
async def arrears_list(request: DeskRequest) -> Table:
    ctx = await fees_context(request, request.query_params.get("month", ""), request.query_params.get("day", ""))
    lang = request_language(request)
    return (["field.building", "field.unit", "fee.owner", "fee.items", "fee.months", "fee.amount", "fee.late_fee",
             "fee.stage", "fee.last_contact"],
            [[ctx["buildings"].get(a["building_id"], ""), a["unit_code"], a["owner_name"],
              "、".join(translate(lang, f"fee.item.{i}") for i in a["items"]), "、".join(a["months"]),
              a["amount_fen"] / 100, a["late_fee_fen"] / 100, translate(lang, f"fee.stage.{a['stage']}"),
              (a["last_contact"] or {}).get("contacted_at", "")[:10]] for a in ctx["arrears"]])


@export_list("fee_collection", page="desk.fees")
async def rates_list(request: DeskRequest) -> Table:
    ctx = await fees_context(request, request.query_params.get("month", ""), request.query_params.get("day", ""))
    lang = request_language(request)
    rows: list[list[Any]] = []
    for kind, pairs in (("fee.by_steward", ctx["by_steward"]), ("fee.by_building", ctx["by_building"]),
                        ("fee.by_item", [(translate(lang, f"fee.item.{k}"), r) for k, r in ctx["by_item"]])):
        for name, rate in pairs:
            rows.append([translate(lang, kind), name, ctx["month"], rate.due_fen / 100, rate.collected_fen / 100,
                         None if rate.rate is None else round(rate.rate * 100, 2)])
    return (["fee.group", "fee.name", "fee.month", "fee.due", "fee.collected", "fee.rate"], rows)


# --- the estate's settings -----------------------------------------------------------------


async def _terms_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.of_estate, "fee_terms", **extra)


@get("/desk/settings/fees", name="desk.fee_terms", include_in_schema=False)
async def terms_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "fee_terms.html", "_fee_terms.html", await _terms_context(request, estate_id))


class TermsForm(msgspec.Struct, kw_only=True):
    estate_id: Annotated[str, msgspec.Meta(max_length=36)] = ""
    list_by: int
    phone_from: int
    second_from: int
    third_from: int
    late_fee_per_10k: int
    office_target: int
    steward_target: int


@post("/desk/settings/fees", name="desk.fee_terms_save", include_in_schema=False)
async def terms_save(request: DeskRequest) -> Template | Redirect:
    form = await form_of(request, TermsForm)
    context = await chosen_estate(request, form.estate_id)
    estate_id = context["estate"]["id"]
    try:
        terms = checked(FeeTerms(
            calendar=FeeCalendar(list_by=form.list_by, phone_from=form.phone_from, second_from=form.second_from,
                                 third_from=form.third_from, late_fee_per_10k=form.late_fee_per_10k),
            office_target=form.office_target, steward_target=form.steward_target))
    except FeeTermsError as error:
        raise ApiError(422, error.code, refusal_text(error.code)) from None
    await store.set_fee_terms(estate_id, terms, user_id=request.user.user_id, ip=client_ip(request))
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/settings/fees?estate_id={estate_id}", status_code=303)
    return render(request, "fee_terms.html", "_fee_terms.html", await _terms_context(request, estate_id, saved=True))


ROUTES = [page, unit, payment, notices, terms_page, terms_save]
nav_entry(NavEntry(href="/desk/fees", key="nav.fees", route="desk.fees", order=79))
nav_entry(NavEntry(href="/desk/settings/fees", key="nav.fee_terms", route="desk.fee_terms", order=125))
