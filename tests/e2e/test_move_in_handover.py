"""入住 with its 验房 done offline (issue 18): the desk registers the move-in step by step and
signs the unit's key out to the steward; the steward's phone, with no signal, walks the unit
room by room, records three defects (three warranty tickets, 工程质量维修单) and has the owner
sign the handover; back online it syncs; the household's move-in date is set; the desk hands
the keys over and the key comes back to the register."""

from __future__ import annotations

import pytest

from server.tables import Attachment, Household, Ticket
from server.tables.move_in import EstateKey, Handover, KeyLoan, MoveIn
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_offline import sign
from tests.e2e.test_app_support import log_in, photo_png, saved, shot, wait_synced
from tests.factories import make_estate, make_user, new_id

pytestmark = pytest.mark.e2e

DEFECTS = {"living": ("walls_ceiling", "客厅顶棚有裂缝"), "kitchen": ("water_drain", "厨房下水不畅"),
           "bathroom_1": ("doors_windows", "主卫门框变形")}


async def desk_step(desk_page, step: str) -> None:
    await desk_page.click(f"[data-step-form={step}] button[type=submit]")
    await desk_page.wait_for_selector(f"#move-in[data-step={step}]")


async def test_a_move_in_with_its_handover_inspection_done_offline(live_server, seeded, page, desk_page) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][3]  # 1-0401: vacant, not delivered
    steward = f"steward_{new_id()[-8:]}"
    await make_user("steward", [building], username=steward)
    desk = f"desk_{new_id()[-8:]}"
    await make_user("desk", username=desk)
    base = live_server.url

    # the desk: the unit's key in the register, signed out to the steward for the 验房
    await desk_log_in(desk_page, base, desk, "/desk/keys")
    await desk_page.select_option("[data-new-key] select[name=kind]", "unit")
    await desk_page.fill("[data-new-key] input[name=label]", "进户门钥匙")
    await desk_page.fill("[data-new-key] input[name=unit_code]", "1-0401")
    await desk_page.fill("[data-new-key] input[name=place]", "客服前台")
    await desk_page.click("[data-new-key] button[type=submit]")
    await desk_page.fill("[data-key-out] input[name=borrower]", "张楼管")
    await desk_page.fill("[data-key-out] input[name=reason]", "验房")
    await desk_page.click("[data-key-out] button[type=submit]")
    await desk_page.wait_for_selector("[data-holder]:has-text('张楼管 借出')")

    # the move-in: identity and the owner form, the agreements, a year's fee
    await desk_page.goto(f"{base}/desk/move-ins")
    form = "[data-new-move-in]"
    for name, text in (("unit_code", "1-0401"), ("owner_name", "王建国"), ("owner_phone", "13800001111"),
                       ("owner_id_number", "410105198001011234")):
        await desk_page.fill(f"{form} input[name={name}]", text)
    await desk_page.check(f"{form} input[name=id_checked]")
    await desk_page.click(f"{form} button[type=submit]")
    await desk_page.wait_for_selector("#move-in[data-step=identity_checked]")
    for agreement in ("covenant", "service", "renovation"):
        await desk_page.check(f"input[name=agreements][value={agreement}]")
    await desk_step(desk_page, "agreements_signed")
    assert "应交 2103.96 元" in await desk_page.text_content("#move-in")
    await desk_page.fill("input[name=fee_receipt]", "SF-0001")
    await desk_step(desk_page, "fee_paid")
    await desk_page.wait_for_selector("text=须等楼管验房完成")

    # the steward's phone: synced once online, then no signal in the new building
    await log_in(page, base, steward)
    await page.wait_for_selector("[data-handover-move-in]")
    await shot(page, "app-handover-today")
    await page.context.set_offline(True)
    await page.reload()
    await page.click("[data-handover-move-in]")
    await page.wait_for_selector("[data-handover-sign]")
    assert "进户门钥匙：张楼管 借出" in await page.text_content("[data-unit-keys]")
    rooms = await page.eval_on_selector_all("[data-room]", "els => els.map(e => e.dataset.room)")
    assert rooms[:3] == ["entrance", "living", "dining"] and len(rooms) == 10  # 洋房
    for room in rooms:
        await page.click(f"[data-room={room}]")
        await page.wait_for_selector(f"[data-room-form={room}]")
        if room in DEFECTS:
            item, text = DEFECTS[room]
            await page.select_option("[data-defect-item]", item)
            await page.fill("[data-defect-text]", text)
            await page.set_input_files("[data-photo-input]", {"name": "d.png", "mimeType": "image/png",
                                                              "buffer": photo_png(400, 300)})
            await page.wait_for_selector("img.thumb")
            if room == "living":
                await shot(page, "app-handover-room")
            await page.click("[data-add-defect]")
            await saved(page)
            await page.wait_for_selector(f"[data-room-form={room}] input[name=check_{item}][value=defect]:checked")
        await page.click("[data-save-room]")
        await saved(page)
        await page.wait_for_selector("[data-handover-sign]")
    assert await page.locator("[data-handover-defects] li").count() == 3
    await page.fill("[data-keys-counted]", "3")
    await sign(page)
    await shot(page, "app-handover-sign")
    await page.click("[data-sign-handover]")
    await saved(page)
    await page.wait_for_selector("[data-handover-signed]")
    await shot(page, "app-handover-signed")
    assert await Ticket.count().where(Ticket.kind == "warranty") == 0  # nothing left the phone yet

    await page.context.set_offline(False)
    await wait_synced(page)
    [handover] = await Handover.select()
    assert (handover["status"], handover["owner_signed"], handover["keys_counted"]) == ("signed", True, 3)
    tickets = await Ticket.select().where(Ticket.source_handover_id == handover["id"])
    assert len(tickets) == 3 and {t["kind"] for t in tickets} == {"warranty"}
    assert {t["unit_id"] for t in tickets} == {unit} and all(t["number"] for t in tickets)
    assert sorted(t["description"] for t in tickets) == sorted(text for _, text in DEFECTS.values())
    assert await Attachment.count().where((Attachment.parent_collection == "ticket") & Attachment.parent_id.is_in(
        [t["id"] for t in tickets])) == 3
    assert await Attachment.count().where((Attachment.parent_id == handover["id"]) & (Attachment.kind == "signature")) == 1
    household = await Household.select().where(Household.unit_id == unit).first()
    assert household["owner_name"] == "王建国" and household["move_in_date"]

    # the desk: the handover signed, its warranty tickets, the keys handed over; the key back
    [move_in] = await MoveIn.select()
    await desk_page.goto(f"{base}/desk/move-ins/{move_in['id']}")
    assert await desk_page.locator("[data-warranty-tickets] li").count() == 3
    assert "已签交接书" in await desk_page.text_content("[data-handover]")
    await desk_page.fill("input[name=keys_handed]", "3")
    await desk_page.check("input[name=gifts_handed]")
    await desk_page.check("input[name=manuals_handed]")
    await desk_step(desk_page, "handed_over")
    await screenshot(desk_page, "desk-move-in")
    await desk_page.goto(f"{base}/desk/keys")
    await desk_page.click("[data-key-back] button[type=submit]")
    await desk_page.wait_for_selector("[data-holder]:has-text('在存放处')")
    await screenshot(desk_page, "desk-keys")
    [loan] = await KeyLoan.select()
    assert loan["borrower"] == "张楼管" and loan["back_at"]
    assert (await EstateKey.select().first())["holder"] == ""
