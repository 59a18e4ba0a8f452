"""The assessment on the 25th in Chromium (issue 17): the manager assesses one steward at the
desk (a quiz of 10 units, 5 owners called) and the result shows on the steward's month."""

from __future__ import annotations

import pytest

from server.tables import FamiliarityAssessment
from tests.e2e.conftest import desk_log_in, screenshot
from tests.factories import make_estate, make_user, new_id

pytestmark = pytest.mark.e2e


async def test_a_manager_runs_the_assessment_of_one_steward(live_server, seeded, browser) -> None:
    estate = await make_estate(buildings=1, units_per_building=12, vacant_every=0)
    manager_name = f"manager_{new_id()[-8:]}"
    steward = await make_user("steward", estate.building_ids)
    await make_user("manager", username=manager_name)
    desk = await (await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900},
                                            locale="zh-CN")).new_page()
    await desk_log_in(desk, live_server.url, manager_name, f"/desk/assessments?steward_id={steward}")
    await desk.click("[data-assessment-start]")
    await desk.wait_for_selector("[data-assessment-form]")
    assert await desk.locator("[data-quiz] tbody tr").count() == 10
    assert await desk.locator("[data-calls] tbody tr").count() == 5
    await screenshot(desk, "desk-assessment-quiz")
    rows = desk.locator("[data-quiz] tbody tr")
    for n in range(10):  # the steward knows all but the employer of the first two units
        for fact in ("owner_ok", "employer_ok", "family_ok", "payment_ok"):
            value = "no" if fact == "employer_ok" and n < 2 else "yes"
            await rows.nth(n).locator(f"input[name$=':{fact}'][value={value}]").check()
    calls = desk.locator("[data-calls] tbody tr")
    for n in range(5):  # all reached; four know the steward; ratings 5 5 4 4 3
        row = calls.nth(n)
        await row.locator("input[name$=':reached'][value=yes]").check()
        await row.locator(f"input[name$=':knows_steward'][value={'yes' if n < 4 else 'no'}]").check()
        await row.locator("select").select_option(str((5, 5, 4, 4, 3)[n]))
    await desk.click("[data-assessment-finish]")
    result = await desk.wait_for_selector("[data-assessment-result]")
    familiarity, satisfaction = round(100 * (38 + 4) / (40 + 5)), round(100 * 4 / 5)
    assert f"本月熟知率 {familiarity}%，满意率 {satisfaction}%" in await result.inner_text()
    row = await FamiliarityAssessment.select().first()
    assert (row["familiarity"], row["satisfaction"]) == (familiarity, satisfaction)
    month = row["month"]
    assert await desk.inner_text(f"[data-assessment-history] tr[data-month='{month}'] td:nth-child(3)") == f"{familiarity}%"
    line = desk.locator(f"[data-assessment-stewards] tr[data-steward='{steward}']")
    assert await line.locator("[data-familiarity]").inner_text() == f"{familiarity}%"
    await screenshot(desk, "desk-assessment-result")
    # the KPI dashboard's 业主熟知率 is the month's finished assessments: 42 of 45
    await desk.goto(f"{live_server.url}/desk/kpi?month={month}")
    card = desk.locator('.kpi-card[data-kpi="owner_familiarity"]')
    assert await card.locator('a[data-part="numerator"]').inner_text() == "42"
    assert await card.locator('a[data-part="denominator"]').inner_text() == "45"
    await card.locator('a[data-part="denominator"]').click()
    await desk.wait_for_url("**/desk/kpi/records?**")
    assert await desk.locator("#kpi-records tbody tr[data-record]").count() == 15  # 10 units asked, 5 owners reached
    await screenshot(desk, "desk-kpi-familiarity-records")
    await desk.context.close()
