"""The estate's structure at the desk in Debian's Chromium: a clerk records a change of
owner (过户) from the archive and the former household stays on the unit's page."""

from __future__ import annotations

import pytest

from server.demo import load_demo
from server.tables import Household, Unit
from tests.e2e.conftest import screenshot
from tests.e2e.test_desk_flow import log_in, serious_violations

pytestmark = pytest.mark.e2e


async def test_a_clerk_records_a_change_of_owner(live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await log_in(page, url, "qiantai")
    unit = await Unit.select(Unit.id, Unit.code).where(Unit.occupancy == "occupied").order_by(Unit.code).first()
    old = await Household.select().where((Household.unit_id == unit["id"]) & Household.ended_on.is_null()).first()

    await page.click("nav >> text=业户档案")
    await page.fill("#archive-q", unit["code"])
    await page.click(f"#archive-results a:has-text('{unit['code']}')")
    await page.wait_for_url(f"{url}/desk/archive/units/{unit['id']}")
    assert old["owner_name"] in await page.inner_text("#hh-h ~ dl")

    await page.click("[data-household-change=transfer] summary")
    form = page.locator("[data-household-change=transfer] form")
    await form.locator("input[name=ended_on]").fill("2026-11-20")
    await form.locator("input[name=owner_name]").fill("王新业主")
    await form.locator("input[name=owner_phone]").fill("13912345678")
    await form.locator("select[name=residence]").select_option("self_occupied")
    await form.locator("input[name=move_in_date]").fill("2026-11-25")
    await screenshot(page, "desk-household-transfer-form")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("#archive-unit .flash-ok")
    assert "已过户" in await page.inner_text("#archive-unit .flash-ok")
    assert "王新业主" in await page.inner_text("#hh-h ~ dl")
    former = await page.inner_text("#former-households")
    assert old["owner_name"] in former and "过户" in former and "2026-11-20" in former
    assert await serious_violations(page) == []
    await screenshot(page, "desk-household-transfer")

    rows = {h["owner_name"]: h for h in await Household.select().where(Household.unit_id == unit["id"])}
    assert rows[old["owner_name"]]["ended_on"] == "2026-11-20" and rows[old["owner_name"]]["end_reason"] == "transfer"
    assert rows["王新业主"]["ended_on"] is None and rows["王新业主"]["version"] > old["version"]

    # a bad date is refused in Chinese and changes nothing
    await page.click("[data-household-change=transfer] summary")
    form = page.locator("[data-household-change=transfer] form")
    await form.locator("input[name=owner_name]").fill("李某")
    await page.evaluate("document.querySelector('[data-household-change=transfer] input[name=ended_on]')"
                        ".removeAttribute('max')")
    await form.locator("input[name=ended_on]").fill("2099-01-01")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("#flash .flash-error")
    message = await page.inner_text("#flash .flash-error")
    assert "变更日期不能晚于今天" in message and "future" not in message
    assert await Household.count().where(Household.unit_id == unit["id"]) == 2

    # the building's page lists its units with the new owner
    await page.goto(f"{url}/desk/estate")
    await page.click("#estate-buildings a >> nth=0")
    await page.wait_for_selector("#building")
    assert "王新业主" in await page.inner_text("#building")
    await screenshot(page, "desk-building")

    # the same unit page in English: no Chinese label left
    await page.goto(f"{url}/desk/archive/units/{unit['id']}?lang=en")
    text = await page.inner_text("#archive-unit")
    assert "Former households" in text and "Change of owner" in text
    assert not any(word in text for word in ("历史住户", "过户", "现住户", "业主姓名", "变更原因"))
    await screenshot(page, "desk-household-transfer-en")


async def test_a_manager_adds_a_building_and_a_unit(live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await log_in(page, url, "jingli")
    await page.goto(f"{url}/desk/estate")
    await page.click("[data-building-add] summary")
    form = page.locator("[data-building-add] form")
    if await form.locator("select[name=estate_id]").count():
        await form.locator("select[name=estate_id]").select_option(index=0)
    await form.locator("input[name=code]").fill("26栋")
    await form.locator("input[name=name]").fill("26号楼")
    await form.locator("input[name=floors]").fill("11")
    await form.locator("input[name=lifts]").fill("2")
    await screenshot(page, "desk-estate-add-building")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("#estate-buildings .flash-ok")
    await page.click("#estate-buildings a:has-text('26栋')")
    await page.wait_for_selector("#building")
    unit = page.locator("#building [data-unit-add] form")
    await unit.locator("input[name=code]").fill("26-1-0101")
    await unit.locator("input[name=floor]").fill("1")
    await unit.locator("select[name=unit_type]").select_option("lianpai")
    await unit.locator("input[name=area_m2]").fill("180.5")
    await unit.locator("button[type=submit]").click()
    await page.wait_for_selector("#building a:has-text('26-1-0101')")
    assert "联排" in await page.inner_text("#building table") and "空置" in await page.inner_text("#building table")
    assert await serious_violations(page) == []
    await screenshot(page, "desk-building-added")
    row = await Unit.select().where(Unit.code == "26-1-0101").first()
    assert row["occupancy"] == "vacant" and row["area_m2"] == 180.5 and row["version"] > 0
