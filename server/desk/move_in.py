"""入住办理 at the desk (must-know-handbook 应会 2): a move-in step by step (identity checked
and the 业主信息表 → the three agreements → a year's 物业费 from the estate's rates → the 验房
signed on the steward's phone → keys, gifts and manuals handed over), each step refused out
of order; the key register (应知 19, 23: keys of public areas and undelivered units signed
out and back); and the manager's 物业费 rates (应知 17). Every write goes through the merge."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.vocab import KeyKind, UnitType, codes
from server import writes
from server.desk.common import DeskRequest, after_write, chosen_estate, client_ip, now, render, setting_context
from server.desk.registry import NavEntry, UnitSection, nav_entry, unit_section
from server.errors import ApiError
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import move_in as store
from sync.move_in import AGREEMENTS, FeeError, PropertyFees, fen_of_rate, step_refusal, year_fee
from sync.specs.move_in import STEPS

grant({"desk.move_ins": OFFICE, "desk.move_in_create": OFFICE, "desk.move_in": OFFICE,
       "desk.move_in_step": OFFICE, "desk.keys": OFFICE, "desk.key_create": OFFICE,
       "desk.key_out": OFFICE, "desk.key_back": OFFICE,
       "desk.property_fees": MANAGEMENT, "desk.property_fees_save": MANAGEMENT})

REFUSALS: dict[str, str] = {
    "identity_not_checked": "须先核验业主身份证原件 / check the owner's identity card first",
    "owner_name_required": "请填写业主姓名 / the owner's name is required",
    "unknown_unit_code": "找不到该房号 / no such unit",
    "move_in_open": "该房屋已有未办完的入住手续 / this unit already has a move-in under way",
    "step_out_of_order": "入住手续须按顺序办理 / the move-in steps go in order",
    "inspection_not_signed": "验房未完成或业主未签《房屋交接书》 / the handover inspection is not signed yet",
    "agreements_missing": "须先签定三项协议 / the three agreements must be signed first",
    "fee_not_recorded": "须先登记一年物业费及收据号 / record the year's fee and its receipt first",
    "handover_items_missing": "须登记钥匙、礼品及说明书的发放 / record the keys, gifts and manuals handed over",
    "no_fee_rate": "本项目没有该户型的物业费标准 / the estate has no fee rate for this unit type",
    "no_unit_area": "该房屋没有建筑面积，无法计算物业费 / the unit has no area to charge on",
    "key_label_required": "请填写钥匙名称 / the key needs a name",
    "key_unit_required": "房屋钥匙须填写房号 / a unit's key needs its unit",
    "key_already_out": "该钥匙已借出，须先归还 / this key is out: sign it back first",
    "key_not_out": "该钥匙未借出 / this key is not out",
    "borrower_required": "请填写借用人和事由 / who takes the key, and why",
    "invalid_fee_rate": "物业费标准应为 0 到 100 元之间的金额 / a rate is an amount from 0 to 100 yuan",
}


def refused(status: int, code: str, field: str | None = None) -> ApiError:
    return ApiError(status, code, REFUSALS[code], {"field": field} if field else None)


def _text(values: dict[str, Any], name: str, length: int) -> str:
    return str(values.get(name) or "").strip()[:length]


async def _values(request: DeskRequest) -> tuple[dict[str, Any], list[str]]:
    form = await request.form()
    return {k: form.get(k) for k in form.keys()}, [str(a) for a in form.getall("agreements", [])]


def derived_id(*parts: str) -> str:
    """A record id made from the form's own id: a second post of the same form makes nothing new."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "stewardsync:" + ":".join(parts)))


# --- move-ins ------------------------------------------------------------------------------


@get("/desk/move-ins", name="desk.move_ins", include_in_schema=False)
async def move_ins(request: DeskRequest, show: FromQuery[str] = "") -> Template:
    rows = await store.move_ins(scope=request.user.scope, open_only=show != "all")
    return render(request, "move_ins.html", "_move_ins.html",
                  {"move_ins": rows, "record_id": writes.new_id(), "show_all": show == "all"})


@post("/desk/move-ins", name="desk.move_in_create", include_in_schema=False)
async def create_move_in(request: DeskRequest) -> Redirect:
    """Step 1: the owner's identity checked (原件) and the 业主信息表: the unit's household is
    created, or its owner fields updated, with the move-in, in one batch of the merge."""
    values, _ = await _values(request)
    scope = request.user.scope
    record_id = _text(values, "record_id", 36) or writes.new_id()
    if await store.move_in(record_id, scope=scope):  # the same form posted twice
        return Redirect(f"/desk/move-ins/{record_id}", status_code=303)
    if values.get("id_checked") not in ("true", "on", "1"):
        raise refused(422, "identity_not_checked", "id_checked")
    owner = {name: _text(values, name, length) or None for name, length in (
        ("owner_name", 50), ("owner_phone", 30), ("owner_id_number", 30))}
    if not owner["owner_name"]:
        raise refused(422, "owner_name_required", "owner_name")
    unit = await store.unit_by_code(_text(values, "unit_code", 30), scope=scope)
    if unit is None:
        raise refused(422, "unknown_unit_code", "unit_code")
    if await store.open_move_in(unit["id"], scope=scope):
        raise refused(409, "move_in_open", "unit_code")
    family = _text(values, "family_structure", 500) or None
    household = await store.current_household(unit["id"], scope=scope)
    if household is None:
        household_id = derived_id(record_id, "household")
        first = writes.create("household", {"unit_id": unit["id"], **owner, "family_structure": family},
                              record_id=household_id)
    else:
        household_id = household["id"]
        changes = {**owner, "family_structure": family}
        first = writes.update("household", household_id, household["version"],
                              {k: household[k] for k in changes}, changes)
    await writes.apply(request.user, [first, writes.create("move_in", {
        "unit_id": unit["id"], "household_id": household_id, **owner,
        "work_unit": _text(values, "work_unit", 100) or None, "family_structure": family}, record_id=record_id)])
    return Redirect(f"/desk/move-ins/{record_id}", status_code=303)


async def _move_in_context(request: DeskRequest, move_in_id: str, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    row = await store.move_in(move_in_id, scope=scope)
    if row is None:
        raise ApiError(404, "move_in_not_found", "找不到该入住手续 / no such move-in")
    unit = await store.unit(row["unit_id"], scope=scope) or {}
    handover = await store.handover(move_in_id, scope=scope)
    tickets = await store.warranty_tickets(handover["id"], scope=scope) if handover else []
    fees, _ = await store.fees_of(row["estate_id"])
    try:
        fee = year_fee(fees, unit.get("unit_type", ""), float(unit.get("area_m2") or 0))
    except FeeError as error:
        fee, fee_error = None, error.code
    else:
        fee_error = None
    step_at = STEPS.index(row["step"])
    return {"move_in": row, "unit": unit, "handover": handover, "tickets": tickets, "steps": STEPS,
            "step_at": step_at, "next_step": STEPS[step_at + 1] if step_at + 1 < len(STEPS) else None,
            "agreement_codes": AGREEMENTS, "fee": fee, "fee_error": fee_error, **extra}


@get("/desk/move-ins/{move_in_id:str}", name="desk.move_in", include_in_schema=False)
async def move_in_page(request: DeskRequest, move_in_id: FromPath[str]) -> Template:
    return render(request, "move_in.html", "_move_in.html", await _move_in_context(request, move_in_id))


@post("/desk/move-ins/{move_in_id:str}/step", name="desk.move_in_step", include_in_schema=False)
async def move_in_step(request: DeskRequest, move_in_id: FromPath[str]) -> Template | Redirect:
    """The next step, with what it records; any other step is refused (409), and the keys
    only once the steward's 验房 is signed. A step posted twice is already there: no change."""
    values, agreements = await _values(request)
    context = await _move_in_context(request, move_in_id)
    row, step = context["move_in"], str(values.get("step") or "")
    if step == row["step"] or (step in STEPS and STEPS.index(step) < context["step_at"]):
        return after_write(request, f"/desk/move-ins/{move_in_id}") or render(
            request, "move_in.html", "_move_in.html", context)
    if step != context["next_step"]:
        raise refused(409, "step_out_of_order", "step")
    changes: dict[str, Any] = {"step": step}
    if step == "agreements_signed":
        changes["agreements"] = [a for a in AGREEMENTS if a in agreements]
    elif step == "fee_paid":
        if context["fee"] is None:
            raise refused(422, context["fee_error"])
        changes.update(fee_fen=context["fee"], fee_receipt=_text(values, "fee_receipt", 30))
    elif step == "handed_over":
        if not context["handover"] or context["handover"]["status"] != "signed":
            raise refused(409, "inspection_not_signed")
        keys = _text(values, "keys_handed", 3)
        changes.update(keys_handed=int(keys) if keys.isdigit() else 0,
                       gifts_handed=values.get("gifts_handed") in ("true", "on", "1"),
                       manuals_handed=values.get("manuals_handed") in ("true", "on", "1"))
    missing = step_refusal(step, {**row, **changes})
    if missing is not None:
        raise refused(422, missing)
    await writes.apply(request.user, [writes.update(
        "move_in", move_in_id, row["version"], {k: row[k] for k in changes}, changes)])
    return after_write(request, f"/desk/move-ins/{move_in_id}") or render(
        request, "move_in.html", "_move_in.html", await _move_in_context(request, move_in_id))


# --- the key register (钥匙登记) --------------------------------------------------------------


async def _keys_context(request: DeskRequest) -> dict[str, Any]:
    scope = request.user.scope
    return {"keys": await store.keys(scope=scope), "loans": await store.loans(scope=scope),
            "kinds": codes(KeyKind), "record_id": writes.new_id()}


@get("/desk/keys", name="desk.keys", include_in_schema=False)
async def keys_page(request: DeskRequest) -> Template:
    return render(request, "keys.html", "_keys.html", await _keys_context(request))


@post("/desk/keys", name="desk.key_create", include_in_schema=False)
async def key_create(request: DeskRequest) -> Template | Redirect:
    values, _ = await _values(request)
    scope = request.user.scope
    kind = str(values.get("kind") or "")
    label = _text(values, "label", 50)
    if not label:
        raise refused(422, "key_label_required", "label")
    fields: dict[str, Any] = {"kind": kind if kind in codes(KeyKind) else "public", "label": label,
                              "place": _text(values, "place", 50), "keeper": _text(values, "keeper", 50)}
    if fields["kind"] == "unit":
        unit = await store.unit_by_code(_text(values, "unit_code", 30), scope=scope)
        if unit is None:
            raise refused(422, "key_unit_required", "unit_code")
        fields["unit_id"] = unit["id"]
    else:
        fields["estate_id"] = (await chosen_estate(request, _text(values, "estate_id", 36)))["estate"]["id"]
    await writes.apply(request.user, [writes.create("estate_key", fields,
                                                    record_id=_text(values, "record_id", 36) or None)])
    return after_write(request, "/desk/keys") or render(request, "keys.html", "_keys.html",
                                                         await _keys_context(request))


async def _open_key(request: DeskRequest, key_id: str) -> dict[str, Any]:
    row = await store.key(key_id, scope=request.user.scope)
    if row is None:
        raise ApiError(404, "key_not_found", "找不到该钥匙 / no such key")
    return row


@post("/desk/keys/{key_id:str}/out", name="desk.key_out", include_in_schema=False)
async def key_out(request: DeskRequest, key_id: FromPath[str]) -> Template | Redirect:
    """借出: to whom, why, when (now); the key shows who has it until it is back."""
    values, _ = await _values(request)
    row = await _open_key(request, key_id)
    loan_id = derived_id(_text(values, "record_id", 36) or writes.new_id(), key_id)
    if await store.loan(loan_id, scope=request.user.scope):  # the same form posted twice
        return after_write(request, "/desk/keys") or render(request, "keys.html", "_keys.html",
                                                             await _keys_context(request))
    if row["holder"]:
        raise refused(409, "key_already_out")
    borrower, reason = _text(values, "borrower", 50), _text(values, "reason", 200)
    if not borrower or not reason:
        raise refused(422, "borrower_required", "borrower" if not borrower else "reason")
    moment = now()
    await writes.apply(request.user, [
        writes.create("key_loan", {"key_id": key_id, "borrower": borrower, "reason": reason, "out_at": moment},
                      record_id=loan_id),
        writes.update("estate_key", key_id, row["version"], {"holder": "", "out_since": row["out_since"]},
                      {"holder": borrower, "out_since": moment})])
    return after_write(request, "/desk/keys") or render(request, "keys.html", "_keys.html",
                                                         await _keys_context(request))


@post("/desk/keys/{key_id:str}/back", name="desk.key_back", include_in_schema=False)
async def key_back(request: DeskRequest, key_id: FromPath[str]) -> Template | Redirect:
    """归还: the open loan closed, the key back in its place."""
    values, _ = await _values(request)
    row = await _open_key(request, key_id)
    shown = await store.loan(_text(values, "loan_id", 36), scope=request.user.scope)
    if shown is not None and shown["key_id"] == key_id and shown["back_at"]:  # the same form posted twice
        return after_write(request, "/desk/keys") or render(request, "keys.html", "_keys.html",
                                                             await _keys_context(request))
    loan = await store.open_loan(key_id, scope=request.user.scope)
    if not row["holder"] or loan is None:
        raise refused(409, "key_not_out")
    await writes.apply(request.user, [
        writes.update("key_loan", loan["id"], loan["version"], {"back_at": None}, {"back_at": now()}),
        writes.update("estate_key", key_id, row["version"], {"holder": row["holder"], "out_since": row["out_since"]},
                      {"holder": "", "out_since": None})])
    return after_write(request, "/desk/keys") or render(request, "keys.html", "_keys.html",
                                                         await _keys_context(request))


# --- 物业费 rates (the estate's settings) -----------------------------------------------------


async def _fees_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.fees_of, "fees", unit_types=codes(UnitType), **extra)


@get("/desk/settings/property-fees", name="desk.property_fees", include_in_schema=False)
async def fees_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "property_fees.html", "_property_fees.html", await _fees_context(request, estate_id))


@post("/desk/settings/property-fees", name="desk.property_fees_save", include_in_schema=False)
async def fees_save(request: DeskRequest) -> Template | Redirect:
    values, _ = await _values(request)
    context = await chosen_estate(request, _text(values, "estate_id", 36))
    estate_id = context["estate"]["id"]
    rates: dict[str, int] = {}
    for unit_type in codes(UnitType):
        raw = _text(values, f"rate_{unit_type}", 12)
        rate = fen_of_rate(raw) if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", raw) else None
        if rate is None or rate > 10000:
            raise refused(422, "invalid_fee_rate", f"rate_{unit_type}")
        rates[unit_type] = rate
    await store.set_fees(estate_id, PropertyFees(rates=rates), user_id=request.user.user_id, ip=client_ip(request))
    return after_write(request, f"/desk/settings/property-fees?estate_id={estate_id}") or render(
        request, "property_fees.html", "_property_fees.html", await _fees_context(request, estate_id, saved=True))


ROUTES = [move_ins, create_move_in, move_in_page, move_in_step, keys_page, key_create, key_out, key_back,
          fees_page, fees_save]
nav_entry(NavEntry(href="/desk/move-ins", key="nav.move_ins", route="desk.move_ins", order=57))
nav_entry(NavEntry(href="/desk/keys", key="nav.keys", route="desk.keys", order=58))
nav_entry(NavEntry(href="/desk/settings/property-fees", key="nav.property_fees", route="desk.property_fees",
                   order=122))
unit_section(UnitSection(collection="move_in", fields=("created_at", "owner_name", "fee_paid_at", "handed_over_at")))
unit_section(UnitSection(collection="handover", fields=("created_at", "keys_counted", "signed_at")))
unit_section(UnitSection(collection="estate_key", fields=("label", "place", "holder")))
