"""费用催缴 (应会 7): the month's fee calendar, the late fee and the collection rate, pure.

The handbook's calendar, per month: by the 5th the arrears list (欠费明细表); the 6th to the
15th phone reminders; the 16th to the 20th the second notice (二次通知单) at the door; from
the 21st the third notice with the late fee (滞纳金) and door-to-door collection. The days,
the late-fee rate (the seeds give none) and the collection targets (管理费收缴率 95% for the
office, 98% for a steward: V 公司手册) are each estate's settings (``FeeTerms``, kept in
``estate.fees``); the caller passes them in. The phone computes the same stage
(``web/static/app/features/fees.js``) from the calendar its arrears records carry; a shared
table of cases (``tests/fixtures/fee_calendar.json``) keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import msgspec

from schemas.fees import ArrearsLine, FeeCalendar
from schemas.vocab import FeeItem, FeeStage

MAX_LATE_FEE_PER_10K = 100  # 1% of the amount a day: anything more is a typing slip


class FeeTerms(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An estate's fee settings: the calendar (with the late-fee rate) and the targets in
    whole percent."""

    calendar: FeeCalendar = FeeCalendar()
    office_target: int = 95  # 管理费收缴率不得低于95%
    steward_target: int = 98  # 客服管家: 管理费收缴率98%


SEED_FEE_TERMS = FeeTerms()
"""The seeds' figures (应会 7 days; 95% and 98%); no late-fee rate (the seeds give none)."""


class FeeTermsError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def checked(terms: FeeTerms) -> FeeTerms:
    """``terms`` if they make a calendar (1 ≤ list_by < phone_from ≤ second_from ≤
    third_from ≤ 28; rate 0..100; targets 1..100), else ``FeeTermsError``."""
    c = terms.calendar
    if not 1 <= c.list_by < c.phone_from < c.second_from < c.third_from <= 28:
        raise FeeTermsError("invalid_fee_calendar")
    if not 0 <= c.late_fee_per_10k <= MAX_LATE_FEE_PER_10K:
        raise FeeTermsError("invalid_late_fee")
    if not (1 <= terms.office_target <= 100 and 1 <= terms.steward_target <= 100):
        raise FeeTermsError("invalid_target")
    return terms


REASONS: dict[str, tuple[str, str]] = {
    "invalid_fee_calendar": ("催缴日程应满足：清单日 < 电话催缴起 < 二次通知起 < 三次通知起 ≤ 28",
                             "the calendar's days must rise: list < phone < second notice < third notice ≤ 28"),
    "invalid_late_fee": (f"滞纳金比例应为每日 0 到 {MAX_LATE_FEE_PER_10K} 个万分点",
                         f"the late fee is 0 to {MAX_LATE_FEE_PER_10K} ten-thousandths a day"),
    "invalid_target": ("收缴率指标应为 1 到 100 的整数", "a target is a whole percentage from 1 to 100"),
}


def refusal_text(code: str) -> str:
    zh, en = REASONS[code]
    return f"{zh} / {en}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_before(day: date) -> str:
    return f"{day.year - 1:04d}-12" if day.month == 1 else f"{day.year:04d}-{day.month - 1:02d}"


def stage(today: date, oldest_month: str, calendar: FeeCalendar) -> FeeStage:
    """Where arrears whose oldest unpaid bill is of ``oldest_month`` stand on ``today``.

    A bill of this month (or later) is not yet due. Last month's bills go through this
    month's calendar by the day of the month; bills older than that have been through a
    whole calendar already and stay at the third notice (door-to-door) until paid."""
    if not oldest_month or oldest_month >= month_of(today):
        return "not_due"
    if oldest_month < month_before(today) or today.day >= calendar.third_from:
        return "third_notice"
    if today.day >= calendar.second_from:
        return "second_notice"
    if today.day >= calendar.phone_from:
        return "phone"
    return "listed"


def _after_month(month: str) -> date:
    """The first day after the bill's month: from then it is overdue."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)


def late_fee_fen(lines: Iterable[ArrearsLine], today: date, calendar: FeeCalendar) -> int:
    """滞纳金 in fen: each overdue bill's owed amount × the daily rate × the days since its
    month ended, rounded half up to the fen per bill; nothing before the third notice (the
    handbook puts the late fee on the third notice) and nothing without a rate."""
    if calendar.late_fee_per_10k <= 0:
        return 0
    total = 0
    for line in lines:
        if stage(today, line.month, calendar) != "third_notice":
            continue
        days = (today - _after_month(line.month)).days + 1
        total += (line.owed_fen * calendar.late_fee_per_10k * days + 5000) // 10000
    return total


def fen(yuan: float) -> int:
    """A bill's yuan amount (a float column) in fen."""
    return int(round(yuan * 100))


class Bill(msgspec.Struct, frozen=True, kw_only=True):
    """What the fee pages read of one ``fee_bill`` row."""

    unit_id: str
    building_id: str
    month: str
    item: FeeItem
    due_fen: int
    paid_fen: int

    @property
    def collected_fen(self) -> int:
        """Paid, counted up to what was due (an overpayment is not collection)."""
        return min(self.paid_fen, self.due_fen)

    @property
    def owed_fen(self) -> int:
        return self.due_fen - self.collected_fen


def arrears_lines(bills: Iterable[Bill]) -> list[ArrearsLine]:
    """A unit's unpaid bills, oldest first."""
    return [ArrearsLine(month=b.month, item=b.item, owed_fen=b.owed_fen)
            for b in sorted(bills, key=lambda b: (b.month, b.item)) if b.owed_fen > 0]


class Rate(msgspec.Struct, frozen=True, kw_only=True):
    """收缴率 of a group of bills: collected / due (None without anything due)."""

    due_fen: int
    collected_fen: int
    bills: int

    @property
    def rate(self) -> float | None:
        return self.collected_fen / self.due_fen if self.due_fen else None

    def meets(self, target: int) -> bool | None:
        return None if self.rate is None else self.collected_fen * 100 >= target * self.due_fen


def collection_rates(bills: Iterable[Bill], group: Mapping[str, Iterable[str]] | None = None,
                     by: str = "building_id") -> dict[str, Rate]:
    """收缴率 per group: by a field of the bill (``building_id``, ``item``), or, with
    ``group`` (key → building ids: a steward's buildings), per key over its buildings'
    bills. 管理费收缴率 = 实际收缴数 / 应收缴总数."""
    sums: dict[str, list[int]] = {}
    if group is not None:
        keys_of: dict[str, list[str]] = {}
        for key, buildings in group.items():
            sums[key] = [0, 0, 0]
            for building in buildings:
                keys_of.setdefault(building, []).append(key)
    for bill in bills:
        keys = keys_of.get(bill.building_id, []) if group is not None else [str(getattr(bill, by))]
        for key in keys:
            acc = sums.setdefault(key, [0, 0, 0])
            acc[0] += bill.due_fen
            acc[1] += bill.collected_fen
            acc[2] += 1
    return {k: Rate(due_fen=v[0], collected_fen=v[1], bills=v[2]) for k, v in sums.items()}
