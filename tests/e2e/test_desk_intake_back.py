"""Desk intake and the Back button: the typed text and the chosen unit both come back, and
submitting again names the same ticket."""

from __future__ import annotations

import pytest

from server.store import staff
from server.tables import Ticket, Unit
from tests.e2e.conftest import desk_log_in
from tests.factories import PASSWORD, make_estate

pytestmark = pytest.mark.e2e


async def test_back_keeps_the_chosen_unit_and_a_resubmit_makes_no_second_ticket(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=1, units_per_building=3)
    unit_id = estate.unit_ids[estate.building_ids[0]][1]
    await Unit.update({Unit.code: "3-1-0502"}).where(Unit.id == unit_id)
    await staff.add_user("clerk", PASSWORD, "前台小李", "desk", estate_ids=[estate.estate_id])
    await desk_log_in(page, url, "clerk", "/desk/intake")
    await page.fill("#owner-q", "3-0502")
    await page.click(f"[data-pick-unit='{unit_id}']")
    await page.fill("textarea[name=description]", "厨房下水道堵塞")
    await page.click("button:has-text('受理并生成工单')")
    await page.wait_for_url(url + "/desk/tickets/*")
    first = page.url
    await page.go_back()
    await page.wait_for_url(url + "/desk/intake")
    await page.wait_for_function("document.getElementById('chosen-unit').textContent.includes('3-1-0502')")
    assert await page.input_value("textarea[name=description]") == "厨房下水道堵塞"
    await page.click("button:has-text('受理并生成工单')")  # the same form again
    await page.wait_for_url(url + "/desk/tickets/*")
    assert page.url == first
    assert await Ticket.count() == 1
