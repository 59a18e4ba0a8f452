"""抄表 on the phone (issue 16): a steward offline reads 30 meters floor by floor, one lower
than last (refused, then accepted as a replaced meter with a photo) and one far too high
(confirmed with a photo of the dial); syncs; the desk's 复核 sends one back; the re-read
arrives on the phone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.sync import Create
from server import sync_service
from server.store import staff
from server.tables import MeterReading
from tests.e2e.conftest import desk_log_in
from tests.e2e.test_app_support import log_in, photo_png, saved, seed_world, shot, wait_synced
from tests.factories import make_user, new_id

pytestmark = pytest.mark.e2e

DIAL = {"name": "dial.png", "mimeType": "image/png", "buffer": photo_png(800, 600)}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def seed_meters(world: Any) -> tuple[dict[str, float], str, str]:
    """Fifteen meters in each of the two buildings (the units' water and electricity meters,
    public ones on every floor), each read a month ago; the one to be read far too high has
    six months of steady use behind it. Returns each meter's last reading, the meter read
    lower and the one read too high."""
    manager = await staff.principal_of(await make_user("manager"))
    assert manager is not None
    estate = world.estate
    now = datetime.now(UTC)
    meters: list[Create] = []
    last: dict[str, float] = {}
    for building in estate.building_ids:
        for floor, unit in enumerate(estate.unit_ids[building], start=1):
            for order, kind in enumerate(("water", "electricity")):
                meters.append(Create(seq=0, collection="meter", id=new_id(), fields={
                    "building_id": building, "unit_id": unit, "kind": kind, "use": "household", "floor": floor,
                    "place": "水井" if kind == "water" else "电井", "walk_order": order + 1}))
        for floor in range(1, 8):
            meters.append(Create(seq=0, collection="meter", id=new_id(), fields={
                "building_id": building, "kind": "electricity", "use": "public", "floor": min(floor, 6),
                "place": f"公共照明{floor}", "walk_order": 10 + floor}))
    readings: list[Create] = []
    month_ago = iso(now - timedelta(days=30))
    for i, meter in enumerate(meters):
        last[meter.id] = 200.0 + i
        readings.append(Create(seq=0, collection="meter_reading", id=new_id(), fields={
            "meter_id": meter.id, "reading": 200.0 + i, "read_at": month_ago}))
    high = meters[1].id  # the first unit's electricity meter: ~30 度 a month for six months
    for months in range(7, 1, -1):
        readings.append(Create(seq=0, collection="meter_reading", id=new_id(), fields={
            "meter_id": high, "reading": 201.0 - 30 * (months - 1), "read_at": iso(now - timedelta(days=30 * months))}))
    numbered = [Create(seq=n, collection=m.collection, id=m.id, fields=m.fields)
                for n, m in enumerate([*meters, *readings], start=1)]
    results = await sync_service.apply_desk_mutations(manager, numbered)
    assert all(r.status == "applied" for r in results), [r for r in results if r.status != "applied"]
    return last, meters[0].id, high


async def test_a_steward_reads_thirty_meters_offline_and_the_desk_sends_one_back(
        live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    last, lower, high = await seed_meters(world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(page, live_server.url, world.stewards[0])
    progress = await page.get_attribute("[data-round-progress]", "data-round-progress")
    assert progress == "0/30"
    await shot(page, "app-meters-today")

    await page.context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("[data-offline-ready]")
    await page.click("[data-start-round]")
    await page.wait_for_selector("[data-meter]")
    floors = await page.eval_on_selector_all("section.card:first-of-type [data-floor]", "els => els.map(e => +e.dataset.floor)")
    assert floors == sorted(floors) and floors[0] == 1  # floor by floor
    await shot(page, "app-meters-round")
    read: list[str] = []
    while len(read) < 30:
        if page.url.endswith("#/meters"):  # a building done: the next one's first meter
            await page.click("[data-meter][data-read=no]")
            await page.wait_for_function("location.hash.startsWith('#/meters/')")
        meter_id = page.url.rsplit("/", 1)[1]
        await page.wait_for_selector(f"[data-reading-form='{meter_id}']")
        if meter_id == lower:
            await page.fill("[data-reading]", "3")
            await page.click("[data-reading-form] [data-save]")
            banner = await page.wait_for_selector("[data-refusal=reading_lower]")
            assert "读数低于上次读数 200" in await banner.inner_text()
            await shot(page, "app-meters-lower")
            await page.check("[data-flags] input[name=flag][value=replaced]")
            await page.click("[data-reading-form] [data-save]")
            await page.wait_for_selector("[data-refusal=reading_needs_photo]")  # no photo yet: still refused
            await page.set_input_files("[data-photo-input]", DIAL)
            await page.wait_for_selector("[data-photo-count]:not(:empty)")
        elif meter_id == high:
            await page.fill("[data-reading]", str(last[high] + 400))
            await page.click("[data-reading-form] [data-save]")
            await page.wait_for_selector("[data-refusal=reading_high]")
            await page.check("[data-confirm-high]")
            await page.set_input_files("[data-photo-input]", DIAL)
            await page.wait_for_selector("[data-photo-count]:not(:empty)")
        else:
            await page.fill("[data-reading]", str(last[meter_id] + 12))
        await page.click("[data-reading-form] [data-save]")
        try:
            await saved(page)
        except Exception:
            await shot(page, "debug-meters")
            raise AssertionError((len(read), meter_id, page.url, lower, high, errors))
        read.append(meter_id)
        await page.wait_for_function(f"!location.hash.endsWith('{meter_id}')")
        await page.wait_for_selector(f"[data-reading-form='{meter_id}']", state="detached")
    assert len(set(read)) == 30
    assert await MeterReading.count() == 36  # nothing reached the server while offline
    await page.goto(live_server.url + "/app/#/today")
    await page.wait_for_selector("[data-round-progress='30/30']")

    await page.context.set_offline(False)
    await wait_synced(page)
    for _ in range(100):
        if await MeterReading.count() == 66:
            break
        await asyncio.sleep(0.1)
    flagged = {r["meter_id"]: r for r in await MeterReading.select().where(MeterReading.flag.is_not_null())}
    assert {m: (r["flag"], bool(r["photo_sha256"])) for m, r in flagged.items()} == {
        lower: ("replaced", True), high: ("confirmed_high", True)}

    desk = desk_page
    await desk_log_in(desk, live_server.url, world.desk, "/desk/meters")
    assert len(await desk.query_selector_all("[data-flagged]")) == 2
    await shot(desk, "desk-meters-review")
    row = f"[data-flagged='{flagged[high]['id']}']"
    await desk.fill(f"{row} [data-review-note]", "表盘照片模糊，请重抄")
    await desk.click(f"{row} [data-send-back]")
    await desk.wait_for_selector(f"[data-reread='{flagged[high]['id']}'][data-done=no]")
    await desk.click(f"[data-flagged='{flagged[lower]['id']}'] [data-accept]")
    await desk.wait_for_selector("[data-flagged]", state="detached")

    await page.reload()  # the phone pulls on start
    task = await page.wait_for_selector(f"[data-reread='{high}']", timeout=30000)
    assert "表盘照片模糊" in await task.inner_text()
    await shot(page, "app-meters-reread")
    await task.click()
    await page.fill("[data-reading]", str(last[high] + 31))
    await page.click("[data-reading-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    await desk.reload()
    await desk.wait_for_selector(f"[data-reread='{flagged[high]['id']}'][data-done=yes]")
    await desk.goto(f"{live_server.url}/desk/meters/sheet")  # this month's readings, shared out
    assert await desk.query_selector_all("[data-sheet-row]")
    await shot(desk, "desk-meters-sheet")
    await desk.goto(f"{live_server.url}/desk/meters/list")
    await desk.wait_for_selector("[data-meter]")
    await shot(desk, "desk-meters-list")
    assert errors == []
