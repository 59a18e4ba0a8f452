"""抄表: the pure rules a new reading must pass, the 分摊 arithmetic, and the engine
refusing a reading against the meter's past (the same rules as the phone's)."""

from __future__ import annotations

import pytest

from schemas.sync import Create, Update
from sync.engine import apply_batch
from sync.meters import SEED_METER_SETTINGS, UnitArea, amount_fen, month_use, reading_refusal, shares, usual_daily_use
from sync.storage import Actor
from tests.unit.memory_storage import B1, DEVICE, E1, STEWARD, U1, estate

PHOTO = "a" * 64
# a month's use of about 10 吨 for six months: about a third of a 吨 a day
MONTHLY = [{"reading": 100.0 + 10 * i, "read_at": f"2026-{5 + i:02d}-25T02:00:00.000Z", "flag": None} for i in range(6)]
LAST = MONTHLY[-1]  # 150 on 2026-10-25


def new(reading: float, flag: str | None = None, photo: str | None = None,
        at: str = "2026-11-25T02:00:00.000Z") -> dict:
    return {"reading": reading, "read_at": at, "flag": flag, "photo_sha256": photo}


def refusal(row: dict, past: list[dict] = MONTHLY, kind: str = "water") -> str | None:
    return reading_refusal(row, past, kind, SEED_METER_SETTINGS)


def test_a_usual_reading_passes_and_a_first_one_has_nothing_to_compare() -> None:
    assert refusal(new(160.0)) is None
    assert refusal(new(5.0), past=[]) is None
    assert usual_daily_use(MONTHLY, "2026-11-25T02:00:00.000Z", 6) == pytest.approx(40 / 122)  # 180 days back: June to October


def test_lower_than_the_last_is_refused_unless_a_replaced_or_rolled_over_meter_with_a_photo() -> None:
    assert refusal(new(149.0)) == "reading_lower"
    assert refusal(new(3.0, "replaced")) == "reading_needs_photo"
    assert refusal(new(3.0, "replaced", PHOTO)) is None
    assert refusal(new(3.0, "rolled_over", PHOTO)) is None
    assert refusal(new(3.0, "confirmed_high", PHOTO)) == "reading_lower"  # a high mark is no reset


def test_far_above_the_usual_needs_a_confirmation_with_a_photo() -> None:
    # 31 days at ~0.33 a day ≈ 10 吨 usual: three times is ~30; 40 is far above
    assert refusal(new(179.0)) is None
    assert refusal(new(190.0)) == "reading_high"
    assert refusal(new(190.0, "confirmed_high")) == "reading_needs_photo"
    assert refusal(new(190.0, "confirmed_high", PHOTO)) is None


def test_the_floor_keeps_a_quiet_meter_from_flagging_every_drop() -> None:
    quiet = [{"reading": 7.0, "read_at": f"2026-{5 + i:02d}-25T02:00:00.000Z", "flag": None} for i in range(6)]
    assert refusal(new(7.9), past=quiet) is None  # under the 1 吨 floor
    assert refusal(new(8.5), past=quiet) == "reading_high"
    assert refusal(new(15.0), past=quiet, kind="electricity") is None  # 10 度 floor


def test_a_reset_counts_its_dial_from_zero_in_the_usual_and_the_months_use() -> None:
    chain = [LAST, {"reading": 4.0, "read_at": "2026-11-10T02:00:00.000Z", "flag": "replaced"},
             {"reading": 9.0, "read_at": "2026-11-25T02:00:00.000Z", "flag": None}]
    assert month_use(chain) == 9.0
    assert month_use([LAST, {"reading": 162.5, "read_at": "x", "flag": None}]) == 12.5


def test_public_use_is_shared_by_area_or_equally() -> None:
    units = [UnitArea(unit_id="a", code="1", area_m2=90.0), UnitArea(unit_id="b", code="2", area_m2=110.0),
             UnitArea(unit_id="c", code="3", area_m2=200.0)]
    assert shares(units, 40.0, "area") == {"a": 9.0, "b": 11.0, "c": 20.0}
    assert shares(units, 30.0, "equal") == {"a": 10.0, "b": 10.0, "c": 10.0}
    assert shares([], 30.0, "area") == {}


def test_the_amount_is_fen_at_the_tariff_rounded_half_up() -> None:
    assert amount_fen(10.0, 2.5, 240) == 3000  # 12.5 吨 × 2.4 元
    assert amount_fen(100.0, 0.125, 56) == 5607  # 100.125 度 × 0.56 元 = 56.07 元
    assert amount_fen(0.0, 0.0, 56) == 0


STEWARD_PHONE = Actor(user_id=STEWARD, role="steward", estate_ids=frozenset({E1}),
                      building_ids=frozenset({B1}), device_id=DEVICE)
MANAGER = Actor(user_id="user-manager", role="manager", estate_ids=frozenset({E1}))


def reading(seq: int, id: str, value: float, at: str, **fields: object) -> Create:
    return Create(seq=seq, collection="meter_reading", id=id,
                  fields={"meter_id": "m-1", "reading": value, "read_at": at, **fields})


async def test_the_engine_checks_a_reading_against_the_meters_past_and_the_batch() -> None:
    storage = estate()
    await apply_batch(storage, MANAGER, [Create(seq=1, collection="meter", id="m-1", fields={
        "building_id": B1, "unit_id": U1, "kind": "water", "use": "household", "floor": 1, "walk_order": 1})], now="2026-10-01T00:00:00.000Z")
    meter = storage.get("meter", "m-1")
    assert meter is not None and meter["building_id"] == B1 and meter["estate_id"] == E1
    first = [reading(i + 1, f"r-{i}", r["reading"], r["read_at"]) for i, r in enumerate(MONTHLY)]
    outcome = await apply_batch(storage, STEWARD_PHONE, [
        *first,
        reading(7, "r-low", 149.0, "2026-11-25T02:00:00.000Z"),
        reading(8, "r-high", 190.0, "2026-11-25T02:00:00.000Z"),
        reading(9, "r-ok", 190.0, "2026-11-25T02:00:00.000Z", flag="confirmed_high", photo_sha256=PHOTO),
        reading(10, "r-after", 150.0, "2026-11-26T02:00:00.000Z"),  # lower than r-ok, in the same batch
    ], now="2026-11-25T03:00:00.000Z")
    assert [(r.status, r.code) for r in outcome.results] == [("applied", None)] * 6 + [
        ("rejected", "reading_lower"), ("rejected", "reading_high"), ("applied", None),
        ("rejected", "reading_lower")]
    assert storage.get("meter_reading", "r-ok")["reader_id"] == STEWARD
    assert storage.get("meter_reading", "r-low") is None


async def test_a_reading_is_create_only_on_the_phone_and_the_office_reviews_it() -> None:
    storage = estate()
    await apply_batch(storage, MANAGER, [Create(seq=1, collection="meter", id="m-1", fields={
        "building_id": B1, "unit_id": U1, "kind": "water", "use": "household"})], now="2026-10-01T00:00:00.000Z")
    await apply_batch(storage, STEWARD_PHONE, [reading(1, "r-1", 10.0, "2026-11-25T02:00:00.000Z")],
                      now="2026-11-25T03:00:00.000Z")
    row = storage.get("meter_reading", "r-1")
    edit = await apply_batch(storage, STEWARD_PHONE, [Update(
        seq=2, collection="meter_reading", id="r-1", base_version=row["version"],
        base={"review": None}, changes={"review": "accepted"})], now="2026-11-25T03:00:00.000Z")
    assert edit.results[0].code == "field_not_writable"
    sent = await apply_batch(storage, MANAGER, [Update(
        seq=2, collection="meter_reading", id="r-1", base_version=row["version"],
        base={"review": None, "review_note": ""}, changes={"review": "reread", "review_note": "看不清"})],
        now="2026-11-25T04:00:00.000Z")
    assert sent.results[0].status == "applied"
    assert storage.get("meter_reading", "r-1")["review"] == "reread"
    moved = await apply_batch(storage, MANAGER, [Update(
        seq=3, collection="meter_reading", id="r-1", base_version=storage.get("meter_reading", "r-1")["version"],
        base={"reading": 10.0}, changes={"reading": 11.0})], now="2026-11-25T04:00:00.000Z")
    assert moved.results[0].status == "rejected"  # a reading itself never changes


async def test_a_steward_may_not_make_a_meter_nor_read_one_outside_their_buildings() -> None:
    storage = estate()
    made = await apply_batch(storage, STEWARD_PHONE, [Create(seq=1, collection="meter", id="m-9", fields={
        "building_id": B1, "unit_id": U1, "kind": "water", "use": "household"})], now="2026-10-01T00:00:00.000Z")
    assert made.results[0].code == "create_not_allowed"
    await apply_batch(storage, MANAGER, [Create(seq=1, collection="meter", id="m-2", fields={
        "building_id": "b-2", "kind": "electricity", "use": "public"})], now="2026-10-01T00:00:00.000Z")
    outside = await apply_batch(storage, STEWARD_PHONE, [Create(seq=2, collection="meter_reading", id="r-2", fields={
        "meter_id": "m-2", "reading": 1.0, "read_at": "2026-11-25T02:00:00.000Z"})], now="2026-11-25T03:00:00.000Z")
    assert outside.results[0].code == "out_of_scope"
