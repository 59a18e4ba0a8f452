"""有偿特约服务 at the desk in Chromium (issue 15): the manager reads and changes the estate's
price list; a clerk opens a repair ticket, records the paid service, sees its amount, then
records the payment (screenshots ``desk-paid-prices``, ``desk-intake-paid``, ``desk-paid-service-form``,
``desk-paid-service-recorded``, ``desk-paid-service-en``)."""

from __future__ import annotations

import pytest

from server.store import staff
from server.tables import Ticket
from tests.e2e.conftest import axe_violations, desk_log_in, screenshot
from tests.factories import PASSWORD, make_estate

pytestmark = pytest.mark.e2e


async def test_price_list_and_a_paid_repair(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=1, units_per_building=2)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await staff.add_user("boss", PASSWORD, "客服经理老王", "manager", estate_ids=[estate.estate_id])
    await desk_log_in(page, url, "boss", "/desk/settings/paid-services")

    table = await page.inner_text("#paid-prices table")
    assert "% 房租" in table and "按单位计价" in table
    assert await page.input_value("tr[data-item=letting] input[name^=name_]") == "房屋租赁"
    assert await page.input_value("tr[data-item=tap] input[name^=member_]") == "5.00"
    await page.fill("tr[data-item=drain] input[name^=member_]", "25")
    await screenshot(page, "desk-paid-prices")
    await page.click("button:has-text('保存价目')")
    await page.wait_for_selector("#paid-prices .flash-ok")
    assert await page.input_value("tr[data-item=drain] input[name^=member_]") == "25.00"
    assert [v for v in await axe_violations(page) if v["impact"] in ("serious", "critical")] == []

    await page.goto(url + "/desk/intake")
    await page.fill("#owner-q", "1-0101")
    await page.click(f"[data-pick-unit='{unit_id}']")
    await page.select_option("select[name=kind]", "repair")
    await page.fill("textarea[name=description]", "卫生间下水堵塞，业主要求有偿疏通")
    await page.select_option("select[name=paid_item]", "drain")
    await page.select_option("select[name=paid_price]", "market")
    await screenshot(page, "desk-intake-paid")
    await page.click("button:has-text('受理并生成工单')")
    await page.wait_for_url(url + "/desk/tickets/*")
    ticket_id = page.url.rsplit("/", 1)[1]
    assert "50.00 元" in await page.inner_text("[data-paid-amount]")  # 市场价, one 次, from intake

    assert await page.get_attribute("form[data-paid-form] details", "open") is not None  # open: it has one
    assert await page.input_value("select[name=paid_item]") == "drain"
    await page.fill("input[name=paid_quantity]", "2")
    await screenshot(page, "desk-paid-service-form")
    await page.click("button[data-action=paid-service]")
    await page.wait_for_selector("[data-paid-amount]:has-text('100.00')")
    facts = await page.inner_text(".facts")
    assert "疏通下水" in facts and "100.00 元" in facts and "未收款" in facts  # 市场价 50 元 × 2

    await page.check("input[name=paid]")
    await page.select_option("select[name=paid_method]", "wechat")
    await page.click("button[data-action=paid-service]")
    await page.wait_for_selector("[data-paid-status=paid]")
    assert "已收款（微信）" in await page.inner_text(".facts")
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["paid_service"] and (row["paid_amount_fen"], row["paid_method"]) == (10000, "wechat")
    assert [v for v in await axe_violations(page) if v["impact"] in ("serious", "critical")] == []
    await screenshot(page, "desk-paid-service-recorded")
    await page.goto(f"{url}/desk/tickets/{ticket_id}?lang=en")
    assert "100.00 yuan" in await page.inner_text(".facts")
    await screenshot(page, "desk-paid-service-en")
