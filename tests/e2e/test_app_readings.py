"""A vacant unit's meter reading lower than last week's: the phone asks before saving, the
steward confirms, the note says so, and the desk flags the reading."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from server.desk.field_work import iso_week
from server.store import staff
from server.tables import Unit, VacantCheck
from tests.e2e.conftest import desk_log_in
from tests.factories import new_id
from tests.integration.test_desk_helpers import ago
from tests.e2e.test_app_support import log_in, saved, seed_world, wait_synced

pytestmark = pytest.mark.e2e


async def test_a_reading_below_last_weeks_is_confirmed_on_the_phone_and_flagged_at_the_desk(
        live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    unit = await Unit.select().where(Unit.occupancy == "vacant").order_by(Unit.code).first()
    steward = await staff.user_by_username(world.stewards[0])
    last_week = iso_week(date.today() - timedelta(days=7))
    await VacantCheck.insert(VacantCheck(
        id=new_id(), version=1, created_at=ago(days=7), updated_at=ago(days=7), building_id=unit["building_id"],
        estate_id=unit["estate_id"], unit_id=unit["id"], week=last_week, checked_at=ago(days=7),
        steward_id=steward["id"], results={}, water_reading=12.5, electric_reading=301.2, notes=""))
    await log_in(page, live_server.url, world.stewards[0])
    await page.click("[data-tab=vacant]")
    await page.click(f"[data-vacant-unit='{unit['id']}']")
    await page.fill("[data-water]", "11")
    await page.fill("[data-electric]", "302")
    await page.click("[data-vacant-form] [data-save]")
    warning = await page.wait_for_selector("[data-reading-warning] .banner")
    assert "水表读数 11 低于上次的 12.5" in await warning.inner_text()
    await asyncio.sleep(0.5)
    assert await VacantCheck.count() == 1  # nothing saved yet
    await page.check("[data-confirm-reading]")
    await page.click("[data-vacant-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    for _ in range(100):
        if await VacantCheck.count() == 2:
            break
        await asyncio.sleep(0.1)
    check = await VacantCheck.select().where(VacantCheck.week != last_week).first()
    assert check["water_reading"] == 11 and "管家已核对" in check["notes"]

    desk = desk_page
    await desk_log_in(desk, live_server.url, world.desk, "/desk/vacant")
    flag = await desk.inner_text("[data-reading-flag=lower]")
    assert flag == "读数低于上次"
