"""The queue's filters in Chromium: a status chip sets the status select, the next filter
keeps it, Back brings the list and its selects back together; the search box finds a unit
as the clerk writes it."""

from __future__ import annotations

import pytest

from server.store import staff
from server.tables import Unit
from tests.e2e.conftest import desk_log_in, screenshot
from tests.factories import PASSWORD, make_estate
from tests.integration.test_desk_helpers import seed_ticket

pytestmark = pytest.mark.e2e


async def url_has(page, part: str) -> None:
    """htmx pushes the filters into the address bar (no page load to wait for)."""
    await page.wait_for_function(f"location.search.includes({part!r})")


async def test_chips_selects_and_back_agree(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=2, units_per_building=2)
    first, second = estate.building_ids
    await Unit.update({Unit.code: "3-1-0502"}).where(Unit.id == estate.unit_ids[first][0])
    await seed_ticket(first, status="dispatched", kind="repair", title="派给工程部的报修", assignee="工程部",
                      unit_id=estate.unit_ids[first][0])
    await seed_ticket(second, status="dispatched", kind="complaint", title="派出的投诉", assignee="秩序")
    await seed_ticket(second, status="received", kind="repair", title="刚受理的报修")
    await staff.add_user("clerk", PASSWORD, "前台小李", "desk", estate_ids=[estate.estate_id])
    await desk_log_in(page, url, "clerk", "/desk/tickets")

    await page.click(".status-counts a:has-text('已派单')")
    await url_has(page, "status=dispatched")
    assert await page.input_value("select[name=status]") == "dispatched"
    await page.select_option("select[name=kind]", "repair")
    await url_has(page, "kind=repair")
    assert await page.input_value("select[name=status]") == "dispatched"  # the chip's choice stays
    rows = await page.inner_text("#queue tbody")
    assert "派给工程部的报修" in rows and "派出的投诉" not in rows and "刚受理的报修" not in rows
    await page.go_back()
    await page.wait_for_function("!location.search.includes('kind=')")
    await page.wait_for_function("document.querySelector('select[name=kind]').value === ''")
    assert await page.input_value("select[name=status]") == "dispatched"
    assert "派出的投诉" in await page.inner_text("#queue tbody")

    await page.goto(url + "/desk/tickets")
    await page.fill("[data-queue-search]", "3栋1单元502")
    await page.press("[data-queue-search]", "Enter")
    await url_has(page, "q=")
    rows = await page.inner_text("#queue tbody")
    assert "派给工程部的报修" in rows and "派出的投诉" not in rows
    await screenshot(page, "desk-queue-search")
