"""装修 as pure rules (sync/renovation.py, sync/specs/renovation.py): the due days (初验 seven
days after completion; 复验 three months after 初验, month ends), the fees from an estate's
settings, and the steps refusing to go out of order."""

from __future__ import annotations

from datetime import date

import pytest

from sync.renovation import (
    SEED_FEES, STEPS, RenovationFees, add_months, charge, due_days, earliest_permit, first_due, next_step,
    second_due, step_refusal,
)
from sync.specs.renovation import RENOVATION_STEPS


@pytest.mark.parametrize("day, months, expected", [
    ("2026-11-30", 3, "2027-02-28"),  # no 30 February: the month's last day
    ("2027-11-30", 3, "2028-02-29"),  # a leap year
    ("2026-08-31", 3, "2026-11-30"),
    ("2026-10-31", 3, "2027-01-31"),  # across the year
    ("2026-12-15", 3, "2027-03-15"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2026-05-10", 12, "2027-05-10"),
])
def test_months_later_keep_the_day_or_take_the_months_last(day: str, months: int, expected: str) -> None:
    assert add_months(date.fromisoformat(day), months).isoformat() == expected


def test_the_first_inspection_is_due_seven_days_after_completion_the_second_three_months_after_it() -> None:
    assert first_due(date(2026, 11, 23)) == date(2026, 11, 30)
    assert first_due(date(2026, 12, 28)) == date(2027, 1, 4)  # across the year
    assert first_due(date(2028, 2, 25)) == date(2028, 3, 3)  # past a 29 February
    assert second_due(date(2026, 11, 30)) == date(2027, 2, 28)
    assert second_due(date(2027, 11, 30)) == date(2028, 2, 29)
    assert earliest_permit(date(2026, 9, 4)) == date(2026, 9, 6)
    assert due_days({"completed_on": "2026-11-23", "first_on": None}) == {"first_due": "2026-11-30",
                                                                          "second_due": None}
    assert due_days({"completed_on": "2026-11-23", "first_on": "2026-11-30"})["second_due"] == "2027-02-28"


def test_the_fees_come_from_the_estates_settings() -> None:
    # the handbook's (应知 17): 洋房 3000, 叠加 5000, 联排 10000 元; passes 10 + 50 元; rubbish 4 元/㎡
    seeded = charge(SEED_FEES, "lianpai", 210.25, 4)
    assert (seeded.quality_deposit_fen, seeded.rubbish_fen, seeded.pass_fee_fen, seeded.pass_deposit_fen) == (
        1_000_000, 84_100, 4_000, 20_000)
    assert seeded.total_fen == 1_108_100
    assert charge(SEED_FEES, "diejia", 0, 0).quality_deposit_fen == 500_000
    own = RenovationFees(quality_deposit={"yangfang": 350_000, "diejia": 500_000, "lianpai": 1_200_000},
                         pass_fee=1_200, pass_deposit=6_000, rubbish_per_m2=450)
    mine = charge(own, "yangfang", 98.5, 2)
    assert (mine.quality_deposit_fen, mine.rubbish_fen, mine.pass_fee_fen, mine.pass_deposit_fen) == (
        350_000, 44_325, 2_400, 12_000)
    with pytest.raises(ValueError):
        charge(own, "yangfang", 98.5, -1)


def case(status: str, **days: str) -> dict[str, object]:
    return {"status": status, "applied_on": "2026-09-01", **days}


def test_the_steps_go_in_order_and_each_needs_its_day() -> None:
    assert [next_step(s) for s in STEPS] == [*STEPS[1:], None]
    assert all(RENOVATION_STEPS.allows(a, b) for a, b in zip(STEPS, STEPS[1:], strict=False))
    assert not RENOVATION_STEPS.allows("approved", "tested")  # 缴费 skipped
    assert not RENOVATION_STEPS.allows("permitted", "fees_paid")  # undone
    assert not RENOVATION_STEPS.allows("first_passed", "second_passed")  # the passes come back first
    assert RENOVATION_STEPS.forbidden == "renovation_step_order"
    assert step_refusal(case("applied")) is None
    assert step_refusal(case("approved")) == "step_day_required"
    assert step_refusal(case("approved", approved_on="2026-08-31")) == "step_before_previous"
    tested = {"approved_on": "2026-09-02", "fees_paid_on": "2026-09-03", "tested_on": "2026-09-04"}
    assert step_refusal(case("tested", **tested)) == "step_inspection_required"
    assert step_refusal(case("tested", **tested, test_inspection_id="t")) is None
    assert step_refusal(case("permitted", **tested, test_inspection_id="t", permit_on="2026-09-05")) == \
        "permit_too_early"
    assert step_refusal(case("permitted", **tested, test_inspection_id="t", permit_on="2026-09-06")) is None
