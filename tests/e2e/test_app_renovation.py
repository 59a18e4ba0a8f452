"""装修 in Chromium (issue 18, the first Done-when): an application approved at the desk → the
water-closure test signed on the phone (offline) → the permit → two patrol inspections
offline, the first issuing a rectification notice that the second checks → completion → 初验
on Today within 7 days → with the phone's clock three months on, 复验 due → passed → the
desk records the deposit's refund; the archive shows the whole case. The phone's days come
from its own clock (``page.clock``); the desk's are typed into its forms."""

from __future__ import annotations

import datetime as dt

from server.tables import Renovation, RenovationInspection, Unit
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_offline import PHOTO, sign
from tests.e2e.test_app_support import log_in, saved, seed_world, shot, wait_synced


async def case_of(unit_id: str) -> dict:
    return await Renovation.select().where(Renovation.unit_id == unit_id).first()


async def desk_step(desk, step: str, day: str, **numbers: int) -> None:
    """Take the next step on the case page (HTMX swaps the case in place)."""
    await desk.fill("[data-step-form] input[name=day]", day)
    for name, value in numbers.items():
        await desk.fill(f"[data-step-form] input[name={name}]", str(value))
    await desk.click(f"[data-take-step={step}]")
    await desk.wait_for_selector(f"#renovation[data-status={step}]")


async def phone_at(page, day: str) -> None:
    """The phone's clock on ``day``, mid-morning."""
    await page.clock.set_fixed_time(dt.datetime.fromisoformat(f"{day}T10:00:00"))


async def open_case_on_phone(page) -> None:
    """Today lists the units under renovation in the steward's buildings."""
    await page.click("[data-tab=today]")
    await page.click("[data-renovation-case]")
    await page.wait_for_selector("[data-case-status]")


async def sync_now(page) -> None:
    await page.click("[data-tab=today]")
    await page.click("[data-sync-now]")
    await wait_synced(page)


async def phone_sees(page, status: str) -> None:
    """Sync until the phone holds the desk's step (a sync may already be under way when the
    button is tapped: the badge can read idle before the pull has brought the change)."""
    for _ in range(20):
        await sync_now(page)
        await open_case_on_phone(page)
        if await page.locator(f"[data-case-status={status}]").count():
            return
        await page.wait_for_timeout(500)
    raise AssertionError(f"the phone never saw the case {status}")


async def test_a_renovation_from_application_to_the_deposits_refund(live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    building = world.estate.building_ids[0]
    unit_id = world.estate.unit_ids[building][0]  # 1栋 1-0101, 洋房 98.5 m²
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    desk = desk_page
    await desk.set_viewport_size({"width": 1280, "height": 900})

    # the desk: the application, approved, the fees paid (two worker passes)
    await desk_log_in(desk, live_server.url, world.desk, "/desk/renovations")
    await desk.select_option("[data-renovation-new] select[name=building_id]", building)
    await desk.fill("[data-renovation-new] input[name=unit_code]", "1-0101")
    await desk.fill("[data-renovation-new] input[name=contractor]", "郑州美家装饰")
    await desk.fill("[data-renovation-new] input[name=applied_on]", "2026-09-01")
    await desk.fill("[data-renovation-new] textarea[name=plan]", "厨卫改造，不动承重墙")
    await desk.click("[data-renovation-new] button[type=submit]")
    await desk.wait_for_selector("#renovation[data-status=applied]")
    assert (await Unit.select(Unit.occupancy).where(Unit.id == unit_id).first())["occupancy"] == "renovating"
    await desk_step(desk, "approved", "2026-09-02")
    await desk_step(desk, "fees_paid", "2026-09-03", passes=2)
    assert await desk.text_content("[data-quality-deposit]") == "3000.00"
    assert await desk.text_content("[data-rubbish]") == "394.00"
    assert await desk.text_content("[data-pass-deposit]") == "100.00"
    assert await desk.locator("[data-phone-step]").count() == 1  # the test is the phone's
    await screenshot(desk, "desk-renovation-fees-paid")

    # the phone, offline: the test, signed by the owner
    await log_in(page, live_server.url, world.stewards[0])
    await page.context.set_offline(True)
    await phone_at(page, "2026-09-04")
    await open_case_on_phone(page)
    await shot(page, "app-renovation-case")
    await page.click("[data-inspect=test]")
    await page.wait_for_selector("[data-renovation-form=test]")
    await page.fill("[data-findings]", "打压0.8MPa 30分钟无压降，闭水48小时无渗漏")
    await sign(page)
    await shot(page, "app-renovation-test")
    await page.click("[data-renovation-form] [data-save]")
    await saved(page)
    await page.context.set_offline(False)
    await sync_now(page)
    case = await case_of(unit_id)
    assert (case["status"], case["tested_on"]) == ("tested", "2026-09-04")

    # the desk: the permit two days after the test
    await desk.reload()
    await desk_step(desk, "permitted", "2026-09-06")
    await phone_sees(page, "permitted")

    # two patrols offline: the first issues a notice, the second checks it
    await page.context.set_offline(True)
    await phone_at(page, "2026-09-10")
    await open_case_on_phone(page)
    await page.click("[data-inspect=patrol]")
    await page.wait_for_selector("[data-renovation-form=patrol]")
    await page.click("label.choice:has(input[name=check_rubbish][value=defect])")
    await page.click("label.choice:has(input[name=check_fire][value=defect])")
    await page.fill("[data-findings]", "楼道堆放装修垃圾，现场无灭火器")
    await page.fill("[data-notice]", "三日内清运垃圾并配备灭火器")
    await page.fill("[data-notice-due]", "2026-09-13")
    await page.set_input_files("[data-photo-input]", PHOTO)
    await page.wait_for_selector("img.thumb")
    await shot(page, "app-renovation-patrol")
    await page.click("[data-renovation-form] [data-save]")
    await saved(page)
    await page.wait_for_selector("[data-open-notice]")
    await phone_at(page, "2026-09-13")
    await page.click("[data-inspect=patrol]")
    await page.wait_for_selector("[data-renovation-form=patrol]")
    await page.click("label.choice:has(input[name=notice_result][value=rectified])")
    await shot(page, "app-renovation-check-notice")
    await page.click("[data-renovation-form] [data-save]")
    await saved(page)
    assert await page.locator("[data-open-notice]").count() == 0
    await page.context.set_offline(False)
    await sync_now(page)
    patrols = await RenovationInspection.select().where(RenovationInspection.kind == "patrol").order_by(
        RenovationInspection.inspected_on)
    assert [(p["inspected_on"], p["notice_due"], p["notice_result"]) for p in patrols] == [
        ("2026-09-10", "2026-09-13", None), ("2026-09-13", None, "rectified")]
    assert patrols[1]["checks_notice_id"] == patrols[0]["id"]

    # completion: 初验 on Today, due within seven days
    await desk.reload()
    await desk_step(desk, "completed", "2026-11-23")
    assert await desk.text_content("[data-first-due]") == "2026-11-30"
    await phone_sees(page, "completed")
    await page.context.set_offline(True)
    await phone_at(page, "2026-11-25")
    await page.click("[data-tab=records]")
    await page.click("[data-tab=today]")
    due = page.locator("[data-renovation-due=first]")
    await due.wait_for()
    assert "1-0101" in await due.text_content() and "11-30" in await due.text_content()
    await shot(page, "app-today-renovation-first")
    await due.click()
    await page.wait_for_selector("[data-renovation-form=first]")
    await sign(page)
    await page.click("[data-renovation-form] [data-save]")
    await saved(page)
    await page.context.set_offline(False)
    await sync_now(page)
    case = await case_of(unit_id)
    assert (case["status"], case["first_on"], case["second_due"]) == ("first_passed", "2026-11-25", "2027-02-25")

    # the workers leave: passes and their deposits back
    await desk.reload()
    await desk_step(desk, "passes_returned", "2026-11-26", passes_returned=2)
    assert await desk.text_content("[data-pass-refund]") == "100.00"
    await phone_sees(page, "passes_returned")

    # three months on, 复验 is due on Today: passed, signed
    await page.context.set_offline(True)
    await phone_at(page, "2027-02-25")
    await page.click("[data-tab=records]")
    await page.click("[data-tab=today]")
    due = page.locator("[data-renovation-due=second]")
    await due.wait_for()
    assert "2027-02-25" in await due.text_content()
    await shot(page, "app-today-renovation-second")
    await due.click()
    await page.wait_for_selector("[data-renovation-form=second]")
    await sign(page)
    await page.click("[data-renovation-form] [data-save]")
    await saved(page)
    await page.context.set_offline(False)
    await sync_now(page)
    assert (await case_of(unit_id))["status"] == "second_passed"

    # the desk refunds the quality deposit; the unit is no longer 装修中
    await desk.reload()
    await desk_step(desk, "refunded", "2027-02-26")
    assert await desk.text_content("[data-quality-refund]") == "3000.00"
    assert await desk.locator("[data-case-closed]").count() == 1
    assert (await Unit.select(Unit.occupancy).where(Unit.id == unit_id).first())["occupancy"] == "occupied"
    await screenshot(desk, "desk-renovation-case")
    page_text = await desk.text_content("#renovation")
    for text in ("三日内清运垃圾并配备灭火器", "已整改", "初验", "复验", "打压/闭水试验", "2027-02-25"):
        assert text in page_text, text
    assert "Passed" not in page_text  # a Chinese screen

    # the archive shows the whole case, with a way to it
    await desk.goto(f"{live_server.url}/desk/archive/units/{unit_id}")
    section = desk.locator("[data-unit-section=renovation]")
    assert "已退保证金" in await section.text_content()
    await section.locator("a").first.click()
    await desk.wait_for_selector("#renovation[data-status=refunded]")
    await desk.goto(f"{live_server.url}/desk/renovations?status=all")
    await screenshot(desk, "desk-renovations")
    assert not errors, errors
