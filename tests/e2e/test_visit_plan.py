"""拜访计划 in Chromium (issue 17): the manager plans a steward's visit for the month at the
desk and approves it; the steward's phone lists it under Today with its reason; the visit
done on the doorstep counts against the plan at the desk."""

from __future__ import annotations

import pytest

from server.tables import Visit, VisitPlanItem
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, saved, shot, wait_synced
from tests.factories import make_estate, make_user, new_id

pytestmark = pytest.mark.e2e


async def test_a_planned_and_approved_visit_reaches_the_phone_and_counts_when_done(
        live_server, seeded, browser, page) -> None:
    estate = await make_estate(buildings=1, units_per_building=3, vacant_every=0)
    steward_name, manager_name = f"steward_{new_id()[-8:]}", f"manager_{new_id()[-8:]}"
    steward = await make_user("steward", estate.building_ids, username=steward_name)
    await make_user("manager", username=manager_name)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]

    desk = await (await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900},
                                            locale="zh-CN")).new_page()
    await desk_log_in(desk, live_server.url, manager_name, f"/desk/visit-plans?steward_id={steward}")
    await desk.check(f"input[name=unit_id][value='{unit_id}']")
    await desk.select_option(f"select[name=reason_{unit_id}]", "new_owner")
    await desk.click("[data-plan-add] button[type=submit]")
    await desk.wait_for_selector("text=已加入 1 户")
    assert await desk.inner_text("[data-plan-lines] [data-line-status]") == "待审批"
    await desk.click("[data-approve-plan]")
    await desk.wait_for_selector("text=已批准 1 户")
    await screenshot(desk, "desk-visit-plan")
    assert await VisitPlanItem.count() == 1 and (await Visit.select().first())["plan_reason"] == "new_owner"

    await log_in(page, live_server.url, steward_name)
    planned = page.locator("[data-planned-visit]")
    await planned.wait_for()
    assert "拜访计划：新业主" in await planned.inner_text()
    await shot(page, "app-today-visit-plan")
    await planned.click()
    await page.wait_for_selector("[data-visit-form]")
    await page.fill("[data-employer]", "示范市实验中学")
    await page.click("label.choice:has(input[name=satisfaction][value='5'])")
    await page.click("[data-visit-form] [data-save]")
    await saved(page)
    await wait_synced(page)
    visit = await Visit.select().first()
    assert visit["status"] == "done" and visit["satisfaction"] == 5

    await desk.goto(f"{live_server.url}/desk/visit-plans?steward_id={steward}")
    assert await desk.inner_text("[data-plan-lines] [data-line-status]") == "已拜访"
    assert await desk.inner_text(f"[data-plan-stewards] tr[data-steward='{steward}'] [data-completion]") == "100%"
    await desk.goto(f"{live_server.url}/desk/archive/units/{unit_id}")
    assert "示范市实验中学" in await desk.inner_text("#archive-unit")
    await screenshot(desk, "desk-archive-completeness")
    await desk.context.close()
