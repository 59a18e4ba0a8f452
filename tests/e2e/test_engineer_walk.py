"""An engineer's work order, end to end in Chromium: the desk takes a repair, the roster
dispatches it to the engineer on duty, the engineer (offline, in a pump room) accepts it,
arrives, and finishes it with a photo and the owner's signature; back online it syncs, the
desk sees the evidence, calls back the next day and closes it. A second repair cannot be
fixed at once: the engineer reports the date of the further repair and its deadline moves."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.store import duty
from server.tables import Attachment, Ticket, TicketEvent
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, photo_png, saved, shot, wait_synced
from tests.e2e.test_app_offline import sign
from tests.factories import make_estate, make_user, new_id

pytestmark = pytest.mark.e2e

PHOTO = {"name": "pipe.png", "mimeType": "image/png", "buffer": photo_png()}


async def desk_intake(desk, url: str, unit: dict, description: str) -> str:
    """受理新工单: a water repair of ``unit``; returns the ticket's id."""
    await desk.goto(url + "/desk/intake")
    await desk.fill("#owner-q", unit["code"])
    await desk.click(f"[data-pick-unit='{unit['id']}']")
    await desk.select_option("select[name=kind]", "repair")
    await desk.select_option("select[name=system]", "water")
    await desk.fill("textarea[name=description]", description)
    await desk.click("button:has-text('受理并生成工单')")
    await desk.wait_for_url(url + "/desk/tickets/*")
    return desk.url.rsplit("/", 1)[1]


async def test_a_repair_dispatched_from_the_roster_done_offline_with_the_owners_signature(
        live_server, seeded, page, desk_page) -> None:
    estate = await make_estate(buildings=1, units_per_building=4)
    desk_name, engineer_name = f"desk_{new_id()[-8:]}", f"eng_{new_id()[-8:]}"
    await make_user("desk", username=desk_name)
    engineer = await make_user("engineer", username=engineer_name, team="water_power")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    url, desk = live_server.url, desk_page
    from server.tables import Unit

    units = await Unit.select(Unit.id, Unit.code).where(Unit.occupancy == "occupied").order_by(Unit.code)

    # the desk puts the engineer on today's roster (值班表)
    await desk_log_in(desk, url, desk_name, "/desk/roster")
    await desk.select_option(f"select[name='duty.{today}.water_power']", engineer)
    await desk.click("[data-roster] button[type=submit]")
    await desk.wait_for_selector("#roster .flash-ok")
    await screenshot(desk, "engineer-desk-roster")
    assert await duty.week(estate.estate_id, [today], scope=_all(estate.estate_id)) == {(today, "water_power"): engineer}

    first = await desk_intake(desk, url, units[0], "厨房水管漏水，水流到楼下")
    head = await desk.inner_text(".ticket-head")
    assert "已派单" in head
    assert "测试engineer" in await desk.inner_text("#ticket")
    await screenshot(desk, "engineer-desk-dispatched")
    second = await desk_intake(desk, url, units[1], "卫生间下水管渗水，需更换管件")

    # the engineer's phone: 我的工单, then offline in the pump room
    await log_in(page, url, engineer_name)
    await page.wait_for_selector(f"[data-work-order='{first}']")
    assert await page.locator("[data-tab=patrol], [data-tab=vacant], [data-tab=visit]").count() == 0
    await shot(page, "engineer-today")
    await page.context.set_offline(True)
    await page.click(f"[data-work-order='{first}']")
    await page.click("[data-accept]")
    await saved(page)
    await page.wait_for_selector("[data-status=in_progress]")
    await page.click("[data-arrived]")
    await saved(page)
    await page.set_input_files("[data-complete-form] [data-photo-input]", PHOTO)
    await page.wait_for_selector("[data-complete-form] img.thumb")
    await page.fill("[data-done-note]", "更换角阀，试水无渗漏")
    await page.click("[data-complete]")  # not signed yet: refused on the phone
    await page.wait_for_selector("[data-complete-error]:has-text('业主在手机上签字')")
    await sign(page)
    await shot(page, "engineer-work-order")
    await page.click("[data-complete]")
    await saved(page)

    await page.click(f"[data-work-order='{second}']")
    await page.fill("[data-reason]", "需更换的管件缺货，已订购")
    later = "2030-01-15"
    await page.fill("[data-next-date]", later)
    await page.check("[data-owner-told]")
    await shot(page, "engineer-cannot-fix")
    await page.click("[data-cannot-fix]")
    await saved(page)
    assert await Ticket.select(Ticket.status).where(Ticket.id == first).first() == {"status": "dispatched"}  # offline
    await page.context.set_offline(False)  # back up: syncs with no click
    await page.goto(url + "/app/#/today")
    await wait_synced(page)
    for _ in range(300):
        stored = await Attachment.select(Attachment.kind, Attachment.stored).where(Attachment.parent_id == first)
        if len(stored) == 2 and all(a["stored"] for a in stored):
            break
        await asyncio.sleep(0.1)
    assert sorted(a["kind"] for a in stored) == ["photo", "signature"]
    row = await Ticket.select().where(Ticket.id == first).first()
    assert (row["status"], row["owner_signed"], row["assignee_id"]) == ("done", True, engineer)
    lines = {e["type"] for e in await TicketEvent.select(TicketEvent.type).where(TicketEvent.ticket_id == first)}
    assert {"arrived", "sign_off"} <= lines
    waiting = await Ticket.select().where(Ticket.id == second).first()
    assert (waiting["status"], waiting["promised_date"]) == ("in_progress", later)
    assert waiting["resolve_due_at"].startswith("2030-01-15T15:59:59")  # end of that day in the estate
    assert await page.locator(f"[data-work-order='{first}']").count() == 0  # done: off 我的工单
    await shot(page, "engineer-today-after")

    # the desk: the photo and the signature on the order, the callback due, called back, closed
    await desk.goto(f"{url}/desk/tickets/{first}")
    await desk.wait_for_function("[...document.querySelectorAll('[data-evidence] img')].length >= 2 && "
                                 "[...document.querySelectorAll('[data-evidence] img')].every(i => i.naturalWidth > 0)")
    assert "已完工" in await desk.inner_text(".ticket-head")
    timeline = await desk.inner_text(".timeline")
    assert "到场" in timeline and "更换角阀，试水无渗漏" in timeline
    await screenshot(desk, "engineer-desk-evidence")
    await desk.goto(url + "/desk/callbacks")
    assert "厨房水管漏水" in await desk.inner_text("main") or first[:8] in await desk.content()
    await screenshot(desk, "engineer-desk-callbacks")
    await desk.goto(f"{url}/desk/tickets/{first}")
    await desk.select_option("select[name=satisfaction]", "5")
    await desk.fill(".callback input[name=note]", "业主对维修满意")
    await desk.click("button[data-action=callback]")
    await desk.wait_for_function("document.querySelector('.ticket-head').innerText.includes('已回访')")
    desk.on("dialog", lambda dialog: dialog.accept())
    await desk.fill("[data-close-reason]", "回访满意，结案")
    await desk.click("#ticket button[data-to]:has-text('关闭工单')")
    await desk.wait_for_function("document.querySelector('.ticket-head').innerText.includes('已关闭')")
    await desk.goto(f"{url}/desk/tickets/{second}")
    assert "2030-01-15" in await desk.inner_text("#ticket")
    assert "需更换的管件缺货" in await desk.inner_text(".timeline")
    await screenshot(desk, "engineer-desk-cannot-fix")


def _all(estate_id: str):
    from sync.scope import Scope

    return Scope(estates=frozenset({estate_id}), buildings=None)
