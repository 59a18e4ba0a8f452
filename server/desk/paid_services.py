"""有偿特约服务 (应知 18, 应知 9): the estate's price list on a settings page (the manager's,
each change audited: ``server.store.prices``), and a repair ticket's paid service recorded by
the office: the item, quantity, which price, the amount and the payment. Staff never sell a
service on their own (应知 9): it is a ticket, written through the merge like any desk edit,
and its callback feeds 有偿服务满意率 (``server.store.kpi``)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.limits import Short
from schemas.vocab import PaidPrice, PaymentMethod
from server.desk.common import DeskRequest, chosen_estate, client_ip, now, render, setting_context
from server.desk.forms import form_of, label
from server.desk.registry import NavEntry, nav_entry
from server.desk.tickets import change_ticket, open_ticket
from server.errors import ApiError
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import prices as store
from sync.pricing import PAID_FIELDS, PriceItem, PriceList, PricingError, fen_of, line, refusal_text, yuan

grant({"desk.paid_prices": MANAGEMENT, "desk.paid_prices_save": MANAGEMENT,
       "desk.ticket_paid_service": OFFICE})

CODE = re.compile(r"[a-z][a-z0-9_]{0,15}")  # an item's code in the list and on tickets
PAYMENT_FIELDS = ("paid_method", "paid_at")
MAX_ITEMS = 100  # rows of the price list form read at most


def refused(error: PricingError, field: str | None = None) -> ApiError:
    """The desk's answer to a price or service the list does not allow (422, the code)."""
    return ApiError(422, error.code, refusal_text(error.code), {"field": field} if field else None)


# --- the price list (有偿服务价目) ---------------------------------------------------------


async def _context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.of_estate, "prices", **extra)


@get("/desk/settings/paid-services", name="desk.paid_prices", include_in_schema=False)
async def page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "paid_prices.html", "_paid_prices.html", await _context(request, estate_id))


def _text(values: dict[str, Any], field: str, name: str, length: int) -> str:
    value = str(values.get(field) or "").strip()
    try:
        msgspec.convert(value, Short[length])
    except msgspec.ValidationError:
        value = ""
    if not value:
        zh, en = label(name)
        raise ApiError(422, "invalid_form", f"“{zh}”应为 1 到 {length} 个字 / {en}: 1 to {length} characters",
                       {"field": field})
    return value


def _rate(values: dict[str, Any], field: str, percent: bool) -> int:
    """A price typed in yuan (in fen), or a whole percentage of the rent (0–100)."""
    raw = str(values.get(field) or "").strip()
    if percent:
        if not re.fullmatch(r"[0-9]{1,3}", raw) or int(raw) > 100:
            raise ApiError(422, "invalid_price", "房租比例应为 0 到 100 的整数 / the rent's share is a whole "
                           "percentage from 0 to 100", {"field": field})
        return int(raw)
    try:
        return fen_of(raw)
    except PricingError as error:
        raise ApiError(422, "invalid_price", refusal_text(error.code), {"field": field}) from None


def price_list_of(values: dict[str, Any]) -> PriceList:
    """The form's rows (``code_0``, ``name_0``…; the last row may add an item), each checked;
    a row ticked ``remove_N`` leaves the list (old tickets keep the name they were charged)."""
    items: list[PriceItem] = []
    rows = str(values.get("rows") or "")
    for n in range(min(int(rows), MAX_ITEMS) if re.fullmatch(r"[0-9]{1,3}", rows) else 0):
        code = str(values.get(f"code_{n}") or "").strip()
        if values.get(f"remove_{n}") or (not code and not str(values.get(f"name_{n}") or "").strip()):
            continue
        if not CODE.fullmatch(code):
            raise ApiError(422, "invalid_item_code", "项目代码应为小写字母开头的字母、数字或下划线，"
                           "最多 16 个 / an item code is lowercase letters, digits or _, up to 16",
                           {"field": f"code_{n}"})
        if any(i.code == code for i in items):
            raise ApiError(422, "duplicate_item", f"项目代码 {code} 重复 / the item code {code} appears twice",
                           {"field": f"code_{n}"})
        percent = values.get(f"rent_percent_{n}") in ("true", "on", "1")
        items.append(PriceItem(code=code, name=_text(values, f"name_{n}", "paid_item_name", 50),
                               unit=_text(values, f"unit_{n}", "paid_unit", 8),
                               member=_rate(values, f"member_{n}", percent),
                               market=_rate(values, f"market_{n}", percent), rent_percent=percent))
    if not items:  # a form that lost its rows must not wipe the list
        raise ApiError(422, "empty_price_list", "价目表至少要有一个项目 / the price list needs at least one item")
    return PriceList(items=tuple(items))


@post("/desk/settings/paid-services", name="desk.paid_prices_save", include_in_schema=False)
async def save(request: DeskRequest) -> Template | Redirect:
    form = await request.form()
    values = {k: form.get(k) for k in form.keys()}
    context = await chosen_estate(request, str(values.get("estate_id") or ""))
    estate_id = context["estate"]["id"]
    await store.set_prices(estate_id, price_list_of(values), user_id=request.user.user_id, ip=client_ip(request))
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/settings/paid-services?estate_id={estate_id}", status_code=303)
    return render(request, "paid_prices.html", "_paid_prices.html", await _context(request, estate_id, saved=True))


# --- a repair ticket's paid service ------------------------------------------------------


class PaidServiceForm(msgspec.Struct, kw_only=True):
    version: int
    base_line: Annotated[str, msgspec.Meta(max_length=2000)]  # the paid fields the form showed (JSON)
    paid_item: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    paid_price: PaidPrice = "member"
    paid_quantity: int = 1
    paid_rent: Annotated[str, msgspec.Meta(max_length=20)] = ""  # yuan, for an item priced on the rent
    paid_amount: Annotated[str, msgspec.Meta(max_length=20)] = ""  # yuan; empty: the list's amount
    paid_adjust_reason: Short[200] = ""
    paid: bool = False  # 已收款
    paid_method: PaymentMethod | None = None


def _money(raw: str, field: str) -> int | None:
    if not raw.strip():
        return None
    try:
        return fen_of(raw)
    except PricingError as error:
        raise refused(error, field) from None


@post("/desk/tickets/{ticket_id:str}/paid-service", name="desk.ticket_paid_service", include_in_schema=False)
async def record(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    """Record (or correct) the paid service of a repair: priced from the estate's list as
    it is now, kept on the ticket; a non-repair is refused by the merge (``paid_not_repair``)."""
    form = await form_of(request, PaidServiceForm)
    ticket = await open_ticket(request, ticket_id)
    try:
        base = json.loads(form.base_line)
    except ValueError:
        base = None
    if not isinstance(base, dict) or not set(base) <= {*PAID_FIELDS, *PAYMENT_FIELDS}:
        raise ApiError(422, "invalid_form", "表单已损坏，请刷新页面 / the form is damaged: reload the page")
    prices, _ = await store.of_estate(ticket["estate_id"])
    try:
        changes: dict[str, Any] = line(prices, form.paid_item, form.paid_price, form.paid_quantity,
                                       rent_fen=_money(form.paid_rent, "paid_rent"),
                                       amount_fen=_money(form.paid_amount, "paid_amount"),
                                       reason=form.paid_adjust_reason)
    except PricingError as error:
        raise refused(error) from None
    if form.paid and form.paid_method is None:
        raise ApiError(422, "payment_method_required", "已收款请选择收款方式 / paid: choose how",
                       {"field": "paid_method"})
    paid_at = (ticket["paid_at"] or now()) if form.paid else None
    changes |= {"paid_method": form.paid_method if form.paid else None, "paid_at": paid_at}
    # the line says what was charged and, once paid, how (a code the page shows in words)
    body = f"{changes['paid_item_name']} ×{form.paid_quantity} = {yuan(changes['paid_amount_fen'])}" + (
        f" · {form.paid_method}" if form.paid else "")
    return await change_ticket(request, ticket_id, form.version, {f: base.get(f) for f in changes}, changes,
                               {"type": "paid_service", "body": body})

ROUTES = [page, save, record]
nav_entry(NavEntry(href="/desk/settings/paid-services", key="nav.paid_prices", route="desk.paid_prices", order=119))
