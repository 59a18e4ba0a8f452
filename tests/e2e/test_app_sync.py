"""The phone app's sync against the real server: conflicts between two phones, a failed
push retried exactly once, and Chromium's installability check."""

from __future__ import annotations

import asyncio

import pytest

from server import db as database
from server.store import staff
from server.store.photo_store import stored_bytes
from server.tables import AppliedMutation, Attachment, AttachmentBlob, Conflict, Finding, PatrolRound, SyncDevice, Ticket, Visit
from tests.factories import PASSWORD
from tests.e2e.test_app_support import log_in, shot, saved, seed_world, wait_synced
from tests.e2e.conftest import CHROMIUM_ARGS, LiveServer, axe_violations


async def phone(browser):
    context = await browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True,
                                        has_touch=True, locale="zh-CN")
    return context, await context.new_page()


async def set_priority(page, ticket_id: str, priority: str) -> None:
    await page.goto(page.url.split("#")[0] + f"#/ticket/{ticket_id}")
    await page.wait_for_selector("[data-ticket-form]")
    await page.select_option("[data-priority]", priority)
    await page.click("[data-ticket-form] [data-save]")
    await saved(page)


async def test_two_phones_edit_one_ticket_offline(live_server, seeded, browser) -> None:
    world = await seed_world(stewards=2)
    (first_context, first), (second_context, second) = await phone(browser), await phone(browser)
    await log_in(first, live_server.url, world.stewards[0])
    await log_in(second, live_server.url, world.stewards[1])
    await first_context.set_offline(True)
    await second_context.set_offline(True)
    await set_priority(first, world.open_ticket, "urgent")
    await set_priority(second, world.open_ticket, "low")
    await second.fill("[data-note]", "业主说灯已经不亮三天了")  # a note: append-only, never conflicts
    await second.click("[data-ticket-form] [data-save]")
    await saved(second)

    await first_context.set_offline(False)
    await wait_synced(first)
    await second_context.set_offline(False)
    await wait_synced(second)

    # docs/conflicts.md: the same field changed on both sides keeps the first to sync;
    # the losing value is kept in a conflict record.
    ticket = await Ticket.select().where(Ticket.id == world.open_ticket).first()
    assert ticket["priority"] == "urgent"
    conflicts = await Conflict.select().where(Conflict.record_id == world.open_ticket)
    assert [(c["field"], c["kind"], c["rule"]) for c in conflicts] == [("priority", "field", "first_sync_wins")]

    await second.goto(live_server.url + "/app/#/records")
    entry = second.locator(f"[data-record='{world.open_ticket}']")
    await entry.wait_for()
    await second.wait_for_selector(f"[data-record='{world.open_ticket}'][data-state=conflict] [data-conflict]")
    text = await entry.inner_text()
    assert "服务器保留「紧急」" in text and "您的「低」未采用" in text, text
    assert await second.inner_text("[data-banner=problems]") == "1 条冲突，点此查看"
    await shot(second, "app-records-conflict")
    await entry.locator("[data-acknowledge]").click()  # read: the banner goes, the record stays
    await second.wait_for_selector("[data-banner=problems]", state="detached")
    assert await entry.get_attribute("data-state") == "conflict"
    await second.goto(live_server.url + f"/app/#/ticket/{world.open_ticket}")
    await second.wait_for_selector("text=业主说灯已经不亮三天了")
    assert await second.locator("[data-priority]").input_value() == "urgent"

    await first.goto(live_server.url + "/app/#/records")
    await first.wait_for_selector(f"[data-record='{world.open_ticket}'][data-state=synced]")
    await first_context.close()
    await second_context.close()


async def test_a_push_that_fails_once_is_retried_and_applied_once(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    pushes: list[int] = []

    async def lose_first_answer(route) -> None:
        pushes.append(1)
        response = await route.fetch()  # the server applies the batch…
        if len(pushes) == 1:  # …but the phone sees a 500
            await route.fulfill(status=500, json={"code": "internal_error", "message": "boom"})
        else:
            await route.fulfill(response=response)

    await page.route("**/api/v1/sync/push", lose_first_answer)
    await record_parking_finding(page, "消防通道停了一辆电动车")
    await wait_synced(page)
    assert len(pushes) >= 2
    assert await PatrolRound.count() == 1
    assert await Finding.count() == 1
    seqs = [row["seq"] for row in await AppliedMutation.select(AppliedMutation.seq)]
    assert sorted(seqs) == list(range(1, len(seqs) + 1)), seqs  # each seq once, no gaps
    await page.click("[data-tab=records]")
    await page.wait_for_selector("[data-record]")
    states = await page.eval_on_selector_all("[data-record]", "els => els.map(e => e.dataset.state)")
    assert states and set(states) == {"synced"}, states


async def serious_accessibility_problems(page) -> list[str]:
    """axe-core (pinned in web/package.json) on the current screen: serious and critical only."""
    found = await axe_violations(page, {"runOnly": ["wcag2a", "wcag2aa"]})
    return [f"{v['id']}: {', '.join(v['nodes'])}" for v in found if v["impact"] in ("serious", "critical")]


async def test_chromium_reports_the_app_installable(live_server, seeded, chromium_path, tmp_path) -> None:
    """Installability needs a real profile (Playwright's ordinary contexts are incognito)."""
    from playwright.async_api import async_playwright

    world = await seed_world()
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, args=CHROMIUM_ARGS, bypass_csp=True,
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            await page.goto(live_server.url + "/app/")
            await page.wait_for_selector("form[data-login]")
            await shot(page, "app-login")
            await log_in(page, live_server.url, world.stewards[0])
            cdp = await context.new_cdp_session(page)
            answer = await cdp.send("Page.getInstallabilityErrors")
            assert answer["installabilityErrors"] == [], answer
            manifest = await cdp.send("Page.getAppManifest")
            assert not manifest.get("errors"), manifest
            problems = {}
            for screen, ready in (("today", "[data-offline-ready]"), ("patrol", "[data-start-round]"),
                                  ("vacant", "[data-vacant-unit]"), ("visit", "[data-visit-start]"), ("records", "main"),
                                  (f"visit/unit/{world.estate.unit_ids[world.estate.building_ids[0]][0]}", "[data-visit-form]"),
                                  (f"ticket/{world.open_ticket}", "[data-ticket-form]")):
                await page.goto(live_server.url + f"/app/#/{screen}")
                await page.wait_for_selector(ready)
                problems[screen] = await serious_accessibility_problems(page)
            assert all(found == [] for found in problems.values()), problems
            await page.goto(live_server.url + "/app/#/today")
            await page.click("[data-lang]")
            await page.wait_for_selector("text=Sync and offline readiness")
            await shot(page, "app-today-en")
        finally:
            await context.close()


async def record_parking_finding(page, description: str = "单元门口乱停共享单车") -> None:
    """Start a patrol round and record a parking finding in it."""
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-kind]", "parking")
    await page.fill("[data-description]", description)
    await page.click("[data-finding-form] [data-save]")
    await saved(page)


async def test_a_revoked_phone_logs_in_again_and_keeps_its_outbox(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    await page.context.set_offline(True)
    await record_parking_finding(page)
    device = await SyncDevice.select(SyncDevice.id).first()
    assert await staff.revoke_device(device["id"])

    await page.context.set_offline(False)
    await page.wait_for_selector("[data-banner=relogin]", timeout=45000)
    assert int(await page.get_attribute("[data-sync-badge]", "data-pending")) == 3  # the round, the finding, its building checked in
    await shot(page, "app-relogin-banner")
    await page.click("[data-banner=relogin] button")
    await page.wait_for_selector("[data-kept]")
    assert await page.input_value("input[name=username]") == world.stewards[0]
    await shot(page, "app-relogin")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[data-login] button[type=submit]")
    await wait_synced(page)
    assert await Finding.count() == 1 and await PatrolRound.count() == 1


async def test_update_required_keeps_the_outbox_until_the_app_is_updated(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])

    async def too_old(route) -> None:
        await route.fulfill(status=426, json={"code": "update_required", "message": "请更新楼管通"})

    await page.route("**/api/v1/sync/push", too_old)
    await record_parking_finding(page)
    await page.wait_for_selector("[data-banner=update]")
    assert int(await page.get_attribute("[data-sync-badge]", "data-pending")) == 3  # the round, the finding, its building checked in
    await page.unroute("**/api/v1/sync/push")
    await page.click("[data-banner=update] button")  # reload: the new app version
    await wait_synced(page)
    assert await Finding.count() == 1


async def test_a_phone_handed_to_another_steward_starts_a_new_device(live_server, seeded, page) -> None:
    world = await seed_world(stewards=2)
    await log_in(page, live_server.url, world.stewards[0])
    await record_parking_finding(page)
    await wait_synced(page)
    await page.click("[data-tab=today]")
    await page.click("[data-logout]")
    await page.wait_for_selector("form[data-login]")
    await log_in(page, live_server.url, world.stewards[1])
    await page.click("[data-tab=records]")
    assert await page.locator("[data-record]").count() == 0  # nothing of the first steward's
    devices = await SyncDevice.select(SyncDevice.id, SyncDevice.user_id, SyncDevice.last_seq)
    assert len({d["id"] for d in devices}) == 2 and len({d["user_id"] for d in devices}) == 2, devices
    await record_parking_finding(page)
    await wait_synced(page)
    assert await Finding.count() == 2


def noisy_png(width: int = 1400, height: int = 1000) -> bytes:
    """A photo that stays large after JPEG compression (noise), to upload in several chunks."""
    import os
    import struct
    import zlib

    raw = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


async def test_a_photo_upload_cut_off_resumes_where_the_server_stopped(live_server, seeded, page) -> None:
    import hashlib

    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    puts: list[str] = []

    async def cut_second_chunk(route) -> None:
        puts.append(route.request.headers.get("content-range", "whole"))
        if len(puts) == 2:
            await route.abort("connectionreset")  # the lift doors close mid-upload
        else:
            await route.continue_()

    await page.route("**/api/v1/attachments/*", lambda route: cut_second_chunk(route) if route.request.method == "PUT" else route.continue_())
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-kind]", "public_damage")
    await page.fill("[data-description]", "B1车库墙面渗水")  # a finding says what was found (required)
    await page.set_input_files("[data-photo-input]", {"name": "wall.png", "mimeType": "image/png", "buffer": noisy_png()})
    await page.wait_for_selector("img.thumb")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)
    # the badge may still read ok from the round's sync, and the outbox empties before the
    # bytes are up (the cut upload waits for its retry): wait for the server to hold them
    attachment = None
    for _ in range(600):
        attachment = await Attachment.select().first()
        if attachment is not None and attachment["stored"]:
            break
        await asyncio.sleep(0.1)
    assert attachment is not None and attachment["stored"], attachment
    content = await stored_bytes(attachment["sha256"])
    assert content is not None and hashlib.sha256(content).hexdigest() == attachment["sha256"]
    size = attachment["size"]
    assert size > 2 * 256 * 1024, size  # several chunks
    assert puts[0] == f"bytes 0-{256 * 1024 - 1}/{size}"
    assert puts[1] == puts[2] == f"bytes {256 * 1024}-{min(size, 512 * 1024) - 1}/{size}", puts  # resumed, not restarted


@pytest.fixture
async def small_photo_server(tmp_path):
    """A live server that accepts photos of at most 100,000 bytes (STEWARDSYNC_MAX_PHOTO_BYTES),
    with the test's tables bound to its database."""
    server = LiveServer(tmp_path / "small-photos", {"STEWARDSYNC_MAX_PHOTO_BYTES": "100000"})
    server.settings.data_dir.mkdir(parents=True)
    server.start()
    engine = await database.connect(server.settings)
    try:
        yield server
    finally:
        server.stop()
        await database.disconnect(engine)


async def test_a_photo_the_server_refuses_is_shown_in_my_records_with_its_reason(small_photo_server, page) -> None:
    world = await seed_world()
    await log_in(page, small_photo_server.url, world.stewards[0])
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-kind]", "public_damage")
    await page.fill("[data-description]", "2楼消防栓玻璃破损")
    await page.set_input_files("[data-photo-input]", {"name": "glass.png", "mimeType": "image/png", "buffer": noisy_png()})
    await page.wait_for_selector("img.thumb")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)
    banner = page.locator("[data-banner=problems]")
    await banner.wait_for(timeout=45000)
    assert await banner.inner_text() == "1 张照片被拒收，点此查看"
    await wait_synced(page)
    # the records went through; only the bytes were refused (413 photo_too_large), for good
    finding = await Finding.select().first()
    assert finding["description"] == "2楼消防栓玻璃破损"
    assert await Ticket.count().where(Ticket.source_finding_id == finding["id"]) == 1
    attachment = await Attachment.select().first()
    assert attachment["stored"] is False and attachment["size"] > 100_000
    assert await AttachmentBlob.count() == 0

    await banner.click()
    record = page.locator(f"[data-record='{finding['id']}']")
    await record.wait_for()
    assert await record.get_attribute("data-state") == "synced"
    notice = record.locator(f"[data-photo-refused='{attachment['sha256']}']")
    kilobytes = -(-attachment["size"] // 1024)
    assert (await notice.locator("p").first.inner_text()
            == f"照片未被服务器接收：照片过大（{kilobytes} KB，服务器上限 98 KB）")
    await shot(page, "app-records-photo-refused")
    await notice.locator("[data-acknowledge-photo]").click()  # read: the banner goes, the notice stays
    await page.wait_for_selector("[data-banner=problems]", state="detached")
    await record.locator("[data-photo-refused]").wait_for()
    await page.click("[data-tab=today]")
    await page.click("[data-lang]")
    await page.click("[data-tab=records]")
    english = page.locator(f"[data-record='{finding['id']}'] [data-photo-refused] p").first
    await english.wait_for()
    assert await english.inner_text() == (f"Photo not accepted by the server: photo too large ({kilobytes} KB; "
                                          "the server accepts at most 98 KB)")


async def test_a_finding_outside_a_new_scope_is_rejected_with_its_reason_and_kept(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    await page.context.set_offline(True)
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    await page.select_option("[data-building]", world.estate.building_ids[0])
    await page.select_option("[data-kind]", "parking")
    await page.fill("[data-description]", "1栋门口乱停车")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)
    user = await staff.user_by_username(world.stewards[0])
    await staff.assign_buildings(user["id"], [world.estate.building_ids[1]])  # reassigned meanwhile

    await page.context.set_offline(False)
    await wait_synced(page)
    await page.click("[data-tab=records]")
    finding = page.locator("[data-collection=finding]")
    await finding.wait_for()
    assert await finding.get_attribute("data-state") == "rejected"
    assert await finding.locator("[data-reason]").inner_text() == "服务器退回：超出负责楼栋范围"
    assert await Finding.count() == 0
    await shot(page, "app-records-rejected")
    await page.click("[data-tab=today]")  # building 1 left the cache, my rejected finding did not
    await page.wait_for_selector("text=手机上：1 栋楼")


async def test_a_planned_visit_is_done_from_today(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    planned = await Visit.select().first()
    await page.click(f"a[href='#/visit/planned/{planned['id']}']")
    await page.wait_for_selector("[data-visit-form]")
    assert await page.is_checked("input[name=purpose][value=routine]")
    await page.fill("[data-owner-words]", "希望小区多装几盏路灯")
    await page.fill("[data-follow-ups]", "3栋门口路灯不亮")
    await page.click("label.choice:has(input[name=satisfaction][value='4'])")
    await page.click("[data-visit-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    visit = await Visit.select().where(Visit.id == planned["id"]).first()
    assert visit["status"] == "done" and visit["satisfaction"] == 4 and visit["visited_at"]
    follow_up = await Ticket.select().where(Ticket.source_visit_id == planned["id"]).first()
    assert follow_up["kind"] == "repair" and follow_up["description"] == "3栋门口路灯不亮"
    await page.wait_for_selector("text=暂无计划家访")
