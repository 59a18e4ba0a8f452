"""A revoked phone in Chromium: its push is refused and changes nothing, what the steward
captured stays in the phone's outbox, and after logging in again (same device id, same
last_seq) the outbox goes through. A browser test kept beside the other auth tests."""

from __future__ import annotations

import pytest

from server.store import staff
from server.tables import SyncDevice, TicketEvent
from tests.e2e.test_app_support import log_in, saved, seed_world, wait_synced
from tests.e2e.conftest import browser, chromium_path, live_server, page, screenshot, seeded  # noqa: F401
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
NOTE = "停用后在地下室写的备注"


async def _notes() -> int:
    return await TicketEvent.count().where(TicketEvent.body == NOTE)


async def test_revoked_phone_keeps_its_outbox_until_the_steward_logs_in_again(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    steward = await staff.user_by_username(world.stewards[0])
    [device] = await staff.list_devices(user_id=steward["id"])
    seq_before = device.last_seq

    await page.context.set_offline(True)
    await page.goto(f"{live_server.url}/app/#/ticket/{world.open_ticket}")
    await page.wait_for_selector("[data-ticket-form]")
    await page.fill("[data-note]", NOTE)
    await page.click("[data-ticket-form] [data-save]")
    await saved(page)
    assert await staff.revoke_device(device.id)  # the desk revokes the phone meanwhile

    await page.context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await page.wait_for_selector("[data-banner=relogin]", timeout=20000)
    await screenshot(page, "auth-phone-revoked")
    assert await _notes() == 0
    assert await staff.device_seq(device.id) == seq_before
    assert await page.get_attribute("[data-sync-badge]", "data-pending") != "0"

    await page.click("[data-banner=relogin] button")
    await page.wait_for_selector("form[data-login]")
    assert await page.is_visible("[data-kept]")  # "n records are kept on this phone"
    await page.fill("input[name=password]", PASSWORD)
    if not await page.input_value("input[name=username]"):
        await page.fill("input[name=username]", world.stewards[0])
    await page.click("form[data-login] button[type=submit]")
    await wait_synced(page)
    assert await _notes() == 1
    row = await SyncDevice.select(SyncDevice.revoked_at, SyncDevice.last_seq).where(
        SyncDevice.id == device.id).first()
    assert row["revoked_at"] is None and row["last_seq"] > seq_before
    assert [d.id for d in await staff.list_devices(user_id=steward["id"])] == [device.id]
