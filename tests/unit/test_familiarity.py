"""业主熟知 (issue 17), the pure rules: customer class from tenure at its boundaries (应知 5),
the staff standard, record completeness (应知 6), key customers and the seeded targets."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from sync.familiarity import (
    CUSTOMER_CLASSES, RECORD_FIELDS, SEED_TARGETS, Targets, add_months, completeness, customer_class, is_key,
    missing_fields, rate, standard,
)


@pytest.mark.parametrize("move_in, on, expected", [
    (date(2026, 1, 15), date(2026, 1, 15), "new"),  # the day of moving in
    (date(2026, 1, 15), date(2026, 7, 14), "new"),  # the last day under half a year
    (date(2026, 1, 15), date(2026, 7, 15), "settling"),  # half a year to the day: 磨合期
    (date(2025, 1, 15), date(2026, 7, 14), "settling"),  # the last day under a year and a half
    (date(2025, 1, 15), date(2026, 7, 15), "stable"),
    (date(2024, 1, 15), date(2026, 7, 14), "stable"),  # the last day under two and a half years
    (date(2024, 1, 15), date(2026, 7, 15), "old"),
    (date(2010, 3, 1), date(2026, 12, 4), "old"),
    (date(2026, 8, 31), date(2027, 2, 27), "new"),  # 31 Aug + 6 months = 28 Feb (no 31 Feb)
    (date(2026, 8, 31), date(2027, 2, 28), "settling"),
    (date(2024, 2, 29), date(2025, 8, 28), "settling"),  # a leap day: 18 months on is 29 Aug
    (date(2024, 2, 29), date(2025, 8, 29), "stable"),
])
def test_customer_class_at_the_boundaries(move_in: date, on: date, expected: str) -> None:
    assert customer_class(move_in, on) == expected


def test_no_class_without_a_move_in_date_or_before_it() -> None:
    assert customer_class(None, date(2026, 12, 4)) is None
    assert customer_class(date(2026, 12, 5), date(2026, 12, 4)) is None


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)
    assert add_months(date(2026, 12, 31), 12) == date(2027, 12, 31)


def test_a_steward_is_held_to_b_from_half_a_year_on() -> None:
    assert standard(None, date(2026, 12, 4)) == "A"
    assert standard(date(2026, 6, 5), date(2026, 12, 4)) == "A"
    assert standard(date(2026, 6, 4), date(2026, 12, 4)) == "B"


def test_completeness_counts_the_fields_a_steward_must_know() -> None:
    empty = {"owner_name": "张伟", "residence": "unknown"}
    assert missing_fields(empty) == [f for f in RECORD_FIELDS if f != "owner_name"]
    assert completeness(empty) == round(100 / 12)
    full = {f: "无" for f in RECORD_FIELDS} | {"owner_age": 0, "family_size": 3, "residence": "rented"}
    assert completeness(full) == 100 and missing_fields(full) == []
    half = dict(list(full.items())[:6])
    assert completeness(half) == 50
    assert completeness(full | {"employer": "  "}) == round(100 * 11 / 12)


def test_key_customers_are_media_government_and_group_staff() -> None:
    assert [c for c in ("ordinary", "committee", "vip", "media", "government", "group_staff")
            if is_key({"owner_class": c})] == ["vip", "media", "government", "group_staff"]


def test_the_seeded_targets_cover_every_class_and_b_is_never_below_a() -> None:
    assert tuple(SEED_TARGETS.classes) == CUSTOMER_CLASSES
    for customer in CUSTOMER_CLASSES:
        a, b = SEED_TARGETS.of(customer, "A"), SEED_TARGETS.of(customer, "B")
        assert 80 <= a.familiarity <= b.familiarity <= 95 and 80 <= a.satisfaction <= b.satisfaction <= 95
    again = msgspec.json.decode(msgspec.json.encode(SEED_TARGETS), type=Targets)
    assert again == SEED_TARGETS


def test_rate() -> None:
    assert rate(0, 0) is None and rate(7, 10) == 70 and rate(2, 3) == 67
