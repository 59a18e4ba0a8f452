"""费用催缴 (应会 7), pure: the month's stage calendar, the late fee, the settings' checks and
the collection rate (sync/fees.py). The calendar cases are shared with the phone's test
(web/static/app/tests/fees.test.js), so the phone and the server agree."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import msgspec
import pytest

from schemas.fees import ArrearsLine, FeeCalendar
from sync.fees import (
    SEED_FEE_TERMS, Bill, FeeTerms, FeeTermsError, arrears_lines, checked, collection_rates, late_fee_fen, stage,
)

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "fee_calendar.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["stages"], ids=lambda c: f"{c['today']}-{c['oldest'] or 'none'}")
def test_the_stage_follows_the_calendar(case: dict) -> None:
    calendar = msgspec.convert(case["calendar"], FeeCalendar)
    assert stage(date.fromisoformat(case["today"]), case["oldest"], calendar) == case["stage"]


@pytest.mark.parametrize("case", CASES["late_fees"], ids=lambda c: c["today"])
def test_the_late_fee(case: dict) -> None:
    calendar = msgspec.convert(case["calendar"], FeeCalendar)
    lines = msgspec.convert(case["lines"], list[ArrearsLine])
    assert late_fee_fen(lines, date.fromisoformat(case["today"]), calendar) == case["fen"]


def test_a_whole_month_walks_the_handbooks_calendar_once() -> None:
    """Every day of December for November's bills: 5 days listed, 10 of phone calls, 5 of the
    second notice, then the third notice to the month's end, never going back."""
    seen = [stage(date(2026, 12, 1) + timedelta(days=n), "2026-11", SEED_FEE_TERMS.calendar) for n in range(31)]
    assert seen == ["listed"] * 5 + ["phone"] * 10 + ["second_notice"] * 5 + ["third_notice"] * 11


def test_the_late_fee_grows_a_day_at_a_time_from_the_third_notice() -> None:
    calendar = FeeCalendar(late_fee_per_10k=10)
    lines = [ArrearsLine(month="2026-11", item="property", owed_fen=100_000)]
    fees = [late_fee_fen(lines, date(2026, 12, d), calendar) for d in (20, 21, 22)]
    assert fees == [0, 2100, 2200]  # 1000 元 × 0.1% × 21 days, then 22


@pytest.mark.parametrize("terms, code", [
    (FeeTerms(calendar=FeeCalendar(phone_from=5)), "invalid_fee_calendar"),  # not after the list
    (FeeTerms(calendar=FeeCalendar(second_from=22)), "invalid_fee_calendar"),  # after the third
    (FeeTerms(calendar=FeeCalendar(third_from=29)), "invalid_fee_calendar"),  # not in every month
    (FeeTerms(calendar=FeeCalendar(list_by=0)), "invalid_fee_calendar"),
    (FeeTerms(calendar=FeeCalendar(late_fee_per_10k=101)), "invalid_late_fee"),
    (FeeTerms(calendar=FeeCalendar(late_fee_per_10k=-1)), "invalid_late_fee"),
    (FeeTerms(office_target=0), "invalid_target"),
    (FeeTerms(steward_target=101), "invalid_target"),
])
def test_settings_that_make_no_calendar_are_refused(terms: FeeTerms, code: str) -> None:
    with pytest.raises(FeeTermsError) as refused:
        checked(terms)
    assert refused.value.code == code


def test_the_seeds_settings_are_the_handbooks() -> None:
    assert checked(SEED_FEE_TERMS) == SEED_FEE_TERMS
    c = SEED_FEE_TERMS.calendar
    assert (c.list_by, c.phone_from, c.second_from, c.third_from, c.late_fee_per_10k) == (5, 6, 16, 21, 0)
    assert (SEED_FEE_TERMS.office_target, SEED_FEE_TERMS.steward_target) == (95, 98)


def bill(unit: str, building: str, item: str, due: int, paid: int, month: str = "2026-11") -> Bill:
    return Bill(unit_id=unit, building_id=building, month=month, item=item, due_fen=due, paid_fen=paid)  # type: ignore[arg-type]


def test_collection_rates_by_building_item_and_steward() -> None:
    bills = [bill("u1", "A", "property", 10000, 10000), bill("u2", "A", "property", 20000, 0),
             bill("u2", "A", "parking", 5000, 6000),  # overpaid: counts up to what was due
             bill("u3", "B", "property", 30000, 15000)]
    by_building = collection_rates(bills)
    assert (by_building["A"].due_fen, by_building["A"].collected_fen, by_building["A"].bills) == (35000, 15000, 3)
    assert by_building["B"].rate == 0.5
    by_item = collection_rates(bills, by="item")
    assert by_item["property"].collected_fen == 25000 and by_item["parking"].rate == 1.0
    by_steward = collection_rates(bills, {"s1": ["A", "B"], "s2": ["B"], "s3": []})
    assert by_steward["s1"].collected_fen == 30000 and by_steward["s1"].due_fen == 65000
    assert by_steward["s2"].rate == 0.5 and by_steward["s3"].rate is None
    assert by_steward["s2"].meets(50) and not by_steward["s2"].meets(51) and by_steward["s3"].meets(95) is None


def test_arrears_lines_are_the_unpaid_bills_oldest_first() -> None:
    bills = [bill("u", "A", "property", 100, 100, "2026-10"), bill("u", "A", "parking", 300, 100, "2026-11"),
             bill("u", "A", "property", 200, 0, "2026-09")]
    assert arrears_lines(bills) == [ArrearsLine(month="2026-09", item="property", owed_fen=200),
                                    ArrearsLine(month="2026-11", item="parking", owed_fen=200)]
