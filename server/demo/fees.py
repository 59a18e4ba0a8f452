"""Management-fee bills (管理费) for the last six months (and parking fees, 车位费, for the
units with a parking space), the door-to-door reminders (上门催缴) stewards make from the
21st for what is still unpaid, and this month's phone reminders in the 催缴记录本. The arrears
the phones hold are made from these bills after loading, by the same code the ledger import
uses (``server.demo.load``)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from server.clock import iso
from server.demo import texts
from server.demo.context import DEMO_ESTATE_ID, DemoContext, UnitInfo, stable_id
from server.demo.visits import add_visit

MONTHS = 6
MISSED_BILL_SHARE = 0.03  # single bills left unpaid
CHRONIC_ARREARS_SHARE = 0.035  # units that stopped paying a few months ago
LATE_PAYER_SHARE = 0.07  # units that usually pay after the 21st
REMINDER_DAY = 21
PARKING_SHARE = 0.3  # units that rent a parking space (车位费)
PARKING_FEE = 150.0  # 元 a month
PHONE_DAY = 6  # phone reminders from the 6th (应会 7)
CALLS = 12  # this month's calls logged in the demo


def fee_bills(ctx: DemoContext) -> None:
    months = _months(ctx.today)
    for unit in ctx.units:
        chronic_from = ctx.rng.randrange(MONTHS - 3, MONTHS) if ctx.rng.random() < CHRONIC_ARREARS_SHARE else MONTHS
        late = ctx.rng.random() < LATE_PAYER_SHARE
        due = round(unit.area_m2 * texts.FEE_RATE[unit.unit_type], 2)
        for index, first in enumerate(months):
            missed = index >= chronic_from or ctx.rng.random() < MISSED_BILL_SHARE
            paid_at = None if missed else _pay_moment(ctx, first, late)
            if paid_at is not None and paid_at >= ctx.now:
                paid_at = None
            ctx.add("fee_bill", {
                "unit_id": unit.id, "building_id": unit.building_id,
                "estate_id": DEMO_ESTATE_ID, "month": f"{first:%Y-%m}", "item": "property",
                "amount_due": due, "amount_paid": due if paid_at else 0.0,
                "paid_at": iso(paid_at) if paid_at else None,
            })
            _remind(ctx, unit, first, paid_at)
    _parking_and_calls(ctx, months)


def _parking_and_calls(ctx: DemoContext, months: list[date]) -> None:
    """Parking bills paid with the unit's management fee, and this month's calls about last
    month's unpaid bills, from a random source of their own (the rest of the demo stays as it
    was)."""
    rng = random.Random(f"{ctx.seed}-fees")
    bills = {(b["unit_id"], b["month"]): b for b in ctx.rows["fee_bill"]}
    for unit in ctx.units:
        if rng.random() >= PARKING_SHARE:
            continue
        for first in months:
            paid = bills[(unit.id, f"{first:%Y-%m}")]
            ctx.add("fee_bill", {**paid, "item": "parking", "amount_due": PARKING_FEE,
                                 "amount_paid": PARKING_FEE if paid["paid_at"] else 0.0})
    last_month = f"{months[-2]:%Y-%m}"
    if ctx.today.day < PHONE_DAY:
        return
    owing = [u for u in ctx.units if not bills[(u.id, last_month)]["paid_at"] and u.occupancy != "vacant"]
    for n, unit in enumerate(owing[:CALLS]):
        steward = ctx.steward_of[unit.building_id]
        day = ctx.today.replace(day=PHONE_DAY) + timedelta(days=rng.randrange(ctx.today.day - PHONE_DAY + 1))
        at = ctx.daytime(day, 9, 18)
        if at >= ctx.now:
            continue
        reached = rng.random() < 0.6
        reason = rng.choice(["forgot", "away", "hardship", "quality_dispute", "refuses"]) if reached else None
        ctx.add_synced("fee_contact", {
            "id": stable_id("fee_contact", n), "unit_id": unit.id, "steward_id": steward.id, "kind": "call",
            "contacted_at": iso(at), "reached": reached,
            "promised_on": (ctx.today + timedelta(days=rng.randrange(2, 9))).isoformat() if reason == "forgot" else None,
            "reason": reason, "notice": None, "note": texts.FEE_CALL_NOTES[reason or "none"], "amount_fen": 0,
            "visit_id": None, "ticket_id": None,
        }, at=at, by=steward.id, building_id=unit.building_id)


def _months(today: date) -> list[date]:
    """First days of the last six months, oldest first, the current month last."""
    firsts = [today.replace(day=1)]
    while len(firsts) < MONTHS:
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


def _pay_moment(ctx: DemoContext, first: date, late: bool) -> datetime:
    day = ctx.rng.randrange(20, 40) if late else ctx.rng.choices(range(1, 21), weights=range(20, 0, -1))[0]
    return ctx.daytime(first + timedelta(days=day - 1), 8, 21)


def _remind(ctx: DemoContext, unit: UnitInfo, first: date, paid_at: datetime | None) -> None:
    """A reminder visit between the 21st and the 27th if the bill was still open then."""
    if unit.occupancy == "vacant":
        return  # vacant units' owners are phoned, not visited
    reminder_day = first.replace(day=REMINDER_DAY) + timedelta(days=ctx.rng.randrange(7))
    at = ctx.daytime(reminder_day, 10, 20)
    if at >= ctx.now or (paid_at is not None and paid_at <= at):
        return
    add_visit(ctx, unit, "fee_reminder", visited_at=at, appointment_at=None,
              status="done" if ctx.rng.random() < 0.8 else "missed")
