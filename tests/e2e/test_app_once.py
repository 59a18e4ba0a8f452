"""One capture, one record: a steward's double tap on 保存 (a wet thumb, a slow phone) saves
one finding and raises one ticket."""

from __future__ import annotations

import asyncio

import pytest

from server.tables import Finding, Ticket
from tests.e2e.test_app_support import log_in, saved, seed_world, wait_synced

pytestmark = pytest.mark.e2e


async def test_a_double_tap_on_save_makes_one_finding_and_one_ticket(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-kind]", "public_damage")
    await page.fill("[data-description]", "3楼楼道窗户玻璃破裂")
    await page.dblclick("[data-finding-form] [data-save]")  # two taps, 100 ms apart or less
    await saved(page)
    for _ in range(300):  # until the server holds the finding, then until the phone has sent all
        if await Finding.count():
            break
        await asyncio.sleep(0.1)
    await wait_synced(page)
    findings = await Finding.select(Finding.id)
    assert len(findings) == 1
    assert await Ticket.count().where(Ticket.source_finding_id == findings[0]["id"]) == 1
