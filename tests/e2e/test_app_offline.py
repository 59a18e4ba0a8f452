"""The steward's phone app in Chromium: log in once, work offline, sync with no click."""

from __future__ import annotations

import hashlib
import json
import re
import struct

from server.store.photo_store import stored_bytes
from server.tables import Attachment, Finding, Household, PatrolRound, Ticket, TicketEvent, VacantCheck, Visit
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, shot, photo_png, saved, seed_world, wait_synced

def jpeg_size(content: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(content):
        marker, length = content[at + 1], struct.unpack(">H", content[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xC3:
            height, width = struct.unpack(">HH", content[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no SOF marker")


PHOTO = {"name": "hazard.png", "mimeType": "image/png", "buffer": photo_png()}


async def record_finding(page) -> None:
    await page.click("[data-tab=patrol]")
    await page.wait_for_selector("[data-start-round]")
    await shot(page, "app-patrol-start")
    await page.click("[data-start-round]")
    await saved(page)
    await page.wait_for_selector("[data-finding-form]")
    # starting a round patrols no building yet: the steward checks in at each one walked
    assert await page.locator("[data-check-in]").count() == 2 and await page.locator("[data-checked-in]").count() == 0
    await page.click("[data-checkin-building='2栋'] [data-check-in]")
    await saved(page)
    await page.wait_for_selector("[data-checkin-building='2栋'] [data-checked-in]")
    assert await page.locator("[data-checkin-building='1栋'] [data-check-in]").count() == 1
    await shot(page, "app-patrol-check-in")
    await page.select_option("[data-floor]", "B1")  # the finding is in 1栋 (the first building)
    await page.select_option("[data-area]", "garage")
    await page.select_option("[data-kind]", "safety_hazard")
    await page.click("label.choice:has(input[name=severity][value=high])")
    await page.fill("[data-description]", "地库消防栓箱门损坏，水带外露")
    await page.set_input_files("[data-photo-input]", PHOTO)
    await page.wait_for_selector("img.thumb")
    await shot(page, "app-patrol-finding")
    assert await page.is_checked("[data-raise-ticket]")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)
    await page.wait_for_selector("text=本次巡查记录")
    await page.wait_for_selector("[data-checkin-building='1栋'] [data-checked-in]")  # a finding there checks it in
    assert await page.locator("[data-check-in]").count() == 0
    await shot(page, "app-patrol-round")
    await page.click("[data-end-round]")  # ending asks first; 取消 leaves the round open
    await page.click("[data-end-round-cancel]")
    await page.click("[data-end-round]")
    await page.fill("[data-end-notes]", "3栋消防通道已清理")
    await shot(page, "app-patrol-end-confirm")
    await page.click("[data-end-round-confirm]")
    await saved(page)
    await page.wait_for_selector("text=已完成")  # Today: the morning round is done
    rounds = await page.eval_on_selector_all("[data-building-round] [data-rounds]", "els => els.map(e => e.textContent)")
    assert rounds == ["1/2 遍", "1/2 遍"], rounds  # each building: one round of the two today


async def record_vacant_check(page) -> None:
    await page.click("[data-tab=vacant]")
    await shot(page, "app-vacant-list")
    await page.click("[data-vacant-unit] >> nth=0")
    await page.wait_for_selector("[data-vacant-form]")
    await page.click("label.choice:has(input[name=check_leaks][value=defect])")
    await page.fill("[data-water]", "12.5")
    await page.fill("[data-electric]", "301.2")
    await page.set_input_files("[data-photo-input]", PHOTO)
    await page.wait_for_selector("img.thumb")
    await shot(page, "app-vacant-check")
    await page.click("[data-vacant-form] [data-save]")
    await saved(page)


async def sign(page) -> None:
    """The owner signs with a finger: once the pad stands still on the screen (a busy phone
    may still be laying the form out after scrolling to it)."""
    pad = page.locator("[data-signature]")
    await pad.scroll_into_view_if_needed()
    await page.wait_for_function("""() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
        const box = document.querySelector("[data-signature]").getBoundingClientRect();
        setTimeout(() => { const again = document.querySelector("[data-signature]").getBoundingClientRect();
                           done(box.top === again.top && box.left === again.left); }, 100); })))""")
    box = await pad.bounding_box()
    await page.mouse.move(box["x"] + 30, box["y"] + 100)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 100 + (-1) ** step * 40)
    await page.mouse.up()
    assert int(await pad.get_attribute("data-strokes")) > 5


async def record_callback_visit(page, ticket_id: str) -> None:
    await page.click("[data-tab=visit]")
    await page.wait_for_selector("[data-visit-start] [data-unit]")
    await shot(page, "app-visit-choose")
    await page.click("[data-tab=today]")
    await page.wait_for_selector("[data-offline-ready]")
    await shot(page, "app-today-offline-pending")
    await page.click(f"[data-ticket='{ticket_id}']")
    await page.wait_for_selector("[data-callback]")
    await shot(page, "app-ticket")
    await page.click("[data-callback]")
    await page.wait_for_selector("[data-visit-form]")
    await page.fill("[data-outcome]", "已修好，业主确认不再漏水")
    await page.click("label.choice:has(input[name=satisfaction][value='5'])")
    await page.fill("[data-owner-words]", "师傅很快就来了，满意")
    await page.fill("[data-family]", "三口之家，老人同住")
    await sign(page)
    await shot(page, "app-visit")
    await page.click("[data-visit-form] [data-save]")
    await saved(page)


async def test_offline_capture_survives_and_syncs(live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(page, live_server.url, world.stewards[0])
    await shot(page, "app-today")
    context = page.context

    await context.set_offline(True)
    await page.reload()  # served by the service worker
    await page.wait_for_selector("[data-offline-ready]")
    await record_finding(page)
    await record_vacant_check(page)
    await record_callback_visit(page, world.done_ticket)
    assert await page.get_attribute("[data-sync-badge]", "data-state") == "offline"
    assert int(await page.get_attribute("[data-sync-badge]", "data-pending")) > 0
    tags = await page.evaluate("async () => (await navigator.serviceWorker.ready).sync.getTags()")
    assert "outbox" in tags  # Background Sync asked to wake the app when the network is back

    await page.close()  # close the app and open it again, still offline
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(live_server.url + "/app/#/records")
    await page.wait_for_selector("[data-record]")
    states = await page.eval_on_selector_all(
        "[data-record]", "els => els.map(e => [e.dataset.collection, e.dataset.state])")
    captured = {collection for collection, _ in states}
    assert {"patrol_round", "finding", "ticket", "vacant_check", "visit", "household"} <= captured, states
    assert all(state == "pending" for _, state in states), states
    await shot(page, "app-records-pending")
    pending = int(await page.get_attribute("[data-sync-badge]", "data-pending"))
    assert pending >= 10

    await context.set_offline(False)  # back online: sync with no click
    await wait_synced(page)
    try:
        await page.wait_for_function(
            "[...document.querySelectorAll('[data-record]')].every(e => e.dataset.state === 'synced')", timeout=45000)
    finally:
        await shot(page, "app-records-after-sync")
    await shot(page, "app-records-synced")

    patrol = await PatrolRound.select().first()
    assert patrol["status"] == "ended" and patrol["ended_at"] and patrol["notes"] == "3栋消防通道已清理"
    covered = patrol["covered_building_ids"]
    b1, b2 = world.estate.building_ids
    assert (json.loads(covered) if isinstance(covered, str) else covered) == [b2, b1]  # checked in, then found in
    finding = await Finding.select().first()
    assert finding["round_id"] == patrol["id"]
    assert finding["kind"] == "safety_hazard" and finding["severity"] == "high" and finding["ticket_id"]
    raised = await Ticket.select().where(Ticket.id == finding["ticket_id"]).first()
    assert raised["kind"] == "patrol_finding" and raised["source_finding_id"] == finding["id"]
    assert re.fullmatch(r"T\d+-\d{6}", raised["number"])  # the test estate's code, its own count
    check = await VacantCheck.select().first()
    results = json.loads(check["results"]) if isinstance(check["results"], str) else check["results"]
    assert results["leaks"] == "defect" and check["water_reading"] == 12.5
    defect = await Ticket.select().where(Ticket.source_check_id == check["id"]).first()
    assert defect["kind"] == "vacant_defect"
    visit = await Visit.select().where(Visit.ticket_id == world.done_ticket).first()
    assert visit["purpose"] == "repair_callback" and visit["satisfaction"] == 5 and visit["signature_sha256"]
    called = await Ticket.select().where(Ticket.id == world.done_ticket).first()
    assert called["status"] == "called_back"
    assert await TicketEvent.count().where((TicketEvent.ticket_id == world.done_ticket) & (TicketEvent.type == "callback")) == 1
    attachments = await Attachment.select()
    kinds = sorted(a["kind"] for a in attachments)
    assert kinds == ["photo", "photo", "signature"], attachments
    assert all(a["stored"] for a in attachments), attachments
    for a in attachments:
        content = await stored_bytes(a["sha256"])
        assert content is not None and hashlib.sha256(content).hexdigest() == a["sha256"] and len(content) == a["size"]
        if a["kind"] == "photo":  # the 1600×1200 camera picture, downscaled on the phone
            assert a["mime"] == "image/jpeg" and jpeg_size(content) == (1280, 960)
    household = await Household.select().where(Household.id == visit["household_id"]).first()
    assert household["family_structure"] == "三口之家，老人同住"

    # the desk sees the owner's signature on the unit's visits, and the vacant check's photo
    await desk_log_in(desk_page, live_server.url, world.desk, f"/desk/archive/units/{visit['unit_id']}")
    signed = desk_page.locator(f"[data-visit-evidence='{visit['id']}'] img")
    await signed.wait_for()
    assert await signed.get_attribute("alt") == "业主签字"
    await desk_page.wait_for_function(
        f"document.querySelector(\"[data-visit-evidence='{visit['id']}'] img\").naturalWidth > 0")
    await desk_page.goto(f"{live_server.url}/desk/archive/units/{check['unit_id']}")
    await desk_page.wait_for_function("[...document.querySelectorAll('[data-evidence] img')].some(i => i.naturalWidth > 0)")
    await screenshot(desk_page, "desk-archive-unit-evidence")

    await desk_page.goto(live_server.url + "/desk/tickets")
    assert await desk_page.locator(f"text={raised['number']}").count() >= 1
    assert errors == [], errors
