"""费用催缴 (应会 7; issue 16) in Chromium: a month of the fee calendar with the phone's date
set by the test. The phone shows each unit's stage as the days pass; offline, the steward
logs a call and a posted second notice with its photo; they sync; a payment import clears
the unit from the phone at the next pull, and the desk's collection rate by steward changes
accordingly (screenshots ``app-fees-*``, ``desk-fees*``)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.ledger import service
from server.ledger.sheets import BILLS
from server.store import staff
from server.tables import Attachment, FeeContact, StaffUser, Unit, Visit
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, photo_png, saved, seed_world, shot, wait_synced
from tests.ledger_sample import workbook

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Shanghai")
PHOTO = {"name": "notice.png", "mimeType": "image/png", "buffer": photo_png(800, 600)}

# 楼栋, 房号, 月份, 应收, 实收, 缴费日期, 收费项目
BILLS_ROWS = [
    ["1栋", "1-0101", "2026-11", 300, 0, None, "物业费"],
    ["1栋", "1-0101", "2026-11", 120, 0, None, "车位费"],
    ["1栋", "1-0201", "2026-11", 250, 0, None, "物业费"],
    ["1栋", "1-0301", "2026-10", 200, 0, None, "物业费"],
    ["2栋", "2-0101", "2026-11", 300, 300, "2026-11-20", "物业费"],
    ["2栋", "2-0201", "2026-12", 300, 0, None, "物业费"],  # this month's bill: not due yet
]


async def at_day(page, day: str) -> None:
    """The phone's clock on ``day`` at 10:00 (its own time zone), the app reopened."""
    await page.clock.set_fixed_time(datetime.fromisoformat(f"{day}T10:00:00"))
    await page.goto(page.url.split("#")[0] + "#/today")
    await page.reload()
    await page.wait_for_selector("[data-offline-ready]")


async def stages(page) -> dict[str, str]:
    """The fees screen, opened afresh (from Today): unit code → stage."""
    base = page.url.split("#")[0]
    if page.url.endswith("#/fees"):
        await page.goto(base + "#/today")
        await page.wait_for_selector("[data-offline-ready]")
    await page.goto(base + "#/fees")
    await page.wait_for_selector("[data-fee-today]")
    return dict(await page.eval_on_selector_all("[data-fee-unit]", "els => els.map(e => [e.dataset.feeUnit, e.dataset.stage])"))


async def steward_rate(desk, url: str) -> str:
    await desk.goto(url + "/desk/fees?month=2026-11&day=2026-12-17")
    return await desk.get_attribute("tbody[data-group=steward] td[data-rate]", "data-rate")


async def test_a_month_of_the_fee_calendar_on_the_phone(live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    url = live_server.url
    applied = await service.apply(workbook({BILLS.name: BILLS_ROWS}), "账单.xlsx", world.estate.estate_id,
                                  user_id="finance", tz=TZ)
    assert not applied.plan.errors
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.clock.set_fixed_time(datetime.fromisoformat("2026-12-03T10:00:00"))
    await log_in(page, url, world.stewards[0])

    # the calendar: listed by the 5th, phone calls 6–15, second notice 16–20, third from the 21st
    assert await stages(page) == {"1-0101": "listed", "1-0201": "listed", "1-0301": "third_notice"}
    await shot(page, "app-fees-list")
    seen = {}
    for day in ("2026-12-08", "2026-12-17", "2026-12-22"):
        await at_day(page, day)
        seen[day] = await stages(page)
    assert seen["2026-12-08"]["1-0101"] == "phone" and seen["2026-12-17"]["1-0101"] == "second_notice"
    assert seen["2026-12-22"] == {"1-0101": "third_notice", "1-0201": "third_notice", "1-0301": "third_notice"}

    # offline on the 8th: a call not reached; on the 17th: the second notice posted, with its photo
    context = page.context
    await at_day(page, "2026-12-08")
    await context.set_offline(True)
    await stages(page)
    await page.click("[data-fee-unit='1-0201']")
    await page.wait_for_selector("[data-fee-form]")
    assert await page.get_attribute("[data-fee-arrears] [data-stage]", "data-stage") == "phone"
    await page.click("label.choice:has(input[name=kind][value=call])")
    await page.click("label.choice:has(input[name=reached][value=no])")
    await page.select_option("[data-reason]", "away")
    await page.fill("[data-note]", "业主在外地，短信已发")
    await shot(page, "app-fees-call")
    await page.click("[data-fee-form] [data-save]")
    await saved(page)
    await page.wait_for_selector("[data-fee-history] [data-contact-kind=call]")

    await at_day(page, "2026-12-17")
    await stages(page)
    await page.click("[data-fee-unit='1-0201']")
    await page.wait_for_selector("[data-fee-form]")
    await page.click("label.choice:has(input[name=kind][value=notice])")
    await page.click("[data-fee-form] [data-save]")  # a posted notice needs its photo
    await page.wait_for_selector("[data-flash-text]")
    assert "照片" in await page.inner_text("[data-flash-text]")
    await page.evaluate("document.querySelector('[data-flash]').replaceChildren()")
    await page.click("label.choice:has(input[name=notice][value=second])")
    await page.set_input_files("[data-photo-input]", PHOTO)
    await page.wait_for_selector("img.thumb")
    await shot(page, "app-fees-notice")
    await page.click("[data-fee-form] [data-save]")
    await saved(page)
    await page.wait_for_selector("[data-fee-history] [data-contact-kind=notice]")
    assert await FeeContact.count() == 0  # nothing has left the phone yet
    assert int(await page.get_attribute("[data-sync-badge]", "data-pending")) >= 3
    await shot(page, "app-fees-unit")

    await context.set_offline(False)
    await wait_synced(page)
    for _ in range(100):
        if await FeeContact.count() == 2 and await Attachment.count().where(Attachment.stored == True) == 1:  # noqa: E712
            break
        await asyncio.sleep(0.2)
    contacts = {c["kind"]: c for c in await FeeContact.select()}
    assert contacts["call"]["reached"] is False and contacts["call"]["reason"] == "away"
    assert contacts["notice"]["notice"] == "second" and contacts["notice"]["amount_fen"] == 25000
    photo = await Attachment.select().where(Attachment.parent_id == contacts["notice"]["id"]).first()
    assert photo["parent_collection"] == "fee_contact" and photo["stored"]

    # the desk: the unit's stage and log; the steward's rate before the payment
    desk = desk_page
    steward = await staff.user_by_username(world.stewards[0])
    await StaffUser.update({StaffUser.display_name: "管家小王"}).where(StaffUser.id == steward["id"])
    await desk_log_in(desk, url, world.desk, "/desk/fees")
    before = await steward_rate(desk, url)
    assert before == f"{300 / 970:.4f}"  # November: 300 collected of 300 + 120 + 250 + 300 due
    await screenshot(desk, "desk-fees")

    # 1-0201 pays at the office: the payment import; the phone's next pull drops it
    paid = [r if r[1] != "1-0201" else [*r[:4], r[3], "2026-12-18", r[6]] for r in BILLS_ROWS]
    await service.apply(workbook({BILLS.name: paid}), "账单.xlsx", world.estate.estate_id, user_id="finance", tz=TZ)
    after = await steward_rate(desk, url)
    assert after == f"{550 / 970:.4f}" != before
    await page.click("[data-sync-badge]")
    await wait_synced(page)
    for _ in range(50):
        if "1-0201" not in await stages(page):
            break
        await page.click("[data-sync-badge]")
        await asyncio.sleep(0.3)
    assert await stages(page) == {"1-0101": "second_notice", "1-0301": "third_notice"}
    await shot(page, "app-fees-after-payment")

    await desk.goto(url + f"/desk/fees/units/{contacts['notice']['unit_id']}?day=2026-12-18")
    log = await desk.inner_text("[data-fee-contacts]")
    assert "业主在外地" in log and "二次通知单" in log and "张贴通知单" in log
    await desk.wait_for_selector("[data-contact-evidence] img")
    await screenshot(desk, "desk-fee-unit")
    # the third notices of the units still owing, late fee filled in (the estate has no rate yet: 0)
    owing = [u["id"] for u in await Unit.select(Unit.id).where(Unit.code.is_in(["1-0101", "1-0301"]))]
    notices = await desk.goto(url + "/desk/fees/notices?notice=third&day=2026-12-22&unit=" + "&unit=".join(owing))
    assert notices.status == 200
    printed = await desk.eval_on_selector_all("[data-notice-unit]", "els => els.map(e => e.dataset.noticeUnit)")
    assert sorted(printed) == ["1-0101", "1-0301"]
    assert await desk.inner_text("[data-notice-unit='1-0101'] [data-total]") == "420.00"
    await screenshot(desk, "desk-fee-notices")

    # the 22nd: the door-to-door visit of 1-0101 is a visit (上门催缴) the contact links to
    await at_day(page, "2026-12-22")
    await stages(page)
    await page.click("[data-fee-unit='1-0101']")
    await page.wait_for_selector("[data-fee-form]")
    assert await page.is_checked("input[name=kind][value=visit]")  # the stage's step is offered first
    await page.fill("[data-note]", "业主答应月底前缴清")
    await page.fill("[data-promised]", "2026-12-30")
    await page.click("[data-fee-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    for _ in range(100):
        if await FeeContact.count() == 3:
            break
        await asyncio.sleep(0.2)
    visit = await Visit.select().where(Visit.purpose == "fee_reminder").first()
    door = await FeeContact.select().where(FeeContact.kind == "visit").first()
    assert visit and door["visit_id"] == visit["id"] and visit["outcome"] == "业主答应月底前缴清"
    assert door["promised_on"] == "2026-12-30"
    assert not errors, errors
