"""The field's evidence at the desk: a steward's photo of a finding shows on the ticket it
raised and in the patrol log, full size on click, to the desk of the estate only."""

from __future__ import annotations

import asyncio

import pytest

from server.tables import Attachment, Ticket
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, saved, seed_world, wait_synced
from tests.e2e.test_app_sync import noisy_png

pytestmark = pytest.mark.e2e


async def test_a_findings_photo_shows_on_its_ticket_and_in_the_patrol_log(live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-kind]", "public_damage")
    await page.fill("[data-description]", "5楼消防栓玻璃破碎")
    await page.set_input_files("[data-photo-input]", {"name": "glass.png", "mimeType": "image/png", "buffer": noisy_png()})
    await page.wait_for_selector("img.thumb")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    for _ in range(300):
        attachment = await Attachment.select().first()
        if attachment and attachment["stored"]:
            break
        await asyncio.sleep(0.1)
    ticket = await Ticket.select().where(Ticket.source_finding_id.is_not_null()).first()

    desk = desk_page
    await desk_log_in(desk, live_server.url, world.desk, f"/desk/tickets/{ticket['id']}")
    image = desk.locator("[data-evidence] img").first
    await image.wait_for()
    await desk.wait_for_function("document.querySelector('[data-evidence] img').naturalWidth > 0")
    assert await image.get_attribute("alt") == "现场照片"
    await screenshot(desk, "desk-ticket-evidence")
    await desk.emulate_media(media="print")  # 打印维修单: the order on paper, no controls
    assert await desk.is_visible(".print-title") and await desk.is_visible(".sign-here")
    assert not await desk.is_visible(".ticket .actions") and not await desk.is_visible("[data-print]")
    assert "维修单" in await desk.inner_text(".print-title")
    await screenshot(desk, "desk-ticket-print")
    await desk.emulate_media(media="screen")
    full = await desk.request.get(live_server.url + await desk.locator("[data-evidence] a").first.get_attribute("href"))
    assert full.status == 200 and full.headers["content-type"].startswith("image/")
    await desk.goto(live_server.url + "/desk/patrols")
    await desk.wait_for_function("document.querySelector('[data-evidence] img')?.naturalWidth > 0")
