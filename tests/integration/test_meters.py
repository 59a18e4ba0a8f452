"""抄表 end to end through the API and the desk, on both engines: meters added at the desk,
readings pushed by a steward's phone and refused with their codes against the meter's one
history (its unit's vacant checks included), the 复核 sending one back to the phone, scope,
and the month's 分摊 sheet equal to a hand computation from the same rows."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from server.tables import Meter, Unit
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import Phone, steward_phone

OCT = "2026-10-25T02:00:00.000Z"
NOV = "2026-11-25T02:00:00.000Z"
PHOTO = "b" * 64


async def add_meter(client: httpx.AsyncClient, building_id: str, **fields: Any) -> str:
    """A meter added on the desk's form (as the manager); its id."""
    before = {m["id"] for m in await Meter.select(Meter.id)}
    response = await client.post("/desk/meters/list", headers=csrf(client), follow_redirects=False, data={
        "building_id": building_id, "floor": "1", "walk_order": "0", **fields})
    assert response.status_code == 303, response.text
    (made,) = {m["id"] for m in await Meter.select(Meter.id)} - before
    return made


def reading(phone: Phone, meter_id: str, value: float, at: str, **extra: Any) -> str:
    return phone.create("meter_reading", {"meter_id": meter_id, "reading": value, "read_at": at, **extra})


async def test_readings_are_refused_against_the_meters_one_history(client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=2)
    b1, b2 = estate.building_ids
    unit = estate.unit_ids[b1][3]  # 1-0401, vacant
    await login(client, "manager")
    water = await add_meter(client, b1, use="household", unit_code="1-0401", kind="water")
    other = await add_meter(client, b2, use="public", kind="electricity", place="电井")
    phone = await steward_phone(client, [b1])
    await phone.pull()
    assert set(phone.live("meter")) == {water}  # only the meters of its buildings

    reading(phone, water, 50.0, OCT)
    phone.create("vacant_check", {"unit_id": unit, "week": "2026-W45", "checked_at": "2026-11-05T02:00:00.000Z",
                                  "water_reading": 53.0})
    await phone.push()  # the week's vacant check, synced before the month's round
    reading(phone, water, 52.0, NOV)  # lower than the vacant check's 53: one history
    reading(phone, water, 2.0, NOV, flag="replaced")  # replaced, but no photo
    replaced = reading(phone, water, 2.0, NOV, flag="replaced", photo_sha256=PHOTO)
    reading(phone, other, 1.0, NOV)  # another building's meter
    results = await phone.push()
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "reading_lower"), ("rejected", "reading_needs_photo"),
        ("applied", None), ("rejected", "out_of_scope")]
    assert "读数低于上次读数" in results[0]["message"] and "lower than the last" in results[0]["message"]

    # the desk's 复核: the replaced reading waits; sent back, the phone gets the task
    page = (await client.get("/desk/meters")).text
    assert f'data-flagged="{replaced}"' in page
    await phone.pull()
    version = phone.replica[("meter_reading", replaced)]["version"]
    sent = await client.post(f"/desk/meters/readings/{replaced}", headers=csrf(client), follow_redirects=False,
                             data={"version": str(version), "decision": "reread", "note": "照片看不清表号"})
    assert sent.status_code == 303, sent.text
    again = await client.post(f"/desk/meters/readings/{replaced}", headers=csrf(client), data={
        "version": str(version), "decision": "accepted"})
    assert again.status_code == 409 and again.json()["code"] == "reading_not_waiting"
    await phone.pull()
    task = phone.replica[("meter_reading", replaced)]
    assert (task["review"], task["review_note"]) == ("reread", "照片看不清表号")
    phone.update("meter_reading", replaced, {"review": "accepted"})  # a steward reviews nothing
    assert [r["code"] for r in await phone.push()] == ["field_not_writable"]
    reading(phone, water, 54.0, "2026-11-26T02:00:00.000Z")  # not replaced after all: the disputed 2.0 no longer counts
    assert [r["status"] for r in await phone.push()] == ["applied"]
    page = (await client.get("/desk/meters")).text
    assert f'data-reread="{replaced}" data-done="yes"' in page


async def test_another_estates_office_sees_none_of_it(client: httpx.AsyncClient) -> None:
    await make_estate(buildings=1)
    await login(client, "manager")  # works in the estate made so far only
    mine = await make_estate(buildings=1, office=False)
    refused = await client.post("/desk/meters/list", headers=csrf(client), data={
        "building_id": mine.building_ids[0], "use": "public", "kind": "water", "floor": "1"})
    assert refused.status_code in (403, 404, 422) and refused.json()["code"] in ("out_of_scope", "bad_reference")
    assert await Meter.count() == 0
    bad = await client.post("/desk/meters/list", headers=csrf(client), data={
        "building_id": mine.building_ids[0], "use": "household", "kind": "water", "floor": "1", "unit_code": "1-0101"})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_unit"


def hand_sheet(areas: dict[str, float], readings: dict[str, tuple[float, float] | None], public: float,
               tariff: float) -> dict[str, float]:
    """Each unit's amount in yuan, computed as finance would by hand: own use (current −
    last) plus the building's public use × the unit's area ÷ the building's area, × tariff."""
    total = sum(areas.values())
    amounts: dict[str, float] = {}
    for code, area in areas.items():
        pair = readings.get(code)
        own = pair[1] - pair[0] if pair else 0.0
        amounts[code] = round((own + public * area / total) * tariff + 1e-9, 2)
    return amounts


async def test_the_month_sheet_equals_a_hand_computation(client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=1)
    (b1,) = estate.building_ids
    units = estate.unit_ids[b1]
    areas = {"1-0101": 80.0, "1-0201": 100.5, "1-0301": 120.0, "1-0401": 140.25}
    for unit_id, area in zip(units, areas.values()):
        await Unit.update({Unit.area_m2: area}).where(Unit.id == unit_id)
    await login(client, "manager")
    meters = {code: await add_meter(client, b1, use="household", unit_code=code, kind="water")
              for code in ("1-0101", "1-0201", "1-0401")}  # 1-0301 has no water meter of its own
    pump = await add_meter(client, b1, use="public", kind="water", place="泵房")
    lights = await add_meter(client, b1, use="public", kind="electricity", place="走廊照明")
    phone = await steward_phone(client, [b1])
    await phone.pull()
    values = {"1-0101": (100.0, 112.5), "1-0201": (40.0, 47.25), "1-0401": (10.0, 13.0)}
    for code, (last, current) in values.items():
        if code != "1-0401":
            reading(phone, meters[code], last, OCT)
            reading(phone, meters[code], current, NOV)
    reading(phone, meters["1-0401"], 10.0, OCT)  # the vacant unit's November reading is its vacant check's
    phone.create("vacant_check", {"unit_id": units[3], "week": "2026-W47", "checked_at": "2026-11-20T02:00:00.000Z",
                                  "water_reading": 13.0})
    reading(phone, pump, 1000.0, OCT)
    reading(phone, pump, 1044.0, NOV)
    reading(phone, lights, 500.0, OCT)
    reading(phone, lights, 3.0, NOV, flag="rolled_over", photo_sha256=PHOTO)  # 3 度 on a new dial
    assert {r["status"] for r in await phone.push()} == {"applied"}

    export = await client.get("/desk/export/meter_sheet.csv?month=2026-11")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))[1:]
    water = {r[1]: float(r[9]) for r in rows if r[2] == "水表"}
    electricity = {r[1]: float(r[9]) for r in rows if r[2] == "电表"}
    assert water == hand_sheet(areas, values, 44.0, 2.4)
    assert electricity == hand_sheet(areas, {}, 3.0, 0.56)
    by_unit = {(r[1], r[2]): r for r in rows}
    assert by_unit[("1-0401", "水表")][3:6] == ["10", "13", "3"]  # last, current (vacant check), use
    assert by_unit[("1-0301", "水表")][3:6] == ["", "", ""]  # no meter: the public share only
    page = (await client.get("/desk/meters/sheet?month=2026-11")).text
    assert "44 × 80 ÷ 440.75" in page  # the formula shown per unit
    assert (await client.get("/desk/meters/sheet?month=2026-13")).status_code == 422


async def test_the_estates_settings_are_the_managers_audited_and_applied(client: httpx.AsyncClient) -> None:
    from server.tables import AuditLog

    estate = await make_estate(buildings=1)
    (b1,) = estate.building_ids
    await login(client, "manager")
    meter = await add_meter(client, b1, use="household", unit_code="1-0101", kind="water")
    form = {"estate_id": estate.estate_id, "round_day": "20", "high_factor": "2", "average_months": "6",
            "floor_water": "0.5", "floor_electricity": "10", "share_by": "equal",
            "tariff_water": "3.10", "tariff_electricity": "0.56"}
    bad = await client.post("/desk/settings/meters", headers=csrf(client), data={**form, "tariff_water": "-1"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_tariff"
    saved = await client.post("/desk/settings/meters", headers=csrf(client), data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert await AuditLog.count().where(AuditLog.action == "meter_settings_change") == 1
    page = (await client.get(f"/desk/settings/meters?estate_id={estate.estate_id}")).text
    assert 'value="3.10"' in page and "本项目自定标准" in page

    phone = await steward_phone(client, [b1])
    await phone.pull()
    for month, value in (("06", 10.0), ("07", 20.0), ("08", 30.0), ("09", 40.0), ("10", 50.0)):
        reading(phone, meter, value, f"2026-{month}-25T02:00:00.000Z")
    reading(phone, meter, 75.0, NOV)  # 25 in a month where 10 is usual: above 2x (the estate's), below 3x (the seeds')
    results = await phone.push()
    assert results[-1]["code"] == "reading_high"
    export = await client.get("/desk/export/meter_sheet.csv?month=2026-10")
    rows = {r[1]: r for r in csv.reader(io.StringIO(export.text.lstrip("\ufeff")))}
    assert rows["1-0101"][5:10] == ["10", "0", "0.00", "3.10", "31.00"]  # 10 吨 at the estate's 3.10 元

    await login(client, "desk")
    refused = await client.post("/desk/settings/meters", headers=csrf(client), data=form)
    assert refused.status_code == 403


async def test_meters_come_with_the_ledger_and_go_back_out_with_its_export(client: httpx.AsyncClient) -> None:
    from zoneinfo import ZoneInfo

    from server.ledger import service
    from server.ledger.sheets import METERS, UNITS
    from server.ledger.workbook import read_book
    from tests.ledger_sample import sample_rows, workbook

    tz = ZoneInfo("Asia/Shanghai")
    estate = await service.add_estate("BJ", "表具花园")
    rows = sample_rows(4)
    units = [r[1] for r in rows[UNITS.name]]
    rows[METERS.name] = [
        ["1栋", "S-1", units[0], "水表", "分户表", 1, "1单元水井", 1],
        ["1栋", "D-1", units[0], "电表", "分户表", 1, "1单元电井", 2],
        ["1栋", "G-1", None, "电表", "公共表", 1, "电梯机房", 9],
        ["1栋", "S-9", "1-1-9999", "水表", "分户表", 1, "", 3],  # no such unit
        ["1栋", "G-2", units[1], "水表", "公共表", 1, "", 4],  # a public meter names no unit
    ]
    plan = await service.preview(workbook(rows), "a.xlsx", estate.id, tz=tz)
    assert {(p.sheet, p.row, p.column) for p in plan.errors} == {("表具", 5, "房号"), ("表具", 6, "房号")}
    rows[METERS.name] = rows[METERS.name][:3]
    applied = await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=tz)
    assert applied.plan.counts["表具"].new == 3
    made = {m["serial"]: m for m in await Meter.select()}
    assert made["S-1"]["kind"] == "water" and made["S-1"]["unit_id"] and made["G-1"]["unit_id"] is None
    assert made["G-1"]["estate_id"] == estate.id and made["G-1"]["building_id"] == made["S-1"]["building_id"]

    exported = await service.export_estate(estate.id, tz=tz)
    sheet = next(s for s in read_book(exported, "e.xlsx").sheets if s.sheet.name == "表具")
    assert len(sheet.rows) == 3
    again = await service.apply(exported, "e.xlsx", estate.id, user_id="clerk", tz=tz)
    assert (again.plan.counts["表具"].new, again.plan.counts["表具"].changed) == (0, 0)
