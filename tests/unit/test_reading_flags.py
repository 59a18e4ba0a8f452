"""The desk's flag on a vacant unit's meter readings (the phone asks the same before saving)."""

from server.store.field_work import reading_flag


def test_lower_high_and_normal_weeks() -> None:
    weekly = [10.0, 10.2, 10.3, 10.5]
    assert reading_flag([*weekly, 10.6], 1.0) is None
    assert reading_flag([*weekly, 9.1], 1.0) == "lower"
    assert reading_flag([100, 101, 102, 103, 160], 10.0) == "high"
    assert reading_flag([100, 101, 102, 103, 108], 10.0) is None  # above usual, below the floor
    assert reading_flag([None, 5.0], 1.0) is None
