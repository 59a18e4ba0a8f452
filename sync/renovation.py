"""装修办理流程 (应会 3) as pure rules: the inspections' due days, the fees and deposits from
an estate's settings (应知 17), and what each step of a case needs. No I/O, no clock: the
desk reads the estate's settings (``estate.renovation_fees``) and passes them in.

- 初验 is due within seven days of completion (装修完工后七天内); 复验 three months after
  初验 (初验三个月后复验), on the same day of the month or the month's last day when it has
  none (11-30 → 02-28, or 02-29 in a leap year).
- The permit is taken two days after the owner-signed test (业主两天后领取装修许可证).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import msgspec

from schemas.vocab import RenovationStep, UnitType, codes

FIRST_WITHIN_DAYS = 7
SECOND_AFTER_MONTHS = 3
PERMIT_AFTER_DAYS = 2
STEPS: tuple[str, ...] = codes(RenovationStep)
OPEN_STEPS: frozenset[str] = frozenset(STEPS) - {"refunded"}
"""A case is open (the unit shows 装修中) until its quality deposit is refunded."""

# the day each step records (the step's column), checked when a case enters the step
STEP_DAY: dict[str, str] = {
    "applied": "applied_on", "approved": "approved_on", "fees_paid": "fees_paid_on", "tested": "tested_on",
    "permitted": "permit_on", "completed": "completed_on", "first_passed": "first_on",
    "passes_returned": "passes_returned_on", "second_passed": "second_on", "refunded": "refunded_on",
}


class RenovationFees(msgspec.Struct, frozen=True, kw_only=True):
    """An estate's renovation fees (应知 17), in fen: the quality deposit by unit type, the
    worker pass's fee and deposit (each pass), the rubbish removal per m²."""

    quality_deposit: dict[str, int]
    pass_fee: int
    pass_deposit: int
    rubbish_per_m2: int


SEED_FEES = RenovationFees(
    # 装修质量保证金: 洋房 3000 元, 叠加 5000 元, 联排 10000 元; 出入证手续费 10 元（含A、B证）,
    # 出入证押金 50 元; 垃圾清运费 4 元/㎡
    quality_deposit={"yangfang": 300_000, "diejia": 500_000, "lianpai": 1_000_000},
    pass_fee=1_000, pass_deposit=5_000, rubbish_per_m2=400,
)


class Charge(msgspec.Struct, frozen=True, kw_only=True):
    """What a case is charged at 缴费 (fen)."""

    quality_deposit_fen: int
    rubbish_fen: int
    passes_issued: int
    pass_fee_fen: int
    pass_deposit_fen: int

    @property
    def total_fen(self) -> int:
        return self.quality_deposit_fen + self.rubbish_fen + self.pass_fee_fen + self.pass_deposit_fen


def charge(fees: RenovationFees, unit_type: UnitType | str, area_m2: float, passes: int) -> Charge:
    """The fees of a case: the deposit of its unit type, the rubbish fee on its area
    (rounded to the fen), and ``passes`` worker passes."""
    if passes < 0:
        raise ValueError("passes")
    return Charge(quality_deposit_fen=fees.quality_deposit[unit_type],
                  rubbish_fen=round(fees.rubbish_per_m2 * area_m2), passes_issued=passes,
                  pass_fee_fen=fees.pass_fee * passes, pass_deposit_fen=fees.pass_deposit * passes)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_due(completed_on: date) -> date:
    """初验: within seven days of completion."""
    return completed_on + timedelta(days=FIRST_WITHIN_DAYS)


def second_due(first_on: date) -> date:
    """复验: three months after 初验."""
    return add_months(first_on, SECOND_AFTER_MONTHS)


def earliest_permit(tested_on: date) -> date:
    """The permit: two days after the test."""
    return tested_on + timedelta(days=PERMIT_AFTER_DAYS)


# the steps taken on the phone name the inspection that shows them (the owner signed there)
STEP_INSPECTION: dict[str, str] = {"tested": "test_inspection_id", "first_passed": "first_inspection_id",
                                   "second_passed": "second_inspection_id"}


def next_step(status: str) -> str | None:
    """The step after ``status`` (None: the case is closed)."""
    i = STEPS.index(status)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def step_refusal(row: Mapping[str, Any]) -> str | None:
    """Why a case may not stand at its step with these values (None: it may): the step's
    day is missing, a day comes before the step it follows, or the permit comes sooner than
    two days after the test. Checked when a case enters a step."""
    status = row["status"]
    days = [row.get(STEP_DAY[s]) for s in STEPS[: STEPS.index(status) + 1]]
    if not days[-1]:
        return "step_day_required"
    if status in STEP_INSPECTION and not row.get(STEP_INSPECTION[status]):
        return "step_inspection_required"
    if status == "permitted" and date.fromisoformat(row["permit_on"]) < earliest_permit(
            date.fromisoformat(row["tested_on"])):
        return "permit_too_early"
    known = [d for d in days if d]
    if any(later < earlier for earlier, later in zip(known, known[1:], strict=False)):
        return "step_before_previous"
    return None


def due_days(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The server's due days of a case: 初验 from completion, 复验 from 初验."""
    completed, first = row.get("completed_on"), row.get("first_on")
    return {"first_due": first_due(date.fromisoformat(completed)).isoformat() if completed else None,
            "second_due": second_due(date.fromisoformat(first)).isoformat() if first else None}
