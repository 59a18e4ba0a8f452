"""Issue 15 at the desk in Chromium: a repair taken in with its system, part and damage; a
complaint marked 无效投诉 with a category whose prescribed handling the clerk reads before
choosing (screenshots ``desk-intake-repair-fields`` and ``desk-invalid-complaint``)."""

from __future__ import annotations

import pytest

from server.store import staff
from server.tables import Ticket
from tests.e2e.conftest import axe_violations, desk_log_in, screenshot
from tests.factories import PASSWORD, make_estate

pytestmark = pytest.mark.e2e


async def take_in(page, url: str, unit_id: str, kind: str, description: str, **fields: str) -> str:
    await page.goto(url + "/desk/intake")
    await page.fill("#owner-q", "1-0101")
    await page.click(f"[data-pick-unit='{unit_id}']")
    await page.select_option("select[name=kind]", kind)
    for name, value in fields.items():
        if name == "system":
            await page.select_option("select[name=system]", value)
        else:
            await page.fill(f"input[name={name}]", value)
    await page.fill("textarea[name=description]", description)
    if fields:
        await screenshot(page, "desk-intake-repair-fields")
    await page.click("button:has-text('受理并生成工单')")
    await page.wait_for_url(url + "/desk/tickets/*")
    return page.url.rsplit("/", 1)[1]


async def test_intake_fields_and_an_invalid_complaint(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=1, units_per_building=2)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await staff.add_user("clerk", PASSWORD, "前台小李", "desk", estate_ids=[estate.estate_id])
    await desk_log_in(page, url, "clerk", "/desk")

    await take_in(page, url, unit_id, "repair", "厨房水龙头漏水", system="water", part="水龙头", damage="漏水")
    facts = await page.inner_text(".facts")
    assert "给排水（水管、下水）" in facts and "水龙头" in facts

    complaint = await take_in(page, url, unit_id, "complaint", "业主投诉燃气公司改管收费过高")
    await page.click("form.validity summary")
    option = page.locator("label.validity-option[data-category=utility_fault]")
    assert "耐心倾听，告知相关部门客服热线。" in await option.inner_text()  # seen before choosing
    await option.click()
    await screenshot(page, "desk-invalid-complaint")
    await page.click("button[data-action=validity]")
    await page.wait_for_selector("[data-validity=utility_fault]")
    assert "无效投诉：与水、电、燃气等部门的纠纷" in await page.inner_text(".facts")
    assert (await Ticket.select(Ticket.invalid_category).where(Ticket.id == complaint).first())[
        "invalid_category"] == "utility_fault"
    serious = [v for v in await axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    await screenshot(page, "desk-invalid-complaint-marked")
    await page.goto(f"{url}/desk/tickets/{complaint}?lang=en")
    assert "Invalid complaint: Dispute with the water, power or gas company" in await page.inner_text(".facts")
    await screenshot(page, "desk-invalid-complaint-en")
