"""Move-ins (入住), handover inspections (验房) and the key register (钥匙登记) for the desk,
and the estate's 物业费 rates. Every read takes the reader's ``Scope``."""

from __future__ import annotations

from typing import Any

from server.store.archive import CURRENT
from server.store.places import natural
from server.store.rows import json_value
from server.store.scoping import scope_where
from server.store.terms import keep_own, own_or_seeded
from server.tables import Estate, Household, Ticket, Unit
from server.tables.move_in import EstateKey, Handover, KeyLoan, MoveIn
from sync.move_in import SEED_FEES, PropertyFees
from sync.scope import Scope

LIVE = {"move_in": MoveIn.deleted == False, "handover": Handover.deleted == False}  # noqa: E712


async def fees_of(estate_id: str) -> tuple[PropertyFees, bool]:
    """The estate's 物业费 rates and whether they are its own (False: the seeds')."""
    return await own_or_seeded(estate_id, Estate.property_fees, PropertyFees, SEED_FEES)


async def set_fees(estate_id: str, fees: PropertyFees, *, user_id: str, ip: str) -> None:
    """Keep ``fees`` as the estate's own and audit the change: before and after."""
    before, _ = await fees_of(estate_id)
    await keep_own(estate_id, Estate.property_fees, fees, action="property_fees_change", user_id=user_id, ip=ip,
                   before=before.rates, after=fees.rates)


async def unit(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    return await Unit.select().where((Unit.id == unit_id) & (Unit.deleted == False)  # noqa: E712
                                     & scope_where(Unit, scope)).first()


async def unit_by_code(code: str, *, scope: Scope) -> dict[str, Any] | None:
    return await Unit.select().where((Unit.code == code) & (Unit.deleted == False)  # noqa: E712
                                     & scope_where(Unit, scope)).first()


async def current_household(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    return await Household.select().where(
        (Household.unit_id == unit_id) & CURRENT & (Household.deleted == False)  # noqa: E712
        & scope_where(Household, scope)).first()


async def move_ins(*, scope: Scope, open_only: bool = True) -> list[dict[str, Any]]:
    """Move-ins of the scope, open ones (not handed over) by default, newest first, with
    their unit's code and the state of their handover inspection."""
    query = MoveIn.select().where(LIVE["move_in"] & scope_where(MoveIn, scope))
    if open_only:
        query = query.where(MoveIn.step != "handed_over")
    rows = await query.order_by(MoveIn.created_at, ascending=False).limit(200)
    codes = await _unit_codes({r["unit_id"] for r in rows}, scope=scope)
    handovers = {h["move_in_id"]: h for h in await Handover.select(
        Handover.move_in_id, Handover.status).where(
        Handover.move_in_id.is_in([r["id"] for r in rows] or [""]) & LIVE["handover"]
        & scope_where(Handover, scope))}
    return [{**r, "unit_code": codes.get(r["unit_id"], ""), "handover": handovers.get(r["id"])} for r in rows]


async def move_in(move_in_id: str, *, scope: Scope) -> dict[str, Any] | None:
    row = await MoveIn.select().where((MoveIn.id == move_in_id) & LIVE["move_in"]
                                      & scope_where(MoveIn, scope)).first()
    if row is not None:
        row["agreements"] = json_value(row["agreements"]) or []
    return row


async def open_move_in(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The unit's move-in not yet handed over, if any (a unit has one at a time)."""
    return await MoveIn.select(MoveIn.id).where(
        (MoveIn.unit_id == unit_id) & (MoveIn.step != "handed_over") & LIVE["move_in"]
        & scope_where(MoveIn, scope)).first()


async def handover(move_in_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The move-in's handover inspection (验房); the signed one when there are several."""
    rows = await Handover.select().where((Handover.move_in_id == move_in_id) & LIVE["handover"]
                                         & scope_where(Handover, scope))
    rows.sort(key=lambda h: (h["status"] != "signed", h["created_at"] or ""))
    if not rows:
        return None
    return {**rows[0], "rooms": json_value(rows[0]["rooms"]) or {}}


async def warranty_tickets(handover_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """工程质量维修单: the tickets raised from the handover's defects."""
    return await Ticket.select(Ticket.id, Ticket.number, Ticket.title, Ticket.place, Ticket.status,
                               Ticket.assignee).where(
        (Ticket.source_handover_id == handover_id) & (Ticket.deleted == False)  # noqa: E712
        & scope_where(Ticket, scope)).order_by(Ticket.created_at)


async def keys(*, scope: Scope) -> list[dict[str, Any]]:
    """The key register: every key of the scope, out ones first, with its unit's code and
    its open loan (``loan_id``)."""
    rows = await EstateKey.select().where((EstateKey.deleted == False) & scope_where(EstateKey, scope))  # noqa: E712
    codes = await _unit_codes({r["unit_id"] for r in rows if r["unit_id"]}, scope=scope)
    out = {loan["key_id"]: loan["id"] for loan in await KeyLoan.select(KeyLoan.id, KeyLoan.key_id).where(
        KeyLoan.back_at.is_null() & (KeyLoan.deleted == False) & scope_where(KeyLoan, scope))}  # noqa: E712
    for r in rows:
        r["unit_code"] = codes.get(r["unit_id"] or "", "")
        r["loan_id"] = out.get(r["id"])
    return sorted(rows, key=lambda r: (not r["holder"], r["kind"], natural(r["unit_code"] or r["label"])))


async def key(key_id: str, *, scope: Scope) -> dict[str, Any] | None:
    return await EstateKey.select().where((EstateKey.id == key_id) & (EstateKey.deleted == False)  # noqa: E712
                                          & scope_where(EstateKey, scope)).first()


async def loan(loan_id: str, *, scope: Scope) -> dict[str, Any] | None:
    return await KeyLoan.select().where((KeyLoan.id == loan_id) & scope_where(KeyLoan, scope)).first()


async def open_loan(key_id: str, *, scope: Scope) -> dict[str, Any] | None:
    return await KeyLoan.select().where((KeyLoan.key_id == key_id) & KeyLoan.back_at.is_null()
                                        & (KeyLoan.deleted == False) & scope_where(KeyLoan, scope)).first()  # noqa: E712


async def loans(*, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """The latest signings-out, newest first, with the key's label."""
    rows = await KeyLoan.select().where((KeyLoan.deleted == False) & scope_where(KeyLoan, scope)  # noqa: E712
                                        ).order_by(KeyLoan.out_at, ascending=False).limit(limit)
    labels = {k["id"]: k["label"] for k in await EstateKey.select(EstateKey.id, EstateKey.label).where(
        EstateKey.id.is_in([r["key_id"] for r in rows] or [""]))}
    return [{**r, "label": labels.get(r["key_id"], "")} for r in rows]


async def _unit_codes(unit_ids: set[str], *, scope: Scope) -> dict[str, str]:
    if not unit_ids:
        return {}
    units = await Unit.select(Unit.id, Unit.code).where(Unit.id.is_in(sorted(unit_ids)) & scope_where(Unit, scope))
    return {u["id"]: u["code"] for u in units}

