"""The estate switch in Chromium: a manager of two estates picks one in the header and the
queue shows only its tickets; 全部项目 brings both back."""

from __future__ import annotations

import pytest

from server.store import staff
from tests.e2e.conftest import desk_log_in, screenshot
from tests.factories import PASSWORD, make_estate
from tests.integration.test_desk_helpers import seed_ticket

pytestmark = pytest.mark.e2e


async def test_a_manager_of_two_estates_switches_between_them(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    first, second = await make_estate(buildings=1, office=False), await make_estate(buildings=1, office=False)
    await seed_ticket(first.building_ids[0], title="甲苑的报修")
    await seed_ticket(second.building_ids[0], title="乙苑的报修")
    await staff.add_user("zhou", PASSWORD, "周经理", "manager", estate_ids=[first.estate_id, second.estate_id])
    await desk_log_in(page, url, "zhou", "/desk/tickets")
    assert "乙苑的报修" in await page.inner_text("#queue tbody")
    names = await page.locator("[data-estate-switch] option").all_inner_texts()
    async with page.expect_navigation():  # the choice posts and the page comes back narrowed
        await page.select_option("[data-estate-switch] select", label=names[1])
    rows = await page.inner_text("#queue tbody")
    assert ("甲苑的报修" in rows) != ("乙苑的报修" in rows)
    await screenshot(page, "desk-estate-switch")
    await page.select_option("[data-estate-switch] select", value="")
    await page.wait_for_function("document.querySelector('#queue tbody').innerText.includes('甲苑的报修')")
    assert "乙苑的报修" in await page.inner_text("#queue tbody")
